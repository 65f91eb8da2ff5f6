// The live preview of a step over the fake station, from the keyboard: off until the clerk
// turns it on, frames shown as they come with the SIMULATED label, stopped when turned off,
// paused for a capture, stopped when the step leaves the screen, and a device that cannot
// stream said plainly, in each UI language.

import { screen, waitFor } from '@testing-library/svelte';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import type { DeviceListView, PolicyStep } from '../../lib/backend/types';
import { translate } from '../../lib/i18n/catalogues';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import {
  captureStepId,
  livePreviewFrameId,
  livePreviewSimulatedId,
  livePreviewStatusId,
  livePreviewToggleId,
  stepAttemptsId,
  TestId,
} from '../../lib/testIds';
import { FakeStation, SIMULATED_DEVICES } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import LivePreview from './LivePreview.svelte';
import RegistrationScreen from './RegistrationScreen.svelte';

// A Tauri channel needs the IPC internals to exist; the fake station delivers the messages.
beforeEach(() => mockIPC(() => undefined));
afterEach(() => {
  clearMocks();
  setUiLanguage('en');
});

const STEP: PolicyStep = 'leftSlap';
// Two tiny different images, so a test can tell the frames apart.
const FRAME_0 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgAB4iG8MwAAAABJRU5ErkJggg==';
const FRAME_1 = 'data:image/jpeg;base64,/9j/2Q==';

async function openPreview(station = new FakeStation()) {
  station.signIn('sara.officer');
  const registrationId = (await station.newRegistration()).registration_id;
  const rendered = renderScreen(station, LivePreview, { registrationId, step: STEP, paused: false });
  return { station, registrationId, rendered, user: userEvent.setup() };
}

const toggle = () => screen.getByTestId(livePreviewToggleId(STEP));
const status = () => screen.getByTestId(livePreviewStatusId(STEP));
const calls = (station: FakeStation, method: string) => station.calls.filter((c) => c.method === method);

async function turnOnFromTheKeyboard(user: UserEvent) {
  await user.tab();
  expect(document.activeElement, 'the toggle is the first stop').toBe(toggle());
  await user.keyboard('{Enter}');
}

