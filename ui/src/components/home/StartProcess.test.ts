// Another request than a new registration: the clerk starts an update, a lost card or a
// correction from the home screen, and the wizard then takes only what changes (the fields, the
// documents and the biometric steps of the chosen groups), or the whole form with nothing
// required for a lost card.

import { cleanup, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { isResidentId } from '../../lib/registration/process';
import { captureStepId, documentAttachedId, fieldErrorId, fieldInputId, processChangeId, processChoiceId, TestId, wizardStepId } from '../../lib/testIds';
import { FakeStation } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import { goToStep } from '../../test/wizard';
import RegistrationScreen from '../registration/RegistrationScreen.svelte';
import HomeScreen from './HomeScreen.svelte';

beforeEach(() => mockIPC(() => undefined));
afterEach(() => {
  clearMocks();
  setUiLanguage('en');
});

/** A valid ID number: nine digits and the Verhoeff check digit the station computes. */
const RESIDENT = '1234567890';

async function startFromHome(station: FakeStation) {
  const onOpenRegistration = vi.fn<(registrationId: string) => void>();
  renderScreen(station, HomeScreen, {
    status: await station.status(),
    initialNotice: null,
    onOpenRegistration,
    onOpenAdmin: vi.fn(),
    onOpenUploads: vi.fn(),
    onOpenDashboard: vi.fn(),
    onSignedOut: vi.fn(),
  });
  const user = userEvent.setup();
  await user.click(await screen.findByTestId(TestId.StartProcessOpen));
  const dialog = await screen.findByTestId(TestId.StartProcessDialog);
  return { user, dialog, onOpenRegistration };
}

describe('starting another request', () => {
  test('the ID number and the changes are checked, then an address update opens with only the address', async () => {
    expect(isResidentId(RESIDENT)).toBe(true);
    expect(isResidentId('1234567891')).toBe(false);
    const station = new FakeStation().signIn('sara.officer');
    const { user, dialog, onOpenRegistration } = await startFromHome(station);
    // Update is offered first and chosen; the caret is on it.
    expect((screen.getByTestId(processChoiceId('update')) as HTMLInputElement).checked).toBe(true);
    expect(document.activeElement).toBe(screen.getByTestId(processChoiceId('update')));

    await user.click(within(dialog).getByTestId(TestId.StartProcessConfirm));
    expect(screen.getByTestId(TestId.StartProcessResidentIdError).textContent).toBe('Type the resident’s ID number.');
    expect(screen.getByTestId(TestId.StartProcessChangesError).textContent).toBe('Tick at least one thing that changes.');
    await user.type(screen.getByTestId(TestId.StartProcessResidentId), '1234567891');
    await user.click(screen.getByTestId(processChangeId('address')));
    await user.click(screen.getByTestId(TestId.StartProcessConfirm));
    expect(screen.getByTestId(TestId.StartProcessResidentIdError).textContent).toContain('An ID number has 10 digits');
    expect(station.calls.some((c) => c.method === 'startRegistration')).toBe(false);

    await user.clear(screen.getByTestId(TestId.StartProcessResidentId));
    await user.type(screen.getByTestId(TestId.StartProcessResidentId), RESIDENT);
    await user.click(screen.getByTestId(TestId.StartProcessConfirm));
    await waitFor(() => expect(onOpenRegistration).toHaveBeenCalledOnce());
    expect(station.calls.find((c) => c.method === 'startRegistration')?.args).toEqual([
      { process: 'update', resident_id: RESIDENT, request_id: null, changes: ['address'] },
    ]);

    // The wizard takes the address alone, its proof, and the face.
    cleanup();
    const registrationId = onOpenRegistration.mock.calls[0][0];
    await station.recordConsent(registrationId, true);
    renderScreen(station, RegistrationScreen, { registrationId, onDone: vi.fn(), onOpenSlip: vi.fn(), onSignedOut: vi.fn() });
    const banner = await screen.findByTestId(TestId.ProcessBanner);
    expect(banner.textContent).toContain(`Update a registered resident for the resident ${RESIDENT}`);
    expect(banner.textContent).toContain('Changes: Address');
    expect(screen.getByTestId(fieldInputId('region'))).toBeTruthy();
    expect(screen.queryByTestId(fieldInputId('fullName', 'eng'))).toBeNull();
    expect(screen.queryByTestId(fieldInputId('gender'))).toBeNull();

    // Sign off names only what the update lacks: the address's proof and the face.
    await goToStep(userEvent.setup(), 'review');
    const review = await screen.findByTestId(TestId.ReviewStep);
    await waitFor(() => expect(review.textContent).toContain('Still to do before sign-off'));
    await userEvent.setup().click(screen.getByTestId(TestId.OfficerSignOffOpen));
    await waitFor(() => expect(screen.getByTestId(wizardStepId('documents')).getAttribute('aria-current')).toBe('step'));
    expect(screen.queryByTestId(documentAttachedId('POI'))).toBeNull();
    expect(screen.getByTestId(TestId.DocumentsStep).textContent).toContain('Proof of address');
    expect(screen.getByTestId(TestId.DocumentsStep).textContent).not.toContain('Proof of identity');
    await goToStep(userEvent.setup(), 'biometrics');
    expect(await screen.findByTestId(captureStepId('face'))).toBeTruthy();
    expect(screen.queryByTestId(captureStepId('leftSlap'))).toBeNull();
  });

  test('in French, a lost card takes the whole form with nothing required and no ID number', async () => {
    setUiLanguage('fr');
    const station = new FakeStation().signIn('sara.officer');
    const { user, onOpenRegistration } = await startFromHome(station);
    await user.click(screen.getByTestId(processChoiceId('lost')));
    expect(screen.queryByTestId(TestId.StartProcessResidentId)).toBeNull();
    expect(screen.getByTestId(TestId.StartProcessDialog).textContent).toContain('Tout le formulaire est pris');
    await user.click(screen.getByTestId(TestId.StartProcessConfirm));
    await waitFor(() => expect(onOpenRegistration).toHaveBeenCalledOnce());

    cleanup();
    const registrationId = onOpenRegistration.mock.calls[0][0];
    await station.recordConsent(registrationId, true);
    renderScreen(station, RegistrationScreen, { registrationId, onDone: vi.fn(), onOpenSlip: vi.fn(), onSignedOut: vi.fn() });
    const banner = await screen.findByTestId(TestId.ProcessBanner);
    expect(banner.textContent?.trim()).toBe('Carte perdue : retrouver le résident');
    const form = screen.getByTestId(fieldInputId('fullName', 'eng')).closest('form')!;
    expect(form.textContent).not.toContain('obligatoire');
    await goToStep(userEvent.setup(), 'review');
    await userEvent.setup().click(await screen.findByTestId(TestId.OfficerSignOffOpen));
    // Nothing of the form is asked for: the first thing to do is elsewhere.
    await waitFor(() => expect(screen.getByTestId(wizardStepId('demographics')).getAttribute('aria-current')).not.toBe('step'));
    expect(screen.queryByTestId(fieldErrorId('fullName', 'eng'))).toBeNull();
  });

  test('in Arabic, a correction asks for the register’s request number and the banner names it', async () => {
    setUiLanguage('ar');
    const station = new FakeStation().signIn('sara.officer');
    const { user, dialog, onOpenRegistration } = await startFromHome(station);
    await user.click(screen.getByTestId(processChoiceId('correction')));
    expect(screen.queryByTestId(TestId.StartProcessResidentId)).toBeNull();
    const request = screen.getByTestId(TestId.StartProcessRequestId) as HTMLInputElement;
    expect(request.dir).toBe('ltr');
    await user.click(screen.getByTestId(processChangeId('contact')));

    // Nothing typed, then a number of the wrong shape: each said beside the field, nothing asked of the station.
    await user.click(screen.getByTestId(TestId.StartProcessConfirm));
    expect((await within(dialog).findByTestId(TestId.StartProcessRequestIdError)).textContent).toContain(
      'اكتب رقم طلب السجل',
    );
    await user.type(request, '10001100010000120261125094920');
    await user.click(screen.getByTestId(TestId.StartProcessConfirm));
    expect(within(dialog).getByTestId(TestId.StartProcessRequestIdError).textContent).toContain('تفصل بينها شرطات');
    expect(station.calls.some((call) => call.method === 'startRegistration')).toBe(false);

    await user.type(request, '-BIOMETRIC_CORRECTION-1');
    await user.click(screen.getByTestId(TestId.StartProcessConfirm));
    await waitFor(() => expect(onOpenRegistration).toHaveBeenCalledOnce());
    const started = station.calls.find((call) => call.method === 'startRegistration')!.args[0];
    expect(started).toMatchObject({
      process: 'correction',
      resident_id: null,
      request_id: '10001100010000120261125094920-BIOMETRIC_CORRECTION-1',
      changes: ['contact'],
    });

    cleanup();
    const registrationId = onOpenRegistration.mock.calls[0][0];
    await station.recordConsent(registrationId, true);
    renderScreen(station, RegistrationScreen, { registrationId, onDone: vi.fn(), onOpenSlip: vi.fn(), onSignedOut: vi.fn() });
    const banner = await screen.findByTestId(TestId.ProcessBanner);
    expect(banner.textContent?.replace(/[\u2068\u2069\u200e]/g, '')).toContain(
      'تصحيح تسجيل، ردًّا على طلب السجل 10001100010000120261125094920-BIOMETRIC_CORRECTION-1',
    );
  });
});
