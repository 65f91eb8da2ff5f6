// The biometrics step of a draft over the fake station, driven from the keyboard as a clerk
// would: every step captured, poor captures kept with a supervisor's sign-off, exceptions with
// their reason and photo, the device shown for what it is, the window in French and Arabic, and
// Finalize stopped locally with the fingers and eyes to fix flagged.

import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';

import { BackendError, type Notice } from '../../lib/backend/errors';
import type { DeviceListView, PolicyStep, WizardStep } from '../../lib/backend/types';
import { translate } from '../../lib/i18n/catalogues';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import {
  biometricStepId,
  biometricTileId,
  captureStepId,
  fieldInputId,
  inputErrorId,
  signedOffById,
  signOffOpenId,
  stepAttemptsId,
  stepDeveloperModeId,
  stepErrorId,
  stepRefreshDevicesId,
  stepDeviceNameId,
  stepSimulatedBadgeId,
  TestId,
  tileErrorId,
  tileMarkExceptionId,
  tileQualityId,
  tileStateId,
  tileThumbnailId,
  tileUndoExceptionId,
} from '../../lib/testIds';
import { BIOMETRIC_STEPS, captureEveryStep } from '../../test/biometrics';
import { FakeStation, PASSWORD, SIMULATED_DEVICES, validationFailed, fieldError } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import { attachDocument, goToStep, signOff } from '../../test/wizard';
import RegistrationScreen from './RegistrationScreen.svelte';

afterEach(() => setUiLanguage('en'));

/** A draft of the officer's, open on the screen, with the biometrics loaded. */
async function openDraft(station = new FakeStation(), step: WizardStep = 'biometrics') {
  station.signIn('sara.officer');
  const registrationId = (await station.newRegistration()).registration_id;
  await station.recordConsent(registrationId, true);
  // The wizard reopens a draft on the step it was left at.
  await station.setWizardStep(registrationId, step);
  const onDone = vi.fn<(notice: Notice | null) => void>();
  // Finalize ends on the acknowledgement slip.
  const onOpenSlip = vi.fn<(registrationId: string, notice: Notice | null) => void>();
  const onSignedOut = vi.fn();
  renderScreen(station, RegistrationScreen, { registrationId, onDone, onOpenSlip, onSignedOut });
  await screen.findByTestId(step === 'biometrics' ? TestId.BiometricsStatus : TestId.WizardSteps);
  return { station, registrationId, onDone, onOpenSlip, onSignedOut, user: userEvent.setup() };
}

const text = (testId: string) => screen.getByTestId(testId).textContent?.replace(/\s+/g, ' ').trim();
const attempts = (step: PolicyStep) => Number(screen.getByTestId(stepAttemptsId(step)).getAttribute('data-attempts'));

/** Presses Tab until `testId` has the focus (a keyboard user's way there), failing if it never does. */
async function tabTo(user: UserEvent, testId: string, limit = 40) {
  const target = () => screen.getByTestId(testId);
  for (let i = 0; i < limit && document.activeElement !== target(); i += 1) await user.tab();
  expect(document.activeElement, `Tab reaches ${testId}`).toBe(target());
}

/** One attempt at `step` by keyboard: Tab to its Capture button, Enter, wait for the count. */
async function captureByKeyboard(user: UserEvent, step: PolicyStep) {
  const before = attempts(step);
  await tabTo(user, captureStepId(step));
  await user.keyboard('{Enter}');
  await waitFor(() => expect(attempts(step)).toBe(before + 1));
}

