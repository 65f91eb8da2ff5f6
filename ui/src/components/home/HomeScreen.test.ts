// The home screen over a fake station: the four counts, the lists a clerk works from, "show
// more" paging through a long list, a supervisor's approve and reject (with a reason), and the
// sync: its live strip, the summary read again when a background run ends, "Sync now" that
// leaves the clerk working, and the way to the upload center.

import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { BackendError, type Notice } from '../../lib/backend/errors';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import {
  listMoreId,
  rowApproveId,
  rowDecisionId,
  rowId,
  rowRejectConfirmId,
  rowRejectId,
  rowRejectChoiceId,
  rowRejectReasonId,
  rowSelectId,
  rowStateId,
  TestId,
} from '../../lib/testIds';
import { FakeStation, PASSWORD } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import HomeScreen from './HomeScreen.svelte';

// The sync status comes down a Tauri channel, which needs the IPC internals to exist; the fake
// station delivers the messages.
beforeEach(() => mockIPC(() => undefined));
afterEach(() => {
  clearMocks();
  setUiLanguage('en');
});

async function showHome(station: FakeStation, initialNotice: Notice | null = null) {
  const onOpenRegistration = vi.fn<(registrationId: string) => void>();
  const onOpenUploads = vi.fn();
  renderScreen(station, HomeScreen, {
    status: await station.status(),
    initialNotice,
    onOpenRegistration,
    onOpenAdmin: vi.fn(),
    onOpenUploads,
    onSignedOut: vi.fn(),
  });
  await screen.findByTestId(TestId.HomeCounts);
  return { onOpenRegistration, onOpenUploads };
}

const callsOf = (station: FakeStation, method: string) => station.calls.filter((c) => c.method === method).length;

/** The four counts as the clerk reads them: label → number. */
function counts(): Record<string, string> {
  const list = screen.getByTestId(TestId.HomeCounts);
  return Object.fromEntries(
    [...list.querySelectorAll('div')].map((pair) => [
      pair.querySelector('dt')?.textContent ?? '',
      pair.querySelector('dd')?.textContent ?? '',
    ]),
  );
}

/** The registration ids shown in one list, top to bottom. */
function idsIn(listTestId: string): string[] {
  return within(screen.getByTestId(listTestId))
    .queryAllByRole('row')
    .map((row) => row.getAttribute('data-testid'))
    .filter((id): id is string => id !== null)
    .map((id) => id.replace(/^row-/, ''));
}

