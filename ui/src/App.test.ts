// The whole window (App.svelte) over a fake station: sign-in to home, a registration from
// New to Finalize, back home with the banner naming the registration, and the upload center
// there and back, each screen watching the sync while it shows.

import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import App from './App.svelte';
import { BackendError } from './lib/backend/errors';
import { setUiLanguage } from './lib/i18n/i18n.svelte';
import { fieldInputId, rowStateId, TestId, uploadReleaseId, uploadRowId } from './lib/testIds';
import { captureEveryStep } from './test/biometrics';
import { attachDocument, signOff } from './test/wizard';
import { FakeStation, PASSWORD } from './test/fakeBackend';

// Home and the upload center watch the sync on a Tauri channel, which needs the IPC internals.
beforeEach(() => mockIPC(() => undefined));
afterEach(() => {
  clearMocks();
  setUiLanguage('en');
});

describe('the window', () => {
  test('signs in (after a wrong password) and shows home; Arabic mirrors it', async () => {
    const station = new FakeStation();
    render(App, { props: { backend: station } });
    const user = userEvent.setup();

    await screen.findByTestId(TestId.LoginScreen);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in');
    expect(screen.getByText('Station: Rabat Central 1')).toBeTruthy();
    expect(screen.getByTestId(TestId.SimulatedStationBadge).textContent?.trim()).toBe('SIMULATED DEVICE');

    await user.type(screen.getByTestId(TestId.LoginUsername), 'admin');
    await user.type(screen.getByTestId(TestId.LoginPassword), 'not the password');
    await user.click(screen.getByTestId(TestId.LoginSubmit));
    expect((await screen.findByTestId(TestId.LoginError)).textContent).toContain('Wrong username or password');
    // The username stays, the password is cleared for another try; Enter submits.
    expect((screen.getByTestId(TestId.LoginUsername) as HTMLInputElement).value).toBe('admin');
    expect((screen.getByTestId(TestId.LoginPassword) as HTMLInputElement).value).toBe('');
    await user.type(screen.getByTestId(TestId.LoginPassword), `${PASSWORD}{Enter}`);

    await screen.findByTestId(TestId.HomeScreen);
    expect(screen.getByTestId(TestId.SignedInOperator).textContent).toContain('Signed in as Nadia Amrani');
    expect(screen.getByTestId(TestId.HomeStationName).textContent).toBe('Rabat Central 1');
    expect(await screen.findByTestId(TestId.HomeCounts)).toBeTruthy();
    expect(screen.queryByTestId(TestId.LoginScreen)).toBeNull();

    await user.selectOptions(screen.getByTestId(TestId.LanguageSelect), 'ar');
    expect(document.documentElement.dir).toBe('rtl');
    expect(within(screen.getByTestId(TestId.HomeScreen)).getByRole('heading', { level: 1 }).textContent).toBe('التسجيلات');
    expect(screen.getByTestId(TestId.SignedInOperator).textContent).toContain('المستخدم: Nadia Amrani');
  });

  // Regression: the start failure was worded once, in the language of that moment; the window
  // offers a language switch on that screen, which left the English sentence behind.
  test('a station held by another window says so in the language the clerk switches to', async () => {
    const station = new FakeStation().failNext('status', new BackendError('vault_in_use'));
    render(App, { props: { backend: station } });
    const user = userEvent.setup();

    const failed = await screen.findByTestId(TestId.StartFailed);
    expect(failed.textContent).toContain('already open in another window');
    await user.selectOptions(screen.getByTestId(TestId.LanguageSelect), 'fr');
    await waitFor(() => expect(screen.getByTestId(TestId.StartFailed).textContent).toContain('déjà ouvert'));
    expect(screen.getByTestId(TestId.StartFailed).textContent).not.toContain('already open');
    await user.click(screen.getByTestId(TestId.StartRetry));
    await screen.findByTestId(TestId.LoginScreen);
  });

  test('an operator the register suspended is told so at sign-in, in French', async () => {
    setUiLanguage('fr');
    const station = new FakeStation().failNext('logIn', new BackendError('operator_suspended', { username: 'omar' }));
    render(App, { props: { backend: station } });
    const user = userEvent.setup();

    await screen.findByTestId(TestId.LoginScreen);
    await user.type(screen.getByTestId(TestId.LoginUsername), 'omar');
    await user.type(screen.getByTestId(TestId.LoginPassword), `${PASSWORD}{Enter}`);
    const banner = await screen.findByTestId(TestId.Banner);
    expect(banner.textContent).toContain('Le registre a suspendu omar');
    expect(screen.queryByTestId(TestId.HomeScreen)).toBeNull();
  });

  // Regression: the banner read "Registration undefined is waiting…" because its text read the
  // registration screen's prop after that screen was gone.
  test('after Finalize, home says which registration waits for approval', async () => {
    const station = new FakeStation().signIn('sara.officer');
    render(App, { props: { backend: station } });
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'New registration' }));
    const form = await screen.findByTestId(TestId.RegistrationScreen);
    const registrationId = form.getAttribute('data-registration-id') ?? '';
    expect(registrationId).toMatch(/^10001-\d{8}-\d{6}$/);
    // The resident agrees first: the form comes after the consent step.
    await user.click(await screen.findByTestId(TestId.ConsentAgree));

    await user.type(await screen.findByTestId(fieldInputId('fullName', 'eng')), 'Amina Idrissi');
    await user.type(screen.getByTestId(fieldInputId('fullName', 'ara')), 'أمينة الإدريسي');
    await user.type(screen.getByTestId(fieldInputId('dateOfBirth')), '1990/02/28');
    await user.selectOptions(screen.getByTestId(fieldInputId('gender')), 'FLE');
    // The wizard's steps, by Next: documents, biometrics, then the review and the sign-off.
    await user.click(screen.getByTestId(TestId.WizardNext));
    await attachDocument(user);
    await user.click(screen.getByTestId(TestId.WizardNext));
    await captureEveryStep(user);
    await signOff(user);

    // The slip comes first, saying who the registration waits for; Done goes home.
    const slip = await screen.findByTestId(TestId.SlipScreen);
    expect((await screen.findByTestId(TestId.SlipRegistrationId)).textContent).toBe(registrationId);
    expect(within(slip).getByTestId(TestId.Banner).textContent).toContain(
      `Registration ${registrationId} is waiting for a supervisor’s approval`,
    );
    expect(within(slip).getByText('Amina Idrissi')).toBeTruthy();
    expect(within(slip).getByText('أمينة الإدريسي').getAttribute('dir')).toBe('rtl');
    await user.click(screen.getByTestId(TestId.SlipDone));

    await screen.findByTestId(TestId.HomeScreen);
    const banner = screen.getByTestId(TestId.Banner);
    expect(banner.getAttribute('data-kind')).toBe('success');
    expect(banner.textContent).toContain(`Registration ${registrationId} is waiting for a supervisor’s approval`);
    expect(banner.textContent).not.toContain('undefined');
    await waitFor(() => expect(screen.getByTestId(rowStateId(registrationId)).getAttribute('data-state')).toBe('pending_approval'));

    // The banner follows a language switch, still with the id.
    await user.selectOptions(screen.getByTestId(TestId.LanguageSelect), 'fr');
    expect(screen.getByTestId(TestId.Banner).textContent).toContain(
      `L’enregistrement ${registrationId} attend l’approbation d’un superviseur`,
    );
  });

  test('home → upload center → back home, each screen watching the sync while it shows', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const sealed = station.seedRegistration('sealed');
    const refused = station.seedRegistration('sealed');
    station.seedQuarantined(refused);
    render(App, { props: { backend: station } });
    const user = userEvent.setup();
    const watches = () => station.calls.filter((c) => c.method === 'watchSync').length;

    await screen.findByTestId(TestId.SyncStatus);
    expect(watches()).toBe(1);
    const open = await screen.findByTestId(TestId.UploadCenterOpen);
    await waitFor(() => expect(open.textContent?.trim()).toBe('Upload center: 2 packets queued'));
    await user.click(open);

    await screen.findByTestId(TestId.UploadCenter);
    expect(screen.queryByTestId(TestId.HomeScreen)).toBeNull();
    expect(await screen.findByTestId(uploadRowId(sealed))).toBeTruthy();
    await waitFor(() => expect(watches()).toBe(2));
    // The supervisor puts the refused packet back.
    await user.click(screen.getByTestId(uploadReleaseId(refused)));
    await waitFor(() => expect(screen.getByTestId(uploadRowId(refused)).dataset.quarantined).toBe('false'));
    // The upload center's strip is the one that hears the station now.
    station.pushSyncStatus({ link: 'offline' });
    await waitFor(() => expect(screen.getByTestId(TestId.SyncStatus).dataset.link).toBe('offline'));

    await user.click(screen.getByTestId(TestId.UploadCenterBack));
    await screen.findByTestId(TestId.HomeScreen);
    expect(screen.queryByTestId(TestId.UploadCenter)).toBeNull();
    // Home took the watch back: what the station says next reaches the home screen's strip.
    await waitFor(() => expect(watches()).toBe(3));
    expect((await screen.findByTestId(TestId.SyncStatus)).dataset.link).toBe('offline');
    station.pushSyncStatus({ link: 'online' });
    await waitFor(() => expect(screen.getByTestId(TestId.SyncStatus).dataset.link).toBe('online'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(TestId.NewRegistration)));
  });
});
