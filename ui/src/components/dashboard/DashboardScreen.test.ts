// The supervisor's dashboard over a fake station: today's counts per operator and the station's
// state in English, numbers written the French way, the home screen's button for supervisors
// only (and the station's refusal of an officer), Print and Save as PDF of the end-of-day
// report, and Arabic laid out right to left.

import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { ar } from '../../lib/i18n/ar';
import { en } from '../../lib/i18n/en';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { formatBytes } from '../../lib/i18n/numbers';
import { dashboardOperatorId, TestId } from '../../lib/testIds';
import { FakeStation, PASSWORD } from '../../test/fakeBackend';
import { renderScreen } from '../../test/render';
import HomeScreen from '../home/HomeScreen.svelte';
import DashboardScreen from './DashboardScreen.svelte';

// The home screen's sync strip comes down a Tauri channel, which needs the IPC internals. The
// window's wall clock is UTC here, so "today" is the fake clock's day whatever the machine's.
beforeEach(() => {
  mockIPC(() => undefined);
  vi.spyOn(Date.prototype, 'getTimezoneOffset').mockReturnValue(0);
});
afterEach(() => {
  clearMocks();
  setUiLanguage('en');
  vi.restoreAllMocks();
});

/** A station where two officers worked today, seen by its supervisor. */
function busyStation(): FakeStation {
  const station = new FakeStation().signIn('admin');
  void station.addOperator({ username: 'youssef.officer', full_name: 'Youssef Alami', role: 'officer', password: PASSWORD });
  for (const state of ['pending_approval', 'pending_approval', 'draft', 'sealed', 'rejected'] as const) {
    station.seedRegistration(state, { createdBy: 'sara.officer' });
  }
  station.seedRegistration('pending_approval', { createdBy: 'youssef.officer' });
  return station.signIn('karim.supervisor');
}

async function showDashboard(station: FakeStation) {
  const onBack = vi.fn();
  const onSignedOut = vi.fn();
  renderScreen(station, DashboardScreen, { onBack, onSignedOut });
  await screen.findByTestId(TestId.DashboardScreen);
  return { onBack, onSignedOut, user: userEvent.setup() };
}

/** An operator's row as the supervisor reads it: started, finalized, approved, rejected. */
function countsOf(row: HTMLElement): string[] {
  return ['started', 'finalized', 'approved', 'rejected'].map(
    (name) => row.querySelector(`[data-count="${name}"]`)?.textContent?.trim() ?? '',
  );
}

