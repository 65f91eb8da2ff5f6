// A clerk on the keyboard presses a button whose action takes a while (Capture, Scan, Attach):
// the button keeps the focus while the station works, said busy by `aria-disabled`, so that the
// next Tab goes on from it rather than from the top of the window (a disabled button drops the
// focus on the page: the end-to-end test `e2e/tests/app/keyboard/` found it in WebKit). A
// second press meanwhile does nothing; the other buttons wait, disabled.

import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';

import type { Notice } from '../../lib/backend/errors';
import type { WizardStep } from '../../lib/backend/types';
import {
  captureStepId,
  documentAttachedId,
  documentPagesReadyId,
  documentScanId,
  documentTypeId,
  stepAttemptsId,
  TestId,
} from '../../lib/testIds';
import { FakeStation } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import RegistrationScreen from './RegistrationScreen.svelte';

/** A draft of the officer's, open on `step`. */
async function openDraft(step: WizardStep) {
  const station = new FakeStation().signIn('sara.officer');
  const registrationId = (await station.newRegistration()).registration_id;
  await station.recordConsent(registrationId, true);
  await station.setWizardStep(registrationId, step);
  const onDone = vi.fn<(notice: Notice | null) => void>();
  const onOpenSlip = vi.fn<(registrationId: string, notice: Notice | null) => void>();
  renderScreen(station, RegistrationScreen, { registrationId, onDone, onOpenSlip, onSignedOut: vi.fn() });
  return { station, user: userEvent.setup() };
}

/** Holds the next call of `method` until the returned function is called. */
function hold<K extends 'captureBiometrics' | 'scanDocumentPage' | 'attachDocument'>(station: FakeStation, method: K) {
  let release = () => {};
  const original = (station[method] as (...args: unknown[]) => Promise<unknown>).bind(station);
  (station[method] as unknown) = async (...args: unknown[]) => {
    await new Promise<void>((resolve) => (release = resolve));
    return original(...args);
  };
  return () => release();
}

describe('a busy button keeps the keyboard’s focus', () => {
  test('Capture, pressed with Enter, keeps it while the device works, and ignores a second press', async () => {
    const { station, user } = await openDraft('biometrics');
    await screen.findByTestId(TestId.BiometricsStatus);
    const release = hold(station, 'captureBiometrics');
    const button = screen.getByTestId(captureStepId('thumbs')) as HTMLButtonElement;
    button.focus();
    await user.keyboard('{Enter}');

    await waitFor(() => expect(button.getAttribute('aria-busy')).toBe('true'));
    expect(button.disabled).toBe(false);
    expect(button.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(button);
    // The other steps wait.
    expect((screen.getByTestId(captureStepId('leftSlap')) as HTMLButtonElement).disabled).toBe(true);
    await user.keyboard('{Enter}');

    release();
    await waitFor(() => expect(screen.getByTestId(stepAttemptsId('thumbs')).getAttribute('data-attempts')).toBe('1'));
    await waitFor(() => expect(button.getAttribute('aria-disabled')).toBeNull());
    expect(document.activeElement).toBe(button);
    expect(station.calls.filter((c) => c.method === 'captureBiometrics')).toHaveLength(1);
  });

  test('Scan and Attach keep it while the station works', async () => {
    const { station, user } = await openDraft('documents');
    const type = await screen.findByTestId(documentTypeId('POI'));
    await waitFor(() => expect(type.querySelector('option[value="PASSPORT"]')).not.toBeNull());
    await user.selectOptions(type, 'PASSPORT');

    const releaseScan = hold(station, 'scanDocumentPage');
    const scan = (await screen.findByTestId(documentScanId('POI'))) as HTMLButtonElement;
    scan.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(scan.getAttribute('aria-busy')).toBe('true'));
    expect(scan.disabled).toBe(false);
    expect(scan.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(scan);
    releaseScan();
    await screen.findByTestId(documentPagesReadyId('POI'));
    expect(document.activeElement).toBe(scan);

    const releaseAttach = hold(station, 'attachDocument');
    const attach = scan.closest('form')!.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    attach.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(attach.getAttribute('aria-busy')).toBe('true'));
    expect(attach.disabled).toBe(false);
    expect(document.activeElement).toBe(attach);
    releaseAttach();
    await screen.findByTestId(documentAttachedId('POI'));
    expect(document.activeElement).toBe(attach);
  });
});