describe('home lists', () => {
  test('the counts and each list show what the station holds', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const unnamed = station.seedRegistration('draft');
    const named = station.seedRegistration('draft', { name: 'Amina Idrissi' });
    const pending = station.seedRegistration('pending_approval');
    const sealed = station.seedRegistration('sealed');
    const rejected = station.seedRegistration('rejected');
    const acknowledged = station.seedRegistration('acknowledged');
    await showHome(station);

    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Registrations');
    expect(screen.getByTestId(TestId.HomeStationName).textContent).toBe('Rabat Central 1');
    expect(counts()).toEqual({ Drafts: '2', 'Pending approval': '1', 'Queued for upload': '2', Acknowledged: '1' });

    // Newest first, as the station pages them.
    expect(idsIn(TestId.HomeDrafts)).toEqual([named, unnamed]);
    const drafts = within(screen.getByTestId(TestId.HomeDrafts));
    expect(drafts.getByRole('heading').textContent).toBe('Drafts');
    expect(within(drafts.getByTestId(rowId(named))).getByText('Amina Idrissi')).toBeTruthy();
    expect(within(drafts.getByTestId(rowId(unnamed))).getByText('No name yet')).toBeTruthy();
    expect(drafts.getAllByRole('button', { name: 'Continue' })).toHaveLength(2);

    expect(idsIn(TestId.HomePending)).toEqual([pending]);
    expect(idsIn(TestId.HomeQueue)).toEqual([rejected, sealed]);
    expect(screen.getByTestId(rowDecisionId(sealed)).textContent?.trim()).toBe('Approved by karim.supervisor');
    expect(screen.getByTestId(rowDecisionId(rejected)).textContent?.trim()).toBe('Rejected by karim.supervisor');
    expect(idsIn(TestId.HomeAcknowledged)).toEqual([acknowledged]);
    expect(screen.getByTestId(`row-${acknowledged}-receipt`).textContent?.trim()).toBe(
      `Receipt INT-${acknowledged.slice(-6)}`,
    );
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });

  test('an empty station says how to start', async () => {
    await showHome(new FakeStation().signIn('sara.officer'));
    expect(counts()).toEqual({ Drafts: '0', 'Pending approval': '0', 'Queued for upload': '0', Acknowledged: '0' });
    expect(screen.getByText('No registrations yet. Start one with “New registration”.')).toBeTruthy();
    expect(screen.queryByTestId(TestId.HomeDrafts)).toBeNull();
  });

  test('"show more" fetches the next page of that list until there is none', async () => {
    const station = new FakeStation({ pageSize: 2 }).signIn('karim.supervisor');
    const ids = [1, 2, 3, 4, 5].map(() => station.seedRegistration('pending_approval'));
    const newestFirst = [...ids].reverse();
    await showHome(station);
    const user = userEvent.setup();

    expect(counts()['Pending approval']).toBe('5');
    expect(idsIn(TestId.HomePending)).toEqual(newestFirst.slice(0, 2));

    await user.click(screen.getByTestId(listMoreId(TestId.HomePending)));
    await waitFor(() => expect(idsIn(TestId.HomePending)).toEqual(newestFirst.slice(0, 4)));
    await user.click(screen.getByTestId(listMoreId(TestId.HomePending)));
    await waitFor(() => expect(idsIn(TestId.HomePending)).toEqual(newestFirst));
    expect(screen.queryByTestId(listMoreId(TestId.HomePending))).toBeNull();
    expect(station.calls.filter((c) => c.method === 'homePage')).toHaveLength(2);
  });

  test('in Arabic the screen reads right to left, in Arabic', async () => {
    setUiLanguage('ar');
    const station = new FakeStation().signIn('sara.officer');
    station.seedRegistration('draft', { name: 'Amina Idrissi' });
    await showHome(station);

    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('التسجيلات');
    expect(counts()).toEqual({ مسودات: '1', 'بانتظار الموافقة': '0', 'بانتظار الإرسال': '0', 'تم الاستلام': '0' });
    expect(screen.getByRole('button', { name: 'تسجيل جديد' })).toBeTruthy();
  });
});