describe('LivePreview', () => {
  test('is off until turned on, then shows each frame with the SIMULATED label, and stops when turned off', async () => {
    const { station, registrationId, user } = await openPreview();
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
    expect(status().dataset.state).toBe('off');
    expect(calls(station, 'startBiometricPreview')).toHaveLength(0);
    expect(station.sendPreview({ kind: 'frame', sequence: 0, data_url: FRAME_0 }), 'nothing streams yet').toBe(false);

    await turnOnFromTheKeyboard(user);
    expect(toggle().getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(calls(station, 'startBiometricPreview')).toHaveLength(1));
    expect(calls(station, 'startBiometricPreview')[0].args).toEqual([registrationId, STEP]);
    await waitFor(() => expect(status().dataset.state).toBe('live'));

    expect(station.sendPreview({ kind: 'frame', sequence: 0, data_url: FRAME_0 })).toBe(true);
    const frame = await screen.findByTestId(livePreviewFrameId(STEP));
    expect(frame.getAttribute('src')).toBe(FRAME_0);
    expect(frame.getAttribute('alt')).toContain(translate('en', 'biometrics.step.leftSlap'));
    expect(screen.getByTestId(livePreviewSimulatedId(STEP)).textContent).toBe(translate('en', 'device.simulated'));
    station.sendPreview({ kind: 'frame', sequence: 1, data_url: FRAME_1 });
    await waitFor(() => expect(screen.getByTestId(livePreviewFrameId(STEP)).getAttribute('src')).toBe(FRAME_1));

    await user.keyboard(' ');
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
    await waitFor(() => expect(calls(station, 'stopBiometricPreview')).toHaveLength(1));
    expect(screen.queryByTestId(livePreviewFrameId(STEP))).toBeNull();
    expect(status().dataset.state).toBe('off');
    expect(station.sendPreview({ kind: 'frame', sequence: 2, data_url: FRAME_0 }), 'the station stopped it').toBe(false);
  });

  test('a real device has no SIMULATED label', async () => {
    const real: DeviceListView = { ...SIMULATED_DEVICES[0], id: 'sbi:4501:1', backend: 'sbi', simulated: false, trust: 'verified' };
    const { station, user } = await openPreview(new FakeStation().useDevices([real]));
    await turnOnFromTheKeyboard(user);
    await waitFor(() => expect(status().dataset.state).toBe('live'));
    station.sendPreview({ kind: 'frame', sequence: 0, data_url: FRAME_0 });
    await screen.findByTestId(livePreviewFrameId(STEP));
    expect(screen.queryByTestId(livePreviewSimulatedId(STEP))).toBeNull();
  });

  test('a capture on the registration screen pauses it, and it comes back after', async () => {
    const station = new FakeStation();
    station.signIn('sara.officer');
    const registrationId = (await station.newRegistration()).registration_id;
    await station.recordConsent(registrationId, true);
    await station.setWizardStep(registrationId, 'biometrics');
    renderScreen(station, RegistrationScreen, { registrationId, onDone: () => undefined, onOpenSlip: () => undefined, onSignedOut: () => undefined });
    await screen.findByTestId(TestId.BiometricsStatus);
    const user = userEvent.setup();
    toggle().focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(status().dataset.state).toBe('live'));

    await user.click(screen.getByTestId(captureStepId(STEP)));
    await waitFor(() => expect(Number(screen.getByTestId(stepAttemptsId(STEP)).dataset.attempts)).toBe(1));
    // The station stopped the preview for the capture; the window asked for it again after.
    await waitFor(() => expect(calls(station, 'startBiometricPreview')).toHaveLength(2));
    const order = station.calls.map((c) => c.method).filter((m) => m !== 'biometricPreview' && m !== 'biometrics');
    expect(order.indexOf('captureBiometrics')).toBeLessThan(order.lastIndexOf('startBiometricPreview'));
    await waitFor(() => expect(status().dataset.state).toBe('live'));
    expect(station.sendPreview({ kind: 'frame', sequence: 0, data_url: FRAME_1 })).toBe(true);
    await waitFor(() => expect(screen.getByTestId(livePreviewFrameId(STEP)).getAttribute('src')).toBe(FRAME_1));
    expect(toggle().getAttribute('aria-pressed')).toBe('true');
    expect(calls(station, 'startBiometricPreview'), 'one restart, not a restart per refreshed view').toHaveLength(2);
  });

  test('stops when the step leaves the screen', async () => {
    const { station, rendered, user } = await openPreview();
    await turnOnFromTheKeyboard(user);
    await waitFor(() => expect(status().dataset.state).toBe('live'));
    rendered.unmount();
    await waitFor(() => expect(calls(station, 'stopBiometricPreview')).toHaveLength(1));
    expect(station.sendPreview({ kind: 'frame', sequence: 0, data_url: FRAME_0 })).toBe(false);
  });

  test('a device that cannot stream says so, and the toggle is off again', async () => {
    const { station, user } = await openPreview();
    await turnOnFromTheKeyboard(user);
    await waitFor(() => expect(status().dataset.state).toBe('live'));
    station.sendPreview({ kind: 'ended', error: { code: 'device_unsupported_step', params: {}, fields: [] } });
    await waitFor(() => expect(status().dataset.state).toBe('unavailable'));
    expect(status().textContent?.trim()).toBe(translate('en', 'livePreview.unavailable'));
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
  });

  test('no device for the step: unavailable, not an error', async () => {
    const { user } = await openPreview(new FakeStation().useDevices([]));
    await turnOnFromTheKeyboard(user);
    await waitFor(() => expect(status().dataset.state).toBe('unavailable'));
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
  });

  test('a device that fails mid-stream: the reason, in French and in Arabic', async () => {
    const { station, user } = await openPreview();
    await turnOnFromTheKeyboard(user);
    await waitFor(() => expect(status().dataset.state).toBe('live'));
    station.sendPreview({ kind: 'ended', error: { code: 'device_not_connected', params: {}, fields: [] } });
    await waitFor(() => expect(status().dataset.state).toBe('ended'));
    for (const language of ['fr', 'ar'] as const) {
      setUiLanguage(language);
      const reason = translate(language, 'error.device_not_connected');
      await waitFor(() =>
        expect(status().textContent?.trim()).toBe(translate(language, 'livePreview.failed', { reason })),
      );
      expect(toggle().textContent?.trim()).toBe(translate(language, 'livePreview.toggle'));
    }
    expect(document.documentElement.dir).toBe('rtl');
  });
});