describe('capture', () => {
  test('every step is captured by keyboard alone, with thumbnails, quality against the threshold and the attempt counter', async () => {
    const { station, user } = await openDraft();
    expect(text(TestId.BiometricsStatus)).toBe('Still to capture: the steps not marked done');
    expect(text(stepAttemptsId('leftSlap'))).toBe('Not captured yet: 3 attempts before a supervisor may sign off');

    for (const step of BIOMETRIC_STEPS) await captureByKeyboard(user, step);

    await waitFor(() => expect(screen.getByTestId(TestId.BiometricsStatus).getAttribute('data-complete')).toBe('true'));
    expect(text(TestId.BiometricsStatus)).toBe(
      'The face is captured, and every finger and iris captured or recorded as an exception',
    );
    expect(text(stepAttemptsId('thumbs'))).toBe('Attempt 1 of 3');
    expect(text(tileQualityId('leftIndex'))).toBe('85 / threshold 40');
    expect(text(tileQualityId('rightIris'))).toBe('85 / threshold 60');
    expect(text(tileStateId('rightLittle'))).toBe('Captured');
    await screen.findByTestId(tileThumbnailId('leftThumb'));
    expect(screen.getByTestId(biometricTileId('leftIris')).getAttribute('data-position')).toBe('leftIris');
    expect(station.calls.filter((c) => c.method === 'captureBiometrics').map((c) => c.args[1])).toEqual(BIOMETRIC_STEPS);
    // The face is a step like the others, against its own threshold, and never an exception.
    expect(screen.getByTestId(biometricStepId('face'))).toBeTruthy();
    expect(text(tileQualityId('face'))).toBe('95 / threshold 90');
    await screen.findByTestId(tileThumbnailId('face'));
    expect(screen.queryByTestId(tileMarkExceptionId('face'))).toBeNull();
  });

  test('while the device works the step says "Capturing…" and is busy, and the last capture stays shown', async () => {
    const { station, user } = await openDraft();
    await captureByKeyboard(user, 'thumbs');
    await screen.findByTestId(tileThumbnailId('leftThumb'));
    let release = () => {};
    const capture = station.captureBiometrics.bind(station);
    station.captureBiometrics = async (...args) => {
      await new Promise<void>((resolve) => (release = resolve));
      return capture(...args);
    };

    await user.click(screen.getByTestId(captureStepId('thumbs')));
    const button = screen.getByTestId(captureStepId('thumbs')) as HTMLButtonElement;
    expect(button.textContent).toContain('Capturing…');
    expect(button.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByTestId(biometricStepId('thumbs')).getAttribute('aria-busy')).toBe('true');
    expect(screen.getByTestId(tileThumbnailId('leftThumb'))).toBeTruthy();
    // One call at a time: the other steps wait too.
    expect((screen.getByTestId(captureStepId('leftSlap')) as HTMLButtonElement).disabled).toBe(true);

    release();
    await waitFor(() => expect(text(stepAttemptsId('thumbs'))).toBe('Attempt 2 of 3'));
    expect(screen.getByTestId(biometricStepId('thumbs')).getAttribute('aria-busy')).toBe('false');
  });

  test('a captured finger whose image is still loading says so, never "No capture yet"', async () => {
    const { station, user } = await openDraft();
    // Every image waits until released (both thumbs ask for theirs).
    const waiting: (() => void)[] = [];
    const release = () => waiting.splice(0).forEach((resolve) => resolve());
    const preview = station.biometricPreview.bind(station);
    station.biometricPreview = async (...args) => {
      await new Promise<void>((resolve) => waiting.push(resolve));
      return preview(...args);
    };
    await captureByKeyboard(user, 'thumbs');
    await waitFor(() => expect(text(tileStateId('leftThumb'))).toBe('Captured'));
    const tile = screen.getByTestId(biometricTileId('leftThumb'));
    expect(tile.textContent).toContain('Loading the image…');
    expect(tile.textContent).not.toContain('No capture yet');
    expect(screen.queryByTestId(tileThumbnailId('leftThumb'))).toBeNull();

    station.biometricPreview = preview;
    release();
    await screen.findByTestId(tileThumbnailId('leftThumb'));
    expect(screen.getByTestId(biometricTileId('leftThumb')).textContent).not.toContain('Loading the image…');
  });

  test('a taken exception photo whose image is still loading says so, never "No capture yet"', async () => {
    const { station, user } = await openDraft();
    await user.click(screen.getByTestId(tileMarkExceptionId('leftRing')));
    await screen.findByTestId(TestId.ExceptionDialog);
    await user.type(screen.getByTestId(TestId.ExceptionReason), 'Bandaged after an injury');
    await user.click(screen.getByTestId(TestId.ExceptionConfirm));
    await waitFor(() => expect(screen.queryByTestId(TestId.ExceptionDialog)).toBeNull());
    const waiting: (() => void)[] = [];
    const preview = station.biometricPreview.bind(station);
    station.biometricPreview = async (...args) => {
      await new Promise<void>((resolve) => waiting.push(resolve));
      return preview(...args);
    };
    await user.click(screen.getByTestId(TestId.CaptureExceptionPhoto));
    await waitFor(() => expect(text(TestId.CaptureExceptionPhoto)).toBe('Take it again'));
    const photo = screen.getByTestId(TestId.ExceptionPhotoCard);
    expect(photo.textContent).toContain('Loading the image…');
    expect(photo.textContent).not.toContain('No capture yet');

    station.biometricPreview = preview;
    waiting.splice(0).forEach((resolve) => resolve());
    await screen.findByTestId(TestId.ExceptionPhotoPreview);
    expect(screen.getByTestId(TestId.ExceptionPhotoCard).textContent).not.toContain('Loading the image…');
  });

  test("a device's failure is said at its step, in words", async () => {
    const { station, user } = await openDraft();
    station.failNext('captureBiometrics', new BackendError('device_busy'));
    await user.click(screen.getByTestId(captureStepId('rightSlap')));
    expect((await screen.findByTestId(stepErrorId('rightSlap'))).textContent).toBe(
      'The device is busy with another capture. Wait a moment, then capture again.',
    );
    expect(attempts('rightSlap')).toBe(0);
    await user.click(screen.getByTestId(captureStepId('rightSlap')));
    await waitFor(() => expect(screen.queryByTestId(stepErrorId('rightSlap'))).toBeNull());
    expect(attempts('rightSlap')).toBe(1);
  });
});

