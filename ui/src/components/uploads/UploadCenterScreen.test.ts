// The upload center over a fake station: the queue in send order with its counts, decisions,
// failures and the packets set aside; a supervisor's "Try again" that puts one back (and an
// officer who has none); a release someone else did first; the live progress of the packet
// being sent; the list read again when a run ends; "Sync now"; the empty queue; Back; Arabic.

import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { formatTime } from '../../lib/i18n/time';
import { TestId, uploadReleaseId, uploadRowId } from '../../lib/testIds';
import { FakeStation } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import UploadCenterScreen from './UploadCenterScreen.svelte';

// The sync status comes down a Tauri channel, which needs the IPC internals to exist.
beforeEach(() => mockIPC(() => undefined));
afterEach(() => {
  clearMocks();
  setUiLanguage('en');
});

async function showUploads(station: FakeStation) {
  const onBack = vi.fn();
  const onSignedOut = vi.fn();
  renderScreen(station, UploadCenterScreen, { status: await station.status(), onBack, onSignedOut });
  await screen.findByTestId(TestId.UploadCenter);
  await waitFor(() => expect(screen.queryByText('Loading the upload queue…')).toBeNull());
  return { onBack, onSignedOut, user: userEvent.setup() };
}

/** The registration ids of the rows, top to bottom. */
function rowIds(): string[] {
  return screen
    .queryAllByRole('row')
    .map((row) => row.getAttribute('data-testid'))
    .filter((id): id is string => id !== null && id.startsWith('upload-'))
    .map((id) => id.replace(/^upload-/, ''));
}

function counts(): { waiting: string; quarantined: string } {
  const read = (name: string) => document.querySelector(`[data-count="${name}"]`)?.textContent ?? '';
  return { waiting: read('waiting'), quarantined: read('quarantined') };
}

const row = (registrationId: string) => screen.getByTestId(uploadRowId(registrationId));

/** A queue of three in review order: approved, rejected (set aside), uploaded. */
function stationWithQueue(operator: string) {
  const station = new FakeStation().signIn(operator);
  const sealed = station.seedRegistration('sealed');
  const rejected = station.seedRegistration('rejected', { createdBy: 'admin' });
  const uploaded = station.seedRegistration('uploaded');
  station.seedQuarantined(rejected, 'packet_rejected');
  return { station, sealed, rejected, uploaded };
}