describe('review from the pending list', () => {
  test('a supervisor approves: the banner says so and the row moves to the upload queue', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('pending_approval');
    await showHome(station);

    await userEvent.setup().click(screen.getByTestId(rowApproveId(registrationId)));

    await waitFor(() =>
      expect(screen.getByTestId(TestId.Banner).textContent).toContain(
        `Registration ${registrationId} is approved and queued for upload`,
      ),
    );
    expect(station.stateOf(registrationId)).toBe('sealed');
    await waitFor(() => expect(idsIn(TestId.HomeQueue)).toEqual([registrationId]));
    expect(screen.queryByTestId(TestId.HomePending)).toBeNull();
    expect(screen.getByTestId(rowStateId(registrationId)).getAttribute('data-state')).toBe('sealed');
    expect(screen.getByTestId(rowDecisionId(registrationId)).textContent?.trim()).toBe('Approved by karim.supervisor');
  });

  test('a supervisor rejects with a reason: confirm waits for the reason, the decision reads as a rejection', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('pending_approval');
    await showHome(station);
    const user = userEvent.setup();

    await user.click(screen.getByTestId(rowRejectId(registrationId)));
    const reason = screen.getByLabelText(`Reason for rejecting ${registrationId}`);
    expect(reason.getAttribute('data-testid')).toBe(rowRejectReasonId(registrationId));
    const confirm = screen.getByRole('button', { name: 'Reject with this reason' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await user.type(reason, 'The photo does not show the face clearly');
    expect(confirm.disabled).toBe(false);
    await user.click(screen.getByTestId(rowRejectConfirmId(registrationId)));

    await waitFor(() =>
      expect(screen.getByTestId(TestId.Banner).textContent).toContain(
        `Registration ${registrationId} is rejected and sealed with the reason`,
      ),
    );
    expect(station.calls.find((c) => c.method === 'reject')?.args).toEqual([
      registrationId,
      'The photo does not show the face clearly',
    ]);
    expect(station.stateOf(registrationId)).toBe('rejected');
    await waitFor(() => expect(idsIn(TestId.HomeQueue)).toEqual([registrationId]));
    const decision = screen.getByTestId(rowDecisionId(registrationId));
    expect(decision.getAttribute('data-outcome')).toBe('rejected');
    expect(decision.textContent?.trim()).toBe('Rejected by karim.supervisor');
  });

  test('in Arabic, a reason from the register’s list fills the row’s rejection reason', async () => {
    setUiLanguage('ar');
    const station = new FakeStation()
      .signIn('karim.supervisor')
      .seedRejectionReasons([{ code: 'blurred', labels: { eng: 'Blurred photo', ara: 'صورة غير واضحة' } }]);
    const registrationId = station.seedRegistration('pending_approval');
    await showHome(station);
    const user = userEvent.setup();

    await user.click(screen.getByTestId(rowRejectId(registrationId)));
    const choice = await screen.findByTestId(rowRejectChoiceId(registrationId));
    await waitFor(() => expect(document.activeElement).toBe(choice));
    await user.selectOptions(choice, 'blurred');
    expect((screen.getByTestId(rowRejectReasonId(registrationId)) as HTMLInputElement).value).toBe('صورة غير واضحة');
    await user.click(screen.getByTestId(rowRejectConfirmId(registrationId)));
    await waitFor(() => expect(station.stateOf(registrationId)).toBe('rejected'));
    expect(station.calls.find((c) => c.method === 'reject')?.args).toEqual([registrationId, 'صورة غير واضحة']);
  });

  test('nobody approves their own registration: the station refuses and the row stays pending', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const registrationId = station.seedRegistration('pending_approval', { createdBy: 'karim.supervisor' });
    await showHome(station);

    await userEvent.setup().click(screen.getByTestId(rowApproveId(registrationId)));

    const banner = await screen.findByRole('alert');
    expect(banner.getAttribute('data-kind')).toBe('warning');
    expect(banner.textContent?.trim()).not.toBe('');
    expect(station.stateOf(registrationId)).toBe('pending_approval');
    expect(idsIn(TestId.HomePending)).toEqual([registrationId]);
  });
});