describe('devices', () => {
  test('each step names its device, with the SIMULATED badge', async () => {
    await openDraft();
    for (const step of BIOMETRIC_STEPS) expect(text(stepSimulatedBadgeId(step))).toBe('SIMULATED DEVICE');
    // A simulator is named by its kind in the window's language; its make and model are in
    // the tooltip.
    const irisCamera = screen.getByTestId(stepDeviceNameId('bothIrises'));
    expect(irisCamera.textContent?.trim()).toBe('Device: simulated iris camera (both eyes)');
    expect(irisCamera.getAttribute('title')).toBe('Enroll Simulated iris camera');
    expect(screen.queryByTestId(stepDeveloperModeId('leftSlap'))).toBeNull();
  });

  test('a device accepted in developer mode is marked so, and a step no device can take cannot be captured', async () => {
    const scanner: DeviceListView = {
      ...SIMULATED_DEVICES[0],
      id: 'sbi-4570',
      backend: 'sbi',
      make: 'Acme',
      model: 'Slap 10',
      simulated: false,
      trust: 'developerMode',
    };
    const face = SIMULATED_DEVICES.find((d) => d.kind === 'face')!;
    await openDraft(new FakeStation().useDevices([scanner, face]));

    expect(text(stepDeveloperModeId('leftSlap'))).toBe('DEVELOPER MODE: device not verified');
    expect(screen.queryByTestId(stepSimulatedBadgeId('leftSlap'))).toBeNull();
    expect(text(stepDeviceNameId('thumbs'))).toBe('Device: Acme Slap 10');
    const irises = screen.getByTestId(biometricStepId('bothIrises'));
    expect(within(irises).getByText(/No device can take this capture/)).toBeTruthy();
    expect((screen.getByTestId(captureStepId('bothIrises')) as HTMLButtonElement).disabled).toBe(true);
  });

  test('captures kept from a simulated device stay marked once a real scanner takes the step', async () => {
    // No iris camera yet: its step offers to look for devices again.
    const station = new FakeStation().useDevices(SIMULATED_DEVICES.filter((d) => d.kind !== 'irisDouble'));
    const { user } = await openDraft(station);
    await captureByKeyboard(user, 'thumbs');
    expect(within(screen.getByTestId(biometricTileId('leftThumb'))).queryByText('SIMULATED DEVICE')).toBeNull();

    station.useDevices([{ ...SIMULATED_DEVICES[0], id: 'usb-1', backend: 'usb', make: 'Acme', model: 'Slap 10', simulated: false }]);
    await user.click(screen.getByTestId(stepRefreshDevicesId('bothIrises')));
    await waitFor(() => expect(screen.queryByTestId(stepSimulatedBadgeId('thumbs'))).toBeNull());
    expect(within(screen.getByTestId(biometricTileId('leftThumb'))).getByText('SIMULATED DEVICE')).toBeTruthy();
  });

  test('once the iris camera is plugged in, looking for devices again lets the step be captured', async () => {
    const station = new FakeStation().useDevices(SIMULATED_DEVICES.filter((d) => d.kind !== 'irisDouble'));
    const { user } = await openDraft(station);
    expect((screen.getByTestId(captureStepId('bothIrises')) as HTMLButtonElement).disabled).toBe(true);

    station.useDevices([...SIMULATED_DEVICES]);
    await user.click(screen.getByTestId(stepRefreshDevicesId('bothIrises')));

    await waitFor(() => expect((screen.getByTestId(captureStepId('bothIrises')) as HTMLButtonElement).disabled).toBe(false));
    expect(screen.queryByTestId(stepRefreshDevicesId('bothIrises'))).toBeNull();
    expect(station.calls.map((c) => c.method)).toContain('refreshDevices');
  });

  test('biometrics that cannot be loaded say why in their card, with Try again', async () => {
    const station = new FakeStation().failNext('biometrics', new BackendError('vault_io'));
    station.signIn('sara.officer');
    const registrationId = (await station.newRegistration()).registration_id;
    await station.recordConsent(registrationId, true);
    await station.setWizardStep(registrationId, 'biometrics');
    renderScreen(station, RegistrationScreen, { registrationId, onDone: vi.fn(), onOpenSlip: vi.fn(), onSignedOut: vi.fn() });

    const failure = await screen.findByTestId(TestId.BiometricsLoadError);
    expect(failure.textContent).toContain('A file of the station’s vault could not be read or written');
    await userEvent.setup().click(within(failure).getByRole('button', { name: 'Try again' }));
    await screen.findByTestId(TestId.BiometricsStatus);
    expect(screen.queryByTestId(TestId.BiometricsLoadError)).toBeNull();
  });
});