describe('the dashboard', () => {
  test('in English: today per officer, the totals, what waits, the sync, the disk, the devices and the limits', async () => {
    const station = busyStation();
    await showDashboard(station);

    const report = await screen.findByTestId(TestId.DashboardReport);
    expect(within(report).getByRole('heading', { level: 2 }).textContent).toBe('End-of-day report');
    expect(report.textContent).toContain('Station Rabat Central 1, center 10001');
    expect(report.textContent).toContain('Day: November 25, 2026');
    expect(report.textContent).toContain('Prepared by Karim Haddad');

    const sara = screen.getByTestId(dashboardOperatorId('sara.officer'));
    expect(within(sara).getByRole('rowheader').textContent).toContain('Sara Bennani');
    expect(countsOf(sara)).toEqual(['5', '4', '1', '1']);
    expect(countsOf(screen.getByTestId(dashboardOperatorId('youssef.officer')))).toEqual(['1', '1', '0', '0']);
    expect(countsOf(screen.getByTestId(TestId.DashboardTotals))).toEqual(['6', '5', '1', '1']);
    expect(screen.queryByTestId(dashboardOperatorId('karim.supervisor'))).toBeNull();

    const states = screen.getByTestId(TestId.DashboardStates);
    const figure = (name: string) => states.querySelector(`[data-count="${name}"]`)?.textContent;
    expect([figure('draft'), figure('pending'), figure('not-uploaded'), figure('awaiting-receipt'), figure('acknowledged')]).toEqual([
      '1',
      '3',
      '2',
      '0',
      '0',
    ]);

    const pending = screen.getByTestId(TestId.DashboardPending);
    expect(pending.textContent).toContain('Waiting for a supervisor: 3 registrations');
    expect(pending.textContent).toMatch(/The oldest has waited \d+ minutes, since /);

    const sync = screen.getByTestId(TestId.DashboardSync);
    expect(sync.textContent).toContain('Not yet at the register: 0');
    expect(sync.textContent).toContain('Last successful sync: ');
    expect(sync.textContent).toContain(en['sync.link.unknown']);

    expect(screen.getByTestId(TestId.DashboardStorage).textContent).toContain('50 GB free on the station’s data disk');

    const devices = within(screen.getByTestId(TestId.DashboardDevices)).getAllByRole('row').slice(1);
    expect(devices).toHaveLength(3);
    for (const device of devices) expect(device.textContent).toContain('(simulated)');
    expect(devices.map((device) => device.getAttribute('data-status'))).toEqual(['ready', 'ready', 'ready']);

    const offline = screen.getByTestId(TestId.DashboardOffline);
    expect(offline.textContent).toContain('Within every limit');
    const limit = (name: string) => offline.querySelector(`[data-limit="${name}"]`) as HTMLElement;
    expect(limit('days').textContent).toContain('0 days');
    expect(limit('days').textContent).toContain('14 days');
    expect(limit('packets').textContent).toContain('500 packets');
    expect(limit('disk').textContent).toContain('at least 1 GB');
    expect(['days', 'packets', 'disk'].map((name) => limit(name).getAttribute('data-closeness'))).toEqual(['fine', 'fine', 'fine']);

    // Keyboard first: the caret waits on Back, and every action is a button.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId(TestId.DashboardBack)));
    expect(station.calls.find((call) => call.method === 'dashboard')?.args).toEqual([0]);
  });

  test('in French: counts and sizes with French separators and plural units', async () => {
    setUiLanguage('fr');
    const station = busyStation().setOffline({ packets_not_uploaded: 1234, days_since_sync: 12, free_disk_mb: 1500 });
    await showDashboard(station);

    const thousands = new Intl.NumberFormat('fr', { numberingSystem: 'latn' }).format(1234);
    expect(thousands).toMatch(/^1\s234$/);
    const sync = await screen.findByTestId(TestId.DashboardSync);
    expect(sync.textContent).toContain(`Pas encore au registre : ${thousands}`);
    const offline = screen.getByTestId(TestId.DashboardOffline);
    const limit = (name: string) => offline.querySelector(`[data-limit="${name}"]`) as HTMLElement;
    expect(limit('packets').textContent).toContain(`${thousands} paquets`);
    expect(limit('packets').getAttribute('data-closeness')).toBe('reached');
    expect(limit('days').textContent).toContain('12 jours');
    expect(limit('days').getAttribute('data-closeness')).toBe('near');
    expect(limit('disk').textContent).toContain(formatBytes(1500 * 1_000_000, 'fr'));
    expect(limit('disk').getAttribute('data-closeness')).toBe('near');
    expect(screen.getByTestId(TestId.DashboardPending).textContent).toContain('En attente d’un superviseur : 3 enregistrements');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Aujourd’hui au poste');
  });

  test('the home screen offers it to supervisors and admins, not to officers', async () => {
    const onOpenDashboard = vi.fn();
    const home = async (station: FakeStation) =>
      renderScreen(station, HomeScreen, {
        status: await station.status(),
        onOpenRegistration: vi.fn(),
        onOpenAdmin: vi.fn(),
        onOpenUploads: vi.fn(),
        onOpenDashboard,
        onSignedOut: vi.fn(),
      });

    const officer = await home(new FakeStation().signIn('sara.officer'));
    await screen.findByTestId(TestId.HomeCounts);
    expect(screen.queryByTestId(TestId.DashboardOpen)).toBeNull();
    officer.unmount();

    await home(new FakeStation().signIn('karim.supervisor'));
    const open = await screen.findByTestId(TestId.DashboardOpen);
    expect(open.textContent?.trim()).toBe('Dashboard');
    await userEvent.setup().click(open);
    expect(onOpenDashboard).toHaveBeenCalledOnce();
  });

  test('an officer who reaches it anyway is refused by the station, in words', async () => {
    const station = new FakeStation().signIn('sara.officer');
    await showDashboard(station);

    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain(en['error.not_permitted.supervisor_only']);
    expect(screen.queryByTestId(TestId.DashboardReport)).toBeNull();
    expect((screen.getByTestId(TestId.DashboardSavePdf) as HTMLButtonElement).disabled).toBe(true);
  });

  test('Print opens the system’s print dialog; Save as PDF asks where, then prints the report there', async () => {
    const station = busyStation();
    const chosen = '/home/karim/Documents/end of day.pdf';
    station.answerSaveDialog(chosen);
    const print = vi.fn();
    Object.defineProperty(window, 'print', { value: print, configurable: true, writable: true });
    const { user } = await showDashboard(station);

    await screen.findByTestId(TestId.DashboardReport);
    await user.click(screen.getByTestId(TestId.DashboardPrint));
    expect(print).toHaveBeenCalledOnce();

    await user.click(screen.getByTestId(TestId.DashboardSavePdf));
    await waitFor(() => expect(station.savedPdfs).toEqual([chosen]));
    const methods = station.calls.map((call) => call.method);
    expect(methods.indexOf('choosePdfPath')).toBeLessThan(methods.indexOf('saveSlipPdf'));
    const asked = station.calls.find((call) => call.method === 'choosePdfPath');
    expect(asked?.args).toEqual(['end-of-day-10001-2026-11-25.pdf', 'Save the end-of-day report as a PDF']);
    await waitFor(() => expect(screen.getByTestId(TestId.Banner).textContent).toContain(chosen));
    expect(screen.getByTestId(TestId.Banner).getAttribute('data-kind')).toBe('success');
  });

  test('Save as PDF cancelled in the dialog prints nothing', async () => {
    const station = busyStation().answerSaveDialog(null);
    const { user } = await showDashboard(station);

    await screen.findByTestId(TestId.DashboardReport);
    await user.click(screen.getByTestId(TestId.DashboardSavePdf));
    await waitFor(() => expect((screen.getByTestId(TestId.DashboardSavePdf) as HTMLButtonElement).disabled).toBe(false));
    expect(station.calls.map((call) => call.method)).not.toContain('saveSlipPdf');
    expect(station.savedPdfs).toEqual([]);
  });

  test('in Arabic: right to left, in Arabic words, with Latin digits', async () => {
    setUiLanguage('ar');
    const station = busyStation();
    await showDashboard(station);

    await screen.findByTestId(TestId.DashboardReport);
    expect(document.documentElement.getAttribute('dir')).toBe('rtl');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(ar['dashboard.title']);
    expect(within(screen.getByTestId(TestId.DashboardReport)).getByRole('heading', { level: 2 }).textContent).toBe(
      ar['dashboard.reportTitle'],
    );
    expect(countsOf(screen.getByTestId(TestId.DashboardTotals))).toEqual(['6', '5', '1', '1']);
    expect(screen.getByTestId(TestId.DashboardPending).textContent).toContain('بانتظار مشرف: 3 تسجيلات');
  });
});