describe('batch approval from the pending list', () => {
  const checkbox = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;

  test('a supervisor ticks rows, types their password once, and the ticked ones are approved together', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const [first, second, third] = [1, 2, 3].map(() => station.seedRegistration('pending_approval'));
    const own = station.seedRegistration('pending_approval', { createdBy: 'karim.supervisor' });
    await showHome(station);
    const user = userEvent.setup();

    const approveSelected = screen.getByTestId(TestId.HomeApproveSelected) as HTMLButtonElement;
    expect(approveSelected.disabled, 'nothing ticked yet').toBe(true);
    expect(checkbox(rowSelectId(own)).disabled, 'one’s own registration cannot be ticked').toBe(true);
    await user.click(checkbox(rowSelectId(first)));
    await user.click(checkbox(rowSelectId(third)));
    expect(approveSelected.textContent?.trim()).toBe('Approve selected (2)');
    await user.click(approveSelected);

    const dialog = await screen.findByTestId(TestId.BatchApproveDialog);
    expect(within(dialog).getByRole('heading').textContent).toBe('Approve 2 registrations');
    const password = screen.getByTestId(TestId.BatchApprovePassword);
    await waitFor(() => expect(document.activeElement).toBe(password));
    // A wrong password: nothing approved, the dialog stays with the station's sentence.
    await user.type(password, 'not the password{Enter}');
    expect((await screen.findByTestId(TestId.BatchApproveError)).textContent?.trim()).toBe(
      'Wrong password. Nothing was approved.',
    );
    expect(station.stateOf(first)).toBe('pending_approval');
    expect((password as HTMLInputElement).value, 'the password is typed again').toBe('');

    await user.type(password, `${PASSWORD}{Enter}`);
    await waitFor(() => expect(screen.queryByTestId(TestId.BatchApproveDialog)).toBeNull());
    expect(screen.getByTestId(TestId.Banner).textContent).toContain('Approved and queued for upload: 2 registrations.');
    expect(station.calls.filter((c) => c.method === 'approveBatch').map((c) => c.args[0])).toEqual([
      [first, third],
      [first, third],
    ]);
    expect([first, second, third, own].map((id) => station.stateOf(id))).toEqual([
      'sealed',
      'pending_approval',
      'sealed',
      'pending_approval',
    ]);
    await waitFor(() => expect(idsIn(TestId.HomePending).sort()).toEqual([second, own].sort()));
    expect((screen.getByTestId(TestId.HomeApproveSelected) as HTMLButtonElement).disabled, 'the ticks went with the rows').toBe(true);
  });

  test('in French, "select all" ticks what may be approved, and a row approved meanwhile is reported, not fatal', async () => {
    setUiLanguage('fr');
    const station = new FakeStation().signIn('karim.supervisor');
    const [first, second] = [1, 2].map(() => station.seedRegistration('pending_approval'));
    await showHome(station);
    const user = userEvent.setup();

    await user.click(checkbox(TestId.HomeSelectAll));
    expect([first, second].map((id) => checkbox(rowSelectId(id)).checked)).toEqual([true, true]);
    await user.click(screen.getByTestId(TestId.HomeApproveSelected));
    // Another supervisor approves the second one while the dialog is open.
    await station.approve(second);
    await user.type(await screen.findByTestId(TestId.BatchApprovePassword), `${PASSWORD}{Enter}`);

    const banner = await screen.findByRole('alert');
    expect(banner.getAttribute('data-kind')).toBe('warning');
    expect(banner.textContent).toContain('Approuvés et en file d’envoi : 1 enregistrement.');
    expect(banner.textContent).toContain(`Non approuvés : ${second} (`);
    expect(station.stateOf(first)).toBe('sealed');
  });

  test('an officer sees no ticks', async () => {
    const station = new FakeStation().signIn('sara.officer');
    station.seedRegistration('pending_approval');
    await showHome(station);
    expect(screen.queryByTestId(TestId.HomeSelectAll)).toBeNull();
    expect(screen.queryByTestId(TestId.HomeApproveSelected)).toBeNull();
  });
});