describe('poor captures and the supervisor sign-off', () => {
  async function threePoorAttempts() {
    const station = new FakeStation().queueQualities('leftSlap', [30, 50, 20, 60], [38, 45, 25, 60], [35, 41, 39, 70]);
    const opened = await openDraft(station);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(screen.queryByTestId(signOffOpenId('leftSlap'))).toBeNull();
      await captureByKeyboard(opened.user, 'leftSlap');
      expect(text(stepAttemptsId('leftSlap'))).toBe(`Attempt ${attempt} of 3`);
    }
    return opened;
  }

  test('after three poor attempts the best capture per finger is kept, and a supervisor signs the step off', async () => {
    const { station, user } = await threePoorAttempts();
    // The best of each finger across the attempts: 38, 50, 39, 70.
    expect(text(tileQualityId('leftIndex'))).toBe('38 / threshold 40');
    expect(screen.getByTestId(tileQualityId('leftIndex')).getAttribute('data-meets')).toBe('false');
    expect(text(tileStateId('leftIndex'))).toBe('Below threshold');
    expect(text(tileQualityId('leftMiddle'))).toBe('50 / threshold 40');
    expect(text(tileStateId('leftMiddle'))).toBe('Captured');
    expect(text(tileQualityId('leftRing'))).toBe('39 / threshold 40');

    // Open the sign-off from the keyboard; Escape closes it and gives the focus back.
    await tabTo(user, signOffOpenId('leftSlap'));
    await user.keyboard('{Enter}');
    const dialog = await screen.findByTestId(TestId.SignOffDialog);
    expect(within(dialog).getByRole('heading').textContent).toBe('Supervisor sign-off: Left hand, four fingers');
    expect(document.activeElement).toBe(screen.getByTestId(TestId.SignOffUsername));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId(TestId.SignOffDialog)).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(signOffOpenId('leftSlap'))));

    await user.keyboard(' ');
    await screen.findByTestId(TestId.SignOffDialog);
    // Tab stays inside the dialog: from its last button back to its first field.
    await tabTo(user, TestId.SignOffCancel, 5);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId(TestId.SignOffUsername));

    // Empty: refused here, the station is not asked.
    await user.keyboard('{Enter}');
    expect(text(TestId.SignOffError)).toBe('Enter the supervisor’s username and password');
    expect(station.calls.some((c) => c.method === 'forceCapture')).toBe(false);

    // A wrong password: the station's sentence, the password cleared for another try.
    await user.type(screen.getByTestId(TestId.SignOffUsername), 'karim.supervisor');
    await user.type(screen.getByTestId(TestId.SignOffPassword), 'not the password{Enter}');
    await waitFor(() => expect(text(TestId.SignOffError)).toBe('Wrong username or password. Check both and try again.'));
    expect((screen.getByTestId(TestId.SignOffPassword) as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(screen.getByTestId(TestId.SignOffPassword));

    // The clerk cannot sign off their own capture.
    await user.clear(screen.getByTestId(TestId.SignOffUsername));
    await user.type(screen.getByTestId(TestId.SignOffUsername), 'sara.officer');
    await user.type(screen.getByTestId(TestId.SignOffPassword), `${PASSWORD}{Enter}`);
    await waitFor(() =>
      expect(text(TestId.SignOffError)).toBe('A force capture needs the sign-off of a supervisor other than you.'),
    );

    await user.clear(screen.getByTestId(TestId.SignOffUsername));
    await user.type(screen.getByTestId(TestId.SignOffUsername), 'karim.supervisor');
    await user.type(screen.getByTestId(TestId.SignOffPassword), `${PASSWORD}{Enter}`);

    await waitFor(() => expect(screen.queryByTestId(TestId.SignOffDialog)).toBeNull());
    expect(text(signedOffById('leftSlap'))).toBe('Signed off by karim.supervisor');
    expect(text(tileStateId('leftIndex'))).toBe('Below threshold, kept with sign-off');
    expect(screen.getByTestId(biometricStepId('leftSlap')).getAttribute('data-done')).toBe('true');
    expect(screen.queryByTestId(signOffOpenId('leftSlap'))).toBeNull();
    // The button that opened the dialog is gone: the focus lands on the step's heading.
    await waitFor(() => expect(document.activeElement?.id).toBe(`${biometricStepId('leftSlap')}-heading`));
    // The supervisor's password never reaches what the fake records.
    expect(station.calls.filter((c) => c.method === 'forceCapture').every((c) => !c.args.includes(PASSWORD))).toBe(true);

    // Another attempt withdraws the sign-off: it was given for other captures.
    station.queueQualities('leftSlap', 10);
    await captureByKeyboard(user, 'leftSlap');
    expect(screen.queryByTestId(signedOffById('leftSlap'))).toBeNull();
    expect(text(tileStateId('leftIndex'))).toBe('Below threshold');
    expect(screen.getByTestId(signOffOpenId('leftSlap'))).toBeTruthy();
  });
});

