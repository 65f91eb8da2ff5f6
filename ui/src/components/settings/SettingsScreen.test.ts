// The settings screen over a fake station that applies the station's rules: an admin moves the
// intake address (a plain-HTTP address elsewhere is refused next to the field), an officer
// reads it and cannot change it, the device panel lists what the station found and looks
// again, and the interface language changes at once, is kept at the station, and follows the
// operator to their next sign-in in the whole window.

import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import App from '../../App.svelte';
import { BackendError } from '../../lib/backend/errors';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { inputErrorId, qualityThresholdId, TestId, uiLanguageChoiceId } from '../../lib/testIds';
import { FakeStation, PASSWORD } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import SettingsScreen from './SettingsScreen.svelte';

// The window's home screen watches the sync on a Tauri channel, which needs the IPC internals.
beforeEach(() => mockIPC(() => undefined));
afterEach(() => {
  clearMocks();
  setUiLanguage('en');
});

async function showSettings(station: FakeStation) {
  const onBack = vi.fn();
  const onSignedOut = vi.fn();
  renderScreen(station, SettingsScreen, { onBack, onSignedOut });
  await screen.findByTestId(TestId.SettingsScreen);
  return { onBack, onSignedOut, user: userEvent.setup() };
}

describe('the settings', () => {
  test('an admin moves the intake address; http:// to another machine is refused next to the field', async () => {
    const station = new FakeStation().signIn('admin');
    const { user } = await showSettings(station);
    const field = (await screen.findByTestId(TestId.SettingsIntakeUrl)) as HTMLInputElement;
    expect(field.value).toBe('http://127.0.0.1:8470');

    await user.clear(field);
    await user.type(field, 'http://intake.register.example');
    await user.click(screen.getByTestId(TestId.SettingsIntakeSave));
    const problem = await screen.findByTestId(inputErrorId(TestId.SettingsIntakeUrl));
    // The addresses are isolated from the sentence's direction (U+2068, U+200E, U+2069).
    expect(problem.textContent?.replace(/[\u2068\u2069\u200e]/g, '')).toContain(
      'An intake on another machine is reached over https://; http://127.0.0.1 is for this machine only',
    );
    expect(field.dir).toBe('ltr');
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect((await station.status()).intake_url).toBe('http://127.0.0.1:8470');

    await user.clear(field);
    await user.type(field, 'https://intake.register.example{Enter}');
    expect((await screen.findByTestId(TestId.SettingsIntakeOutcome)).textContent).toContain(
      'Address saved. The next upload goes there.',
    );
    expect(screen.queryByTestId(inputErrorId(TestId.SettingsIntakeUrl))).toBeNull();
    expect((await station.status()).intake_url).toBe('https://intake.register.example');
  });

  test('an officer reads the address without a field; the devices are listed and looked for again', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const { user, onBack } = await showSettings(station);
    const intake = screen.getByTestId(TestId.SettingsIntake);
    await within(intake).findByText('Only an administrator changes the intake address.');
    expect(within(intake).queryByRole('textbox')).toBeNull();
    expect(screen.getByTestId(TestId.SettingsIntakeUrl).textContent).toBe('http://127.0.0.1:8470');

    const devices = screen.getByTestId(TestId.SettingsDevices);
    const face = await waitFor(() => {
      const row = devices.querySelector('[data-device="simulated-face"]');
      expect(row).not.toBeNull();
      return row as HTMLElement;
    });
    expect(face.textContent).toContain('Face camera');
    expect(face.textContent).toContain('(simulated)');
    expect(face.textContent).toContain('SIM-0001');
    expect(face.textContent).toContain('Ready');
    expect(devices.querySelectorAll('tbody tr')).toHaveLength(3);

    await user.click(screen.getByTestId(TestId.SettingsDevicesRefresh));
    await waitFor(() => expect(station.calls.some((call) => call.method === 'refreshDevices')).toBe(true));
    await user.click(screen.getByTestId(TestId.SettingsBack));
    expect(onBack).toHaveBeenCalledOnce();
  });

  test('an interface language is applied at once and kept at the station for the operator', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const { user } = await showSettings(station);
    await user.click(screen.getByTestId(uiLanguageChoiceId('fr')));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Paramètres');
    expect((await screen.findByTestId(TestId.SettingsLanguageOutcome)).textContent).toContain(
      'le poste s’ouvrira dans cette langue à votre prochaine connexion',
    );
    expect((await station.status()).ui_language).toBe('fr');

    await user.click(screen.getByTestId(uiLanguageChoiceId('ar')));
    expect(document.documentElement.dir).toBe('rtl');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('الإعدادات');
    expect((await station.status()).ui_language).toBe('ar');
  });

  test('the station refusing the choice puts the language back and says why', async () => {
    const station = new FakeStation().signIn('sara.officer').failNext('setUiLanguage', new BackendError('disk_full'));
    const { user } = await showSettings(station);
    await user.click(screen.getByTestId(uiLanguageChoiceId('fr')));
    expect((await screen.findByTestId(TestId.SettingsLanguageOutcome)).textContent).toContain('The disk is full');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Settings');
    expect((screen.getByTestId(uiLanguageChoiceId('en')) as HTMLInputElement).checked).toBe(true);
    expect((await station.status()).ui_language).toBeNull();
  });
});