describe('the sync on the home screen', () => {
  test('the strip follows the station: not checked, online, a packet going with its percentage and speed, offline', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const sealed = station.seedRegistration('sealed');
    await showHome(station);

    const strip = await screen.findByTestId(TestId.SyncStatus);
    expect(strip.dataset.link).toBe('unknown');
    expect(within(strip).getByRole('status').textContent).toBe('Intake not checked yet');

    station.pushSyncStatus({ link: 'online', last_contact_at: '2026-11-25T09:30:00Z' });
    await waitFor(() => expect(screen.getByTestId(TestId.SyncStatus).dataset.link).toBe('online'));

    station.pushSyncStatus({
      running: true,
      run_done: 0,
      run_total: 1,
      current: { registration_id: sealed, sent: 600_000, total: 2_400_000, bytes_per_second: 300_000 },
    });
    await waitFor(() => expect(screen.getByTestId(TestId.SyncStatus).dataset.running).toBe('true'));
    expect(screen.getByTestId(TestId.SyncStatus).textContent).toContain('Sending packet 1 of 1');
    expect(screen.getByTestId(TestId.SyncProgress).getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByTestId(TestId.SyncStatus).textContent).toContain('25%');
    expect(screen.getByTestId(TestId.SyncStatus).textContent).toContain('300 KB/s');

    station.pushSyncStatus({ running: false, current: null, link: 'offline', next_check_at: '2026-11-25T09:40:00Z' });
    await waitFor(() => expect(screen.getByTestId(TestId.SyncStatus).dataset.link).toBe('offline'));
    expect(screen.queryByTestId(TestId.SyncProgress)).toBeNull();
    expect(screen.getByTestId(TestId.SyncStatus).textContent).toContain('packets stay safely queued on this station');
  });

  test('"the intake cannot be reached" goes away once the station hears from the intake again', async () => {
    const station = new FakeStation().signIn('sara.officer');
    station.seedRegistration('sealed');
    await showHome(station);
    await screen.findByTestId(TestId.SyncStatus);
    station.failNext('syncNow', new BackendError('intake_unreachable'));

    await userEvent.setup().click(screen.getByTestId(TestId.SyncNow));
    const banner = await screen.findByTestId(TestId.Banner);
    expect(banner.getAttribute('data-kind')).toBe('warning');
    expect(banner.textContent).toContain('cannot be reached');

    station.pushSyncStatus({ link: 'online', last_contact_at: '2026-11-25T09:45:00Z' });
    await waitFor(() => expect(screen.queryByTestId(TestId.Banner)).toBeNull());
  });

  test('when a background run ends, the counts and lists show what the register acknowledged', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const first = station.seedRegistration('sealed');
    const second = station.seedRegistration('rejected');
    await showHome(station);
    await screen.findByTestId(TestId.SyncStatus);
    expect(counts()['Queued for upload']).toBe('2');
    expect(idsIn(TestId.HomeQueue)).toEqual([second, first]);
    const readsBefore = callsOf(station, 'homeSummary');

    // The station's own thread sends the queue; nobody touches the screen.
    const report = station.runBackgroundSync();
    expect(report.acknowledged).toBe(2);

    await waitFor(() => expect(counts()).toEqual({ Drafts: '0', 'Pending approval': '0', 'Queued for upload': '0', Acknowledged: '2' }));
    expect(screen.queryByTestId(TestId.HomeQueue)).toBeNull();
    expect(idsIn(TestId.HomeAcknowledged).sort()).toEqual([first, second].sort());
    expect(callsOf(station, 'homeSummary')).toBeGreaterThan(readsBefore);
    expect(screen.getByTestId(TestId.SyncStatus).dataset.running).toBe('false');
  });

  test('progress alone does not read the summary again', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const sealed = station.seedRegistration('sealed');
    await showHome(station);
    await screen.findByTestId(TestId.SyncStatus);
    station.pushSyncStatus({ running: true, run_total: 1, run_done: 0 });
    station.pushSyncStatus({ current: { registration_id: sealed, sent: 100, total: 1000, bytes_per_second: 0 } });
    await waitFor(() => expect(screen.getByTestId(TestId.SyncProgress).getAttribute('aria-valuenow')).toBe('10'));
    const reads = callsOf(station, 'homeSummary');
    station.pushSyncStatus({ current: { registration_id: sealed, sent: 500, total: 1000, bytes_per_second: 0 } });
    await waitFor(() => expect(screen.getByTestId(TestId.SyncProgress).getAttribute('aria-valuenow')).toBe('50'));
    expect(screen.getByTestId(TestId.SyncStatus).textContent).toContain('measuring the speed…');
    expect(callsOf(station, 'homeSummary')).toBe(reads);
  });

  test('"Sync now" waits for itself only: New registration and the lists stay usable while it runs', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    station.seedRegistration('sealed');
    const pending = station.seedRegistration('pending_approval');
    const { onOpenRegistration } = await showHome(station);
    const user = userEvent.setup();

    const release = station.holdNextSync();
    await user.click(screen.getByTestId(TestId.SyncNow));
    const syncButton = screen.getByTestId(TestId.SyncNow) as HTMLButtonElement;
    // Busy, but not disabled: it keeps the keyboard's focus (SyncNowFocus.test.ts).
    await waitFor(() => expect(syncButton.getAttribute('aria-disabled')).toBe('true'));
    expect(syncButton.textContent?.trim()).toBe('Syncing…');
    expect((screen.getByTestId(TestId.NewRegistration) as HTMLButtonElement).disabled).toBe(false);
    expect((screen.getByTestId(rowApproveId(pending)) as HTMLButtonElement).disabled).toBe(false);
    expect((screen.getByTestId(TestId.UploadCenterOpen) as HTMLButtonElement).disabled).toBe(false);

    // The clerk approves while the sync runs.
    await user.click(screen.getByTestId(rowApproveId(pending)));
    await waitFor(() => expect(station.stateOf(pending)).toBe('sealed'));

    release();
    await waitFor(() => expect(screen.getByTestId(TestId.Banner).textContent).toContain('Sync finished: 2 of 2 acknowledged'));
    expect(syncButton.getAttribute('aria-disabled')).toBeNull();
    expect(counts()['Acknowledged']).toBe('2');

    // From the keyboard too: New registration opens while nothing else runs.
    screen.getByTestId(TestId.NewRegistration).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(onOpenRegistration).toHaveBeenCalledTimes(1));
  });

  test('packets the register refused for good are named in the notice', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const good = station.seedRegistration('sealed');
    const refused = station.seedRegistration('sealed');
    station.refuseAtIntake(refused, 'duplicate_registration');
    await showHome(station);

    await userEvent.setup().click(screen.getByTestId(TestId.SyncNow));

    const banner = await screen.findByRole('alert');
    await waitFor(() => expect(banner.textContent).toContain('Set aside for a supervisor (refused for good by the register): 1 packet.'));
    expect(banner.getAttribute('data-kind')).toBe('warning');
    expect(banner.textContent).toContain('1 packet(s) could not be sent');
    expect(station.stateOf(good)).toBe('acknowledged');
    expect(station.isQuarantined(refused)).toBe(true);
    // Still on the station, still in the queue, with its reason.
    await waitFor(() => expect(idsIn(TestId.HomeQueue)).toEqual([refused]));
    expect(screen.getByTestId(`row-${refused}-error`).textContent).toContain('already holds a different packet');
  });

  test('the upload center is one button away for every role, with the queued count', async () => {
    const station = new FakeStation().signIn('sara.officer');
    station.seedRegistration('sealed');
    station.seedRegistration('uploaded');
    const { onOpenUploads } = await showHome(station);

    const open = screen.getByTestId(TestId.UploadCenterOpen);
    expect(open.textContent?.trim()).toBe('Upload center: 2 packets queued');
    expect(open.dataset.count).toBe('2');
    open.focus();
    await userEvent.setup().keyboard('{Enter}');
    expect(onOpenUploads).toHaveBeenCalledTimes(1);
  });

  test('the home screen watches the sync: one watch per showing', async () => {
    const station = new FakeStation().signIn('sara.officer');
    await showHome(station);
    await screen.findByTestId(TestId.SyncStatus);
    expect(callsOf(station, 'watchSync')).toBe(1);
  });
});