describe('exceptions', () => {
  test('a finger recorded as an exception needs a reason and a photo; undoing it asks for the finger again', async () => {
    const { station, user } = await openDraft();

    await tabTo(user, tileMarkExceptionId('leftRing'));
    await user.keyboard('{Enter}');
    const dialog = await screen.findByTestId(TestId.ExceptionDialog);
    expect(within(dialog).getByRole('heading').textContent).toBe('Exception: Left ring finger');

    // No reason: refused in the window, the station is not asked.
    await user.click(screen.getByTestId(TestId.ExceptionConfirm));
    expect(text(inputErrorId(TestId.ExceptionReason))).toBe('Give the reason for the exception');
    expect(document.activeElement).toBe(screen.getByTestId(TestId.ExceptionReason));
    await user.type(screen.getByTestId(TestId.ExceptionReason), '   ');
    await user.click(screen.getByTestId(TestId.ExceptionConfirm));
    expect(text(inputErrorId(TestId.ExceptionReason))).toBe('Give the reason for the exception');
    expect(station.calls.some((c) => c.method === 'markBiometricException')).toBe(false);

    await user.click(screen.getByTestId(TestId.ExceptionKindUnusable));
    await user.clear(screen.getByTestId(TestId.ExceptionReason));
    await user.type(screen.getByTestId(TestId.ExceptionReason), 'Bandaged after an injury');
    await user.click(screen.getByTestId(TestId.ExceptionConfirm));

    await waitFor(() => expect(screen.queryByTestId(TestId.ExceptionDialog)).toBeNull());
    expect(text(tileStateId('leftRing'))).toBe('Exception (unusable): Bandaged after an injury');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(tileUndoExceptionId('leftRing'))));
    expect(station.calls.find((c) => c.method === 'markBiometricException')?.args.slice(1)).toEqual([
      'leftRing',
      'unusable',
      'Bandaged after an injury',
    ]);

    // The rest captured, only the exception photo is missing.
    await captureEveryStep(user);
    expect(screen.getByTestId(TestId.BiometricsStatus).getAttribute('data-complete')).toBe('false');
    const photo = screen.getByTestId(TestId.ExceptionPhotoCard);
    expect(within(photo).getByText(/Take a photo that documents it/)).toBeTruthy();
    // The device was not asked for the excepted finger.
    expect(screen.queryByTestId(tileQualityId('leftRing'))).toBeNull();

    await tabTo(user, TestId.CaptureExceptionPhoto);
    await user.keyboard('{Enter}');
    await screen.findByTestId(TestId.ExceptionPhotoPreview);
    expect(text(TestId.CaptureExceptionPhoto)).toBe('Take it again');
    await waitFor(() => expect(screen.getByTestId(TestId.BiometricsStatus).getAttribute('data-complete')).toBe('true'));

    // Undo: the finger is needed again, and the photo goes with the last exception.
    await user.click(screen.getByTestId(tileUndoExceptionId('leftRing')));
    await waitFor(() => expect(text(tileStateId('leftRing'))).toBe('Not captured'));
    expect(screen.queryByTestId(TestId.ExceptionPhotoCard)).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(tileMarkExceptionId('leftRing'))));
  });

  test('Cancel and Escape close the exception dialog without recording anything, back on the same button', async () => {
    const { station, user } = await openDraft();
    await tabTo(user, tileMarkExceptionId('rightIris'));
    await user.keyboard('{Enter}');
    await screen.findByTestId(TestId.ExceptionDialog);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId(TestId.ExceptionDialog)).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(tileMarkExceptionId('rightIris'))));
    await user.keyboard('{Enter}');
    await screen.findByTestId(TestId.ExceptionDialog);
    // The caret starts on the kind; Shift+Tab from there wraps to Cancel, Tab wraps back.
    expect(document.activeElement).toBe(screen.getByTestId(TestId.ExceptionKindMissing));
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByTestId(TestId.ExceptionCancel));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId(TestId.ExceptionKindMissing));
    await user.click(screen.getByTestId(TestId.ExceptionCancel));
    await waitFor(() => expect(screen.queryByTestId(TestId.ExceptionDialog)).toBeNull());
    expect(station.calls.some((c) => c.method === 'markBiometricException')).toBe(false);
  });
});

