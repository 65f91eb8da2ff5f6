// The acknowledgement slip over a fake station: what it shows of a pending registration, in the
// clerk's language with the resident's values in theirs, Print to the system's dialog, Save as
// PDF where the clerk chooses in the system's save dialog, Done home with the notice it was
// given, and a registration that has none.

import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';

import { BackendError, type Notice } from '../../lib/backend/errors';
import { fr } from '../../lib/i18n/fr';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { TestId } from '../../lib/testIds';
import { FakeStation } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import SlipScreen from './SlipScreen.svelte';

afterEach(() => {
  setUiLanguage('en');
  vi.restoreAllMocks();
});

function open(station: FakeStation, registrationId: string, initialNotice: Notice | null = null) {
  const onDone = vi.fn<(notice: Notice | null) => void>();
  renderScreen(station, SlipScreen, { registrationId, initialNotice, onDone, onSignedOut: vi.fn() });
  return { onDone };
}

describe('the acknowledgement slip', () => {
  test('in Arabic: the id, its QR code, the photo and the names, each in its own direction', async () => {
    setUiLanguage('ar');
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = station.seedRegistration('pending_approval', { name: 'Amina Idrissi' });
    open(station, registrationId);

    expect((await screen.findByTestId(TestId.SlipRegistrationId)).textContent).toBe(registrationId);
    expect(screen.getByTestId(TestId.SlipQr).getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(screen.getByTestId(TestId.SlipPhoto).getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const slip = screen.getByRole('article');
    expect(within(slip).getByRole('heading').textContent).toBe('وصل التسجيل');
    expect(within(slip).getByText('الاسم الكامل')).toBeTruthy();
    const name = within(slip).getByText('Amina Idrissi');
    expect(name.getAttribute('lang')).toBe('en');
    expect(name.getAttribute('dir')).toBe('ltr');
    expect(slip.textContent).toContain('موظف التسجيل: Sara Bennani');
  });

  test('Print opens the system’s print dialog; Done goes home with the notice it was given', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = station.seedRegistration('pending_approval');
    // The test DOM has no print(); the window's WebKit opens GTK's print dialog.
    const print = vi.fn();
    Object.defineProperty(window, 'print', { value: print, configurable: true, writable: true });
    const finalized: Notice = { kind: 'success', text: () => 'finalized' };
    const { onDone } = open(station, registrationId, finalized);
    const user = userEvent.setup();

    await screen.findByTestId(TestId.SlipRegistrationId);
    expect(screen.getByTestId(TestId.Banner).textContent).toContain('finalized');
    // Keyboard first: the caret waits on Done.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(TestId.SlipDone)));
    await user.keyboard('{Enter}');
    expect(onDone).toHaveBeenCalledWith(finalized);
    await user.click(screen.getByTestId(TestId.SlipPrint));
    expect(print).toHaveBeenCalledOnce();
  });

  test('Save as PDF: the clerk chooses the file in the save dialog; the button says it is saving, then the banner says where', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = station.seedRegistration('pending_approval');
    const chosen = '/home/clerk/Desktop/slip for the resident.pdf';
    station.answerSaveDialog(chosen);
    // The station's print takes a moment: hold it to see the button meanwhile.
    let finishPrint: () => void = () => {};
    const save = station.saveSlipPdf.bind(station);
    vi.spyOn(station, 'saveSlipPdf').mockImplementation(async (path) => {
      await new Promise<void>((resolve) => (finishPrint = resolve));
      return save(path);
    });
    open(station, registrationId);
    const user = userEvent.setup();

    await screen.findByTestId(TestId.SlipRegistrationId);
    const button = screen.getByTestId(TestId.SlipSavePdf) as HTMLButtonElement;
    expect(button.textContent?.trim()).toBe('Save as PDF');
    await user.click(button);

    await waitFor(() => expect(button.textContent?.trim()).toBe('Saving…'));
    expect(button.disabled).toBe(true);
    // The dialog offered the registration's id as the file name, under the screen's title.
    const asked = station.calls.find((call) => call.method === 'choosePdfPath');
    expect(asked?.args).toEqual([`${registrationId}.pdf`, 'Save the slip as a PDF']);
    finishPrint();

    await waitFor(() => expect(screen.getByTestId(TestId.Banner).textContent).toContain(chosen));
    expect(screen.getByTestId(TestId.Banner).getAttribute('data-kind')).toBe('success');
    expect(station.savedPdfs).toEqual([chosen]);
    expect(button.textContent?.trim()).toBe('Save as PDF');
    expect(button.disabled).toBe(false);
  });

  test('Save as PDF cancelled in the dialog saves nothing and says nothing', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = station.seedRegistration('pending_approval');
    station.answerSaveDialog(null);
    open(station, registrationId);
    const user = userEvent.setup();

    await screen.findByTestId(TestId.SlipRegistrationId);
    await user.click(screen.getByTestId(TestId.SlipSavePdf));

    await waitFor(() => expect((screen.getByTestId(TestId.SlipSavePdf) as HTMLButtonElement).disabled).toBe(false));
    expect(station.calls.map((call) => call.method)).not.toContain('saveSlipPdf');
    expect(station.savedPdfs).toEqual([]);
    expect(screen.queryByTestId(TestId.Banner)).toBeNull();
  });

  test('in French: a print that fails says so in French, and the clerk can try again', async () => {
    setUiLanguage('fr');
    const station = new FakeStation().signIn('sara.officer');
    const registrationId = station.seedRegistration('pending_approval');
    station.failNext('saveSlipPdf', new BackendError('slip_pdf_failed'));
    open(station, registrationId);
    const user = userEvent.setup();

    await screen.findByTestId(TestId.SlipRegistrationId);
    const button = screen.getByTestId(TestId.SlipSavePdf) as HTMLButtonElement;
    expect(button.textContent?.trim()).toBe('Enregistrer en PDF');
    await user.click(button);

    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain(fr['error.slip_pdf_failed'] as string);
    expect(station.savedPdfs).toEqual([]);
    await waitFor(() => expect(button.disabled).toBe(false));
    await user.click(button);
    await waitFor(() => expect(station.savedPdfs).toEqual([`/home/clerk/Documents/${registrationId}.pdf`]));
  });

  test('a registration already sealed has no slip: the screen says why and still goes home', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('sealed');
    const { onDone } = open(station, registrationId);

    const banner = await screen.findByRole('alert');
    expect(banner.textContent?.trim()).not.toBe('');
    expect(screen.queryByRole('article')).toBeNull();
    expect((screen.getByTestId(TestId.SlipPrint) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId(TestId.SlipSavePdf) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.setup().click(screen.getByTestId(TestId.SlipDone));
    expect(onDone).toHaveBeenCalledWith(null);
  });
});