describe('the offline limits on the home screen', () => {
  afterEach(() => setUiLanguage('en'));

  test('nothing is said while the station is within its limits', async () => {
    const station = new FakeStation().signIn('sara.officer');
    await showHome(station);
    expect(screen.queryByTestId(TestId.OfflineNotice)).toBeNull();
    expect((screen.getByTestId(TestId.NewRegistration) as HTMLButtonElement).disabled).toBe(false);
  });

  test('near a limit, a warning in French says which, with the measure and the limit', async () => {
    const station = new FakeStation().signIn('sara.officer').setOffline({
      level: 'warning',
      reasons: ['days_since_sync'],
      days_since_sync: 12,
    });
    setUiLanguage('fr');
    await showHome(station);
    const notice = await screen.findByTestId(TestId.OfflineNotice);
    expect(notice.dataset.level).toBe('warning');
    expect(notice.textContent).toContain('Synchronisez bientôt');
    expect(notice.textContent).toContain('Dernière synchronisation il y a 12 jours ; la limite est de 14 jours.');
    expect((screen.getByTestId(TestId.NewRegistration) as HTMLButtonElement).disabled).toBe(false);
  });

  test('past a limit, new registrations stop and Arabic says why', async () => {
    const station = new FakeStation().signIn('sara.officer').setOffline({
      level: 'stopped',
      reasons: ['packets_not_uploaded', 'free_disk'],
      packets_not_uploaded: 500,
      free_disk_mb: 1500,
    });
    setUiLanguage('ar');
    await showHome(station);
    const notice = await screen.findByTestId(TestId.OfflineNotice);
    expect(notice.dataset.level).toBe('stopped');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toContain('التسجيلات الجديدة متوقفة');
    expect(notice.querySelectorAll('li')).toHaveLength(2);
    expect(notice.textContent).toContain('1500 ميغابايت');
    const button = screen.getByTestId(TestId.NewRegistration) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-describedby')).toBe(TestId.OfflineNotice);
    // The station refuses too, whatever a window sends.
    await expect(station.newRegistration()).rejects.toMatchObject({ code: 'offline_limit_reached' });
  });
});