describe('languages', () => {
  /** No catalogue key and no English left in the biometrics card. */
  function expectNoEnglish() {
    const card = screen.getByTestId(TestId.BiometricsSection).textContent ?? '';
    expect(card).not.toMatch(/biometrics\.|device\.|unit\./);
    // The device's make and model are the device's own words, not the window's.
    for (const english of ['Capture again', 'threshold', 'Attempt', 'finger', 'Mark exception', 'SIMULATED', 'Simulated', 'Not captured', 'Device:']) {
      expect(card, english).not.toContain(english);
    }
  }

  test('in French, steps, fingers, counters and device errors are in French', async () => {
    setUiLanguage('fr');
    const { station, user } = await openDraft();
    expect(within(screen.getByTestId(biometricStepId('leftSlap'))).getByRole('heading', { level: 3 }).textContent).toContain(
      'Main gauche, quatre doigts',
    );
    expect(within(screen.getByTestId(biometricTileId('leftIndex'))).getByText('Index gauche')).toBeTruthy();
    expect(text(stepAttemptsId('thumbs'))).toBe('Pas encore capturé : 3 tentatives avant qu’un superviseur puisse valider');
    expect(text(stepSimulatedBadgeId('thumbs'))).toBe('APPAREIL SIMULÉ');
    expect(text(stepDeviceNameId('thumbs'))).toBe('Appareil : lecteur d’empreintes quatre doigts simulé');
    expect(text(stepDeviceNameId('face'))).toBe('Appareil : caméra visage simulée');
    expectNoEnglish();

    await user.click(screen.getByTestId(captureStepId('thumbs')));
    await waitFor(() => expect(text(stepAttemptsId('thumbs'))).toBe('Tentative 1 sur 3'));
    expect(text(tileQualityId('rightThumb'))).toBe('85 / seuil 40');
    station.failNext('captureBiometrics', new BackendError('capture_timeout'));
    await user.click(screen.getByTestId(captureStepId('bothIrises')));
    expect((await screen.findByTestId(stepErrorId('bothIrises'))).textContent).toBe(
      translate('fr', 'error.capture_timeout'),
    );
    expectNoEnglish();
  });

  test('in Arabic, the card is in Arabic and laid out right to left', async () => {
    setUiLanguage('ar');
    const { user } = await openDraft();
    expect(document.documentElement.dir).toBe('rtl');
    expect(within(screen.getByTestId(biometricTileId('leftIndex'))).getByText('سبابة اليد اليسرى')).toBeTruthy();
    expect(within(screen.getByTestId(biometricTileId('rightLittle'))).getByText('خنصر اليد اليمنى')).toBeTruthy();
    expect(within(screen.getByTestId(biometricTileId('leftIris'))).getByText('القزحية اليسرى')).toBeTruthy();
    expect(text(stepAttemptsId('leftSlap'))).toBe('لم يُلتقط بعد: 3 محاولات قبل أن يتمكّن مشرف من الموافقة');
    await user.click(screen.getByTestId(captureStepId('bothIrises')));
    await waitFor(() => expect(text(stepAttemptsId('bothIrises'))).toBe('المحاولة 1 من 3'));
    expect(text(tileQualityId('leftIris'))).toBe('85 / الحد الأدنى 60');
    expect(text(tileStateId('leftIris'))).toBe('ملتقط');
    expect(text(stepDeviceNameId('bothIrises'))).toBe('الجهاز: كاميرا قزحية مُحاكاة (العينان)');
    expectNoEnglish();
  });
});