describe('the window', () => {
  test('an operator who chose Arabic gets it at sign-in; a language chosen on the sign-in screen becomes the operator’s', async () => {
    const station = new FakeStation();
    render(App, { props: { backend: station } });
    const user = userEvent.setup();

    await screen.findByTestId(TestId.LoginScreen);
    await user.type(screen.getByTestId(TestId.LoginUsername), 'sara.officer');
    await user.type(screen.getByTestId(TestId.LoginPassword), `${PASSWORD}{Enter}`);
    await screen.findByTestId(TestId.HomeScreen);
    // Chosen in the top bar while signed in: kept for her.
    await user.selectOptions(screen.getByTestId(TestId.LanguageSelect), 'ar');
    await waitFor(async () => expect((await station.status()).ui_language).toBe('ar'));
    await user.click(screen.getByTestId(TestId.LogOutButton));
    await screen.findByTestId(TestId.LoginScreen);

    // At the sign-in screen the supervisor switches the window to English and signs in: what
    // he just chose is his from now on.
    await user.selectOptions(screen.getByTestId(TestId.LanguageSelect), 'en');
    expect(document.documentElement.dir).toBe('ltr');
    await user.type(screen.getByTestId(TestId.LoginUsername), 'karim.supervisor');
    await user.type(screen.getByTestId(TestId.LoginPassword), `${PASSWORD}{Enter}`);
    await screen.findByTestId(TestId.HomeScreen);
    expect(document.documentElement.dir).toBe('ltr');
    await waitFor(async () => expect((await station.status()).ui_language).toBe('en'));
    await user.click(screen.getByTestId(TestId.LogOutButton));
    await screen.findByTestId(TestId.LoginScreen);

    // Sara signs in again: the window is hers, in Arabic, laid out right to left.
    await user.type(screen.getByTestId(TestId.LoginUsername), 'sara.officer');
    await user.type(screen.getByTestId(TestId.LoginPassword), `${PASSWORD}{Enter}`);
    await screen.findByTestId(TestId.HomeScreen);
    expect(document.documentElement.dir).toBe('rtl');
    expect(within(screen.getByTestId(TestId.HomeScreen)).getByRole('heading', { level: 1 }).textContent).toBe('التسجيلات');

    // The top bar opens the settings, in Arabic too.
    await user.click(screen.getByTestId(TestId.SettingsOpen));
    await screen.findByTestId(TestId.SettingsScreen);
    expect((screen.getByTestId(uiLanguageChoiceId('ar')) as HTMLInputElement).checked).toBe(true);
  });
});

describe('the quality thresholds', () => {
  test('a supervisor lowers the fingerprints’ threshold within the range; out of range is said beside the field', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const { user } = await showSettings(station);
    const finger = (await screen.findByTestId(qualityThresholdId('finger'))) as HTMLInputElement;
    expect(finger.value).toBe('40');
    expect(screen.getByText('From 30 to 60; the country’s threshold is 40')).toBeTruthy();

    await user.clear(finger);
    await user.type(finger, '25');
    await user.click(screen.getByTestId(TestId.SettingsQualitySave));
    expect((await screen.findByTestId(inputErrorId(qualityThresholdId('finger')))).textContent).toBe(
      'Enter a whole number from 30 to 60',
    );
    await waitFor(() => expect(document.activeElement).toBe(finger));
    expect(station.calls.some((call) => call.method === 'setQualityThresholds')).toBe(false);

    await user.clear(finger);
    await user.type(finger, '32{Enter}');
    expect((await screen.findByTestId(TestId.SettingsQualityOutcome)).textContent).toContain(
      'Thresholds saved. They apply from the next capture.',
    );
    const settings = await station.settings();
    expect(settings.quality.map((q) => [q.modality, q.threshold])).toEqual([
      ['finger', 32],
      ['iris', 60],
      ['face', 90],
    ]);
  });

  test('in French, a threshold the country fixes is shown as fixed beside one that moves', async () => {
    setUiLanguage('fr');
    const fixedFace = new FakeStation({ capturePolicy: { adjustable: { finger: { min: 30, max: 60 } } } }).signIn(
      'karim.supervisor',
    );
    await showSettings(fixedFace);
    expect((await screen.findByTestId(qualityThresholdId('face'))).textContent).toContain(
      '90, fixé par la configuration du pays',
    );
    expect(screen.getByText('De 30 à 60 ; le seuil du pays est 40')).toBeTruthy();
  });

  test('an officer reads the thresholds and is told who changes them', async () => {
    const station = new FakeStation().signIn('sara.officer');
    await showSettings(station);
    const quality = screen.getByTestId(TestId.SettingsQuality);
    await within(quality).findByText('Only a supervisor or an administrator changes the thresholds.');
    expect(within(quality).queryByRole('textbox')).toBeNull();
    expect(screen.getByTestId(qualityThresholdId('face')).textContent).toContain('90');
  });
});