describe('packets the register returned', () => {
  afterEach(() => setUiLanguage('en'));

  test('a packet the register returns while the home screen shows appears without a click', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const acknowledged = station.seedRegistration('acknowledged');
    await showHome(station);
    expect(screen.queryByTestId(TestId.HomeReturned)).toBeNull();
    // The background sync asked the register; the station tells the watching window.
    station.setRegisterStatus(acknowledged, 'rejected', 'Blurred photo');
    const section = await screen.findByTestId(TestId.HomeReturned);
    expect(section.textContent).toContain('Reason: Blurred photo');
  });

  test('nothing is shown while the register returned nothing', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const processed = station.seedRegistration('acknowledged');
    station.setRegisterStatus(processed, 'processed');
    await showHome(station);
    expect(screen.queryByTestId(TestId.HomeReturned)).toBeNull();
  });

  test('a supervisor sees each return with the register’s reason in French and marks it handled', async () => {
    const station = new FakeStation().signIn('karim.supervisor');
    const rejected = station.seedRegistration('acknowledged');
    const again = station.seedRegistration('acknowledged');
    station.setRegisterStatus(rejected, 'rejected', 'Photo floue');
    station.setRegisterStatus(again, 're_register', 'Empreintes illisibles');
    setUiLanguage('fr');
    const { onOpenRegistration } = await showHome(station);
    const section = await screen.findByTestId(TestId.HomeReturned);
    expect(section.textContent).toContain('Renvoyés par le registre (2)');
    const items = within(section).getAllByTestId(TestId.HomeReturnedItem);
    expect(items.map((item) => item.dataset.status)).toEqual(['rejected', 're_register']);
    expect(items[0].textContent).toContain('Rejeté par le registre');
    expect(items[0].textContent).toContain('Motif : Photo floue');
    expect(items[1].textContent).toContain('Le résident doit se réinscrire');

    const user = userEvent.setup();
    await user.click(within(items[1]).getByRole('button', { name: 'Détails' }));
    expect(onOpenRegistration).toHaveBeenCalledWith(again);

    await user.click(within(items[0]).getByTestId(TestId.HomeReturnedHandled));
    await waitFor(() => expect(screen.getAllByTestId(TestId.HomeReturnedItem)).toHaveLength(1));
    expect(screen.getByTestId(TestId.HomeReturned).textContent).toContain('(1)');
    expect(station.calls.find((c) => c.method === 'markRegisterReturnHandled')?.args).toEqual([rejected]);
    expect(await screen.findByText(`L’enregistrement ${rejected} est marqué comme traité`)).toBeTruthy();
  });

  test('an officer sees the returns in Arabic but has no button to mark them, and the station refuses it', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const rejected = station.seedRegistration('acknowledged');
    station.setRegisterStatus(rejected, 'rejected', 'صورة غير واضحة');
    setUiLanguage('ar');
    await showHome(station);
    const section = await screen.findByTestId(TestId.HomeReturned);
    expect(section.textContent).toContain('أعادها السجل (1)');
    expect(section.textContent).toContain('السبب: صورة غير واضحة');
    expect(within(section).queryByTestId(TestId.HomeReturnedHandled)).toBeNull();
    await expect(station.markRegisterReturnHandled(rejected)).rejects.toMatchObject({ code: 'not_permitted' });
  });
});