describe('finalize', () => {
  /** Every step but the biometrics done, and the face taken: on the biometrics step. */
  async function fillFormAndFace(user: UserEvent) {
    await user.type(screen.getByTestId(fieldInputId('fullName', 'eng')), 'Amina Idrissi');
    await user.type(screen.getByTestId(fieldInputId('fullName', 'ara')), 'أمينة الإدريسي');
    await user.type(screen.getByTestId(fieldInputId('dateOfBirth')), '1990/02/28');
    await user.selectOptions(screen.getByTestId(fieldInputId('gender')), 'FLE');
    await goToStep(user, 'documents');
    await attachDocument(user);
    await goToStep(user, 'biometrics');
    await user.click(await screen.findByTestId(captureStepId('face')));
    await waitFor(() => expect(attempts('face')).toBe(1));
  }

  test('Finalize with biometrics to do flags each finger and eye, without asking the station', async () => {
    const station = new FakeStation().queueQualities('thumbs', [20, 90]);
    const { onDone, user } = await openDraft(station, 'demographics');
    await fillFormAndFace(user);
    await user.click(screen.getByTestId(captureStepId('thumbs')));
    await waitFor(() => expect(attempts('thumbs')).toBe(1));
    await user.click(screen.getByTestId(tileMarkExceptionId('rightIris')));
    await user.type(await screen.findByTestId(TestId.ExceptionReason), 'Prosthetic eye{Enter}');
    await waitFor(() => expect(text(tileStateId('rightIris'))).toContain('Prosthetic eye'));

    await goToStep(user, 'review');
    await user.click(screen.getByTestId(TestId.OfficerSignOffOpen));

    expect(await screen.findByTestId(tileErrorId('leftIndex'))).toBeTruthy();
    expect(text(tileErrorId('leftIndex'))).toBe('Capture this before finalizing, or record it as an exception');
    expect(text(tileErrorId('leftThumb'))).toBe(
      'Below the threshold: capture again, record an exception, or ask a supervisor to sign off',
    );
    expect(screen.queryByTestId(tileErrorId('rightThumb'))).toBeNull();
    expect(screen.queryByTestId(tileErrorId('rightIris'))).toBeNull();
    expect(text(TestId.ExceptionPhotoError)).toBe('Take the exception photo before finalizing');
    expect(screen.getByTestId(biometricTileId('leftIndex')).getAttribute('data-invalid')).toBe('true');
    expect(screen.getByTestId(TestId.Banner).textContent).toContain('Some fields need attention');
    // The form is right, so the caret goes to the first finger to fix.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(biometricTileId('leftIndex'))));
    expect(station.calls.map((c) => c.method)).not.toContain('finalize');
    expect(onDone).not.toHaveBeenCalled();

    // A flag goes as soon as its finger is fixed.
    await user.click(screen.getByTestId(captureStepId('leftSlap')));
    await waitFor(() => expect(screen.queryByTestId(tileErrorId('leftIndex'))).toBeNull());
    expect(screen.getByTestId(tileErrorId('leftThumb'))).toBeTruthy();
  });

  test("the station's own biometrics problems show on the tiles they name", async () => {
    const { station, registrationId, onOpenSlip, user } = await openDraft(undefined, 'demographics');
    await fillFormAndFace(user);
    await captureEveryStep(user);
    // A station with a stricter policy than the view said: its answer is the authority.
    station.failNext('finalize', validationFailed([fieldError('biometrics.rightIris', null, 'below_threshold')]));
    await signOff(user);
    // Back on the biometrics step, the tile flagged.
    expect((await screen.findByTestId(tileErrorId('rightIris'))).textContent).toContain('Below the threshold');
    expect(screen.getByTestId(TestId.Banner).textContent).not.toContain('biometrics.');
    expect(onOpenSlip).not.toHaveBeenCalled();

    await signOff(user);
    await waitFor(() => expect(onOpenSlip).toHaveBeenCalledOnce());
    expect(station.stateOf(registrationId)).toBe('pending_approval');
  });
});