describe('the upload center', () => {
  test('lists the queue in send order, the set-aside packet marked with its reason', async () => {
    const { station, sealed, rejected, uploaded } = stationWithQueue('karim.supervisor');
    await showUploads(station);

    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Upload center');
    expect(rowIds()).toEqual([sealed, rejected, uploaded]);
    expect(counts()).toEqual({ waiting: '2', quarantined: '1' });

    expect(row(sealed).dataset.quarantined).toBe('false');
    expect(row(sealed).dataset.state).toBe('sealed');
    expect(within(row(sealed)).getByText('Approved by karim.supervisor')).toBeTruthy();
    expect(within(row(sealed)).getByText('Not tried yet')).toBeTruthy();
    expect(row(uploaded).dataset.state).toBe('uploaded');
    expect(within(row(uploaded)).getByText('Sent: waiting for the register’s receipt')).toBeTruthy();

    const setAside = row(rejected);
    expect(setAside.dataset.quarantined).toBe('true');
    expect(setAside.dataset.state).toBe('rejected');
    expect(within(setAside).getByText('Set aside')).toBeTruthy();
    expect(setAside.textContent).toContain('Rejected by karim.supervisor');
    expect(setAside.textContent).toContain('admin');
    expect(setAside.textContent).toContain('Why: The register refused this packet.');
    expect(setAside.textContent).toContain('the sync passes it by until a supervisor puts it back in the queue');
    expect(setAside.textContent).toContain('Failed tries in a row: 1');
    const center = await station.uploadCenter();
    const entry = center.entries.find((e) => e.registration_id === rejected)!;
    expect(setAside.textContent).toContain(formatTime(entry.queued_at, 'en'));
    expect(setAside.textContent).toContain(formatTime(entry.quarantined_at!, 'en'));
  });

  test('a supervisor puts the packet back from the keyboard: the row is no longer set aside', async () => {
    const { station, rejected } = stationWithQueue('karim.supervisor');
    const { user } = await showUploads(station);

    const tryAgain = screen.getByTestId(uploadReleaseId(rejected));
    expect(tryAgain.textContent?.trim()).toBe('Try again');
    expect(screen.getByRole('button', { name: `Try again: ${rejected}` })).toBe(tryAgain);
    tryAgain.focus();
    await user.keyboard('{Enter}');

    await waitFor(() => expect(row(rejected).dataset.quarantined).toBe('false'));
    expect(station.calls.find((c) => c.method === 'releaseQuarantined')?.args).toEqual([rejected]);
    expect(station.isQuarantined(rejected)).toBe(false);
    expect(screen.queryByTestId(uploadReleaseId(rejected))).toBeNull();
    expect(within(row(rejected)).queryByText('Set aside')).toBeNull();
    // Its last error stays until a try replaces it.
    expect(row(rejected).textContent).toContain('Last upload failed: The register refused this packet.');
    expect(counts()).toEqual({ waiting: '3', quarantined: '0' });
    const banner = screen.getByTestId(TestId.Banner);
    expect(banner.dataset.kind).toBe('success');
    expect(banner.textContent).toContain(`Registration ${rejected} is back in the queue`);
    // Its button is gone; the keyboard goes on from "Sync now".
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(TestId.UploadCenterSync)));
  });

  test('an officer sees the packet set aside but has no Try again (the station refuses it too)', async () => {
    const { station, rejected } = stationWithQueue('sara.officer');
    await showUploads(station);

    expect(row(rejected).dataset.quarantined).toBe('true');
    expect(screen.queryByTestId(uploadReleaseId(rejected))).toBeNull();
    expect(screen.queryByRole('button', { name: /Try again/ })).toBeNull();
    await expect(station.releaseQuarantined(rejected)).rejects.toMatchObject({
      code: 'not_permitted',
      params: { rule: 'officer_cannot_review' },
    });
    expect(station.isQuarantined(rejected)).toBe(true);
  });

  test('a packet someone released first: a warning, and the list as it is now', async () => {
    const { station, rejected } = stationWithQueue('karim.supervisor');
    const { user } = await showUploads(station);
    // Another supervisor's window put it back meanwhile.
    await station.releaseQuarantined(rejected);

    await user.click(screen.getByTestId(uploadReleaseId(rejected)));

    const banner = await screen.findByRole('alert');
    expect(banner.dataset.kind).toBe('warning');
    expect(banner.textContent).toContain(`Registration ${rejected} is now “Rejected”`);
    await waitFor(() => expect(row(rejected).dataset.quarantined).toBe('false'));
  });

  test('a failing packet shows its failures, last error and next try', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const failing = station.seedRegistration('sealed');
    station.seedUploadFailure(failing, 'intake_error', 3);
    await showUploads(station);

    const shown = row(failing);
    expect(shown.dataset.quarantined).toBe('false');
    expect(shown.textContent).toContain('Failed tries in a row: 3');
    expect(shown.textContent).toContain('Last upload failed: The intake had a problem.');
    const entry = (await station.uploadCenter()).entries[0];
    expect(shown.textContent).toContain(`Next try not before ${formatTime(entry.next_attempt_at!, 'en')}`);
  });

  test('the packet being sent shows its bar, and the list is read again when the run ends', async () => {
    const { station, sealed, rejected, uploaded } = stationWithQueue('sara.officer');
    await showUploads(station);
    await screen.findByTestId(TestId.SyncStatus);

    station.pushSyncStatus({
      link: 'online',
      running: true,
      run_total: 2,
      run_done: 0,
      current: { registration_id: sealed, sent: 1_200_000, total: 2_400_000, bytes_per_second: 2_500_000 },
    });
    const bar = await within(row(sealed)).findByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('50');
    expect(row(sealed).textContent).toContain('50%');
    expect(row(sealed).textContent).toContain('2.5 MB/s');
    expect(within(row(uploaded)).queryByRole('progressbar')).toBeNull();
    expect(screen.getByTestId(TestId.SyncProgress).getAttribute('aria-valuenow')).toBe('50');
    const reads = station.calls.filter((c) => c.method === 'uploadCenter').length;

    // The background sync finishes: both sent packets are receipted and leave the queue.
    station.runBackgroundSync();

    await waitFor(() => expect(rowIds()).toEqual([rejected]));
    expect(station.calls.filter((c) => c.method === 'uploadCenter').length).toBeGreaterThan(reads);
    expect(counts()).toEqual({ waiting: '0', quarantined: '1' });
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  test('"Sync now" sends what is not set aside and says so', async () => {
    const { station, sealed, rejected, uploaded } = stationWithQueue('sara.officer');
    const { user } = await showUploads(station);

    await user.click(screen.getByTestId(TestId.UploadCenterSync));

    await waitFor(() => expect(screen.getByTestId(TestId.Banner).textContent).toContain('Sync finished: 2 of 2 acknowledged'));
    expect(station.stateOf(sealed)).toBe('acknowledged');
    expect(station.stateOf(uploaded)).toBe('acknowledged');
    expect(station.isQuarantined(rejected)).toBe(true);
    expect(rowIds()).toEqual([rejected]);
  });

  test('an empty queue says everything has reached the register', async () => {
    const station = new FakeStation().signIn('sara.officer');
    station.seedRegistration('acknowledged');
    await showUploads(station);

    expect(screen.getByText('Nothing is waiting: every packet has reached the register.')).toBeTruthy();
    expect(rowIds()).toEqual([]);
    expect(counts()).toEqual({ waiting: '0', quarantined: '0' });
  });

  test('Back has the focus when the screen opens: Enter goes home', async () => {
    const station = new FakeStation().signIn('sara.officer');
    const { onBack, user } = await showUploads(station);

    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(TestId.UploadCenterBack)));
    await user.keyboard('{Enter}');
    expect(onBack).toHaveBeenCalledTimes(1);
  });

  test('in Arabic: right to left, the set-aside packet in Arabic', async () => {
    setUiLanguage('ar');
    const { station, rejected } = stationWithQueue('karim.supervisor');
    await showUploads(station);

    expect(document.documentElement.dir).toBe('rtl');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('مركز الإرسال');
    expect(within(row(rejected)).getByText('مُجنَّبة')).toBeTruthy();
    expect(screen.getByTestId(uploadReleaseId(rejected)).textContent?.trim()).toBe('إعادة المحاولة');
  });
});
