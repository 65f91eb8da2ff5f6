// The sync strip as a clerk reads it: the link, the last contact, a run's packet N of M with the
// current packet's bar, percentage and speed (in French and Arabic as each writes them), the
// reassurance while offline with the next look, and what blocks the sync.

import { render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, test } from 'vitest';

import type { SyncStatusView } from '../../lib/backend/types';
import { setUiLanguage } from '../../lib/i18n/i18n.svelte';
import { formatTime } from '../../lib/i18n/time';
import { TestId } from '../../lib/testIds';
import SyncStatus from './SyncStatus.svelte';
import { SYNC_STATUS_AT_START } from '../../test/fakeBackend';

afterEach(() => setUiLanguage('en'));

const IDLE: SyncStatusView = SYNC_STATUS_AT_START;

const LAST_CONTACT = '2026-11-25T09:30:00Z';
const NEXT_CHECK = '2026-11-25T09:45:00Z';

/** Packet 2 of 3, 42% of it at the intake, going at 1.5 MB/s. */
const SENDING: SyncStatusView = {
  ...IDLE,
  link: 'online',
  running: true,
  run_done: 1,
  run_total: 3,
  last_contact_at: LAST_CONTACT,
  current: { registration_id: '10001-20261125-000002', sent: 1_050_000, total: 2_500_000, bytes_per_second: 1_536_000 },
};

function strip(status: SyncStatusView) {
  render(SyncStatus, { props: { status } });
  return screen.getByTestId(TestId.SyncStatus);
}

describe('SyncStatus', () => {
  test('before the station asked the intake: not checked yet, no contact', () => {
    const shown = strip(IDLE);
    expect(shown.dataset.link).toBe('unknown');
    expect(shown.dataset.running).toBe('false');
    expect(within(shown).getByRole('status').textContent).toBe('Intake not checked yet');
    expect(shown.textContent).toContain('No contact with the intake yet');
    expect(screen.queryByTestId(TestId.SyncProgress)).toBeNull();
  });

  test('offline: packets stay safely queued, and when the station looks again', () => {
    const shown = strip({ ...IDLE, link: 'offline', last_contact_at: LAST_CONTACT, next_check_at: NEXT_CHECK });
    expect(shown.dataset.link).toBe('offline');
    expect(within(shown).getByRole('status').textContent).toBe('Offline: the intake cannot be reached');
    expect(shown.textContent).toContain('Nothing is lost: packets stay safely queued on this station');
    expect(shown.textContent).toContain(`Next try to reach the intake: ${formatTime(NEXT_CHECK, 'en')}`);
    expect(shown.textContent).toContain(`Last contact: ${formatTime(LAST_CONTACT, 'en')}`);
  });

  test('online and idle: the link and the last contact, nothing about queues', () => {
    const shown = strip({ ...IDLE, link: 'online', last_contact_at: LAST_CONTACT });
    expect(shown.dataset.link).toBe('online');
    expect(within(shown).getByRole('status').textContent).toBe('Online: the intake answers');
    expect(shown.textContent).not.toContain('Nothing is lost');
  });

  test('while a run sends: packet N of M, and the current packet’s bar with percentage and speed', () => {
    const shown = strip(SENDING);
    expect(shown.dataset.running).toBe('true');
    expect(shown.textContent).toContain('Sending packet 2 of 3');
    const bar = screen.getByTestId(TestId.SyncProgress);
    expect(bar.getAttribute('role')).toBe('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-label')).toBe('Sending 10001-20261125-000002');
    expect(shown.textContent).toContain('42%');
    expect(shown.textContent).toContain('1.5 MB/s');
  });

  test('in French: the sentence, the percentage and the speed as French writes them', () => {
    setUiLanguage('fr');
    const shown = strip(SENDING);
    expect(shown.textContent).toContain('Envoi du paquet 2 sur 3');
    expect(shown.textContent).toContain('42\u202f%');
    expect(shown.textContent).toContain('1,5 Mo/s');
    expect(screen.getByTestId(TestId.SyncProgress).getAttribute('aria-valuetext')).toBe('42\u202f%, 1,5 Mo/s');
    expect(within(shown).getByRole('status').textContent).toBe('En ligne : le centre de réception répond');
  });

  test('in Arabic: right to left, Arabic words, Latin digits', () => {
    setUiLanguage('ar');
    const shown = strip(SENDING);
    expect(document.documentElement.dir).toBe('rtl');
    expect(shown.textContent).toContain('إرسال الحزمة 2 من 3');
    expect(shown.textContent).toContain('42٪');
    expect(shown.textContent).toContain('1.5 ميغابايت/ث');
    expect(shown.textContent).not.toMatch(/[\u0660-\u0669]/);
    expect(screen.getByTestId(TestId.SyncProgress).getAttribute('aria-valuenow')).toBe('42');
  });

  test('in Arabic while offline: the reassurance in Arabic', () => {
    setUiLanguage('ar');
    const shown = strip({ ...IDLE, link: 'offline', next_check_at: NEXT_CHECK });
    expect(within(shown).getByRole('status').textContent).toBe('غير متصل: تعذّر الوصول إلى مركز الاستلام');
    expect(shown.textContent).toContain('تبقى الحزم بأمان في قائمة الانتظار');
    expect(shown.textContent).toContain(formatTime(NEXT_CHECK, 'ar'));
  });

  test('a station the intake refuses: why the sync is stopped, as an alert', () => {
    strip({ ...IDLE, link: 'online', blocked: { code: 'unknown_station', params: {}, fields: [] } });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Sending is stopped: ');
    expect(alert.textContent).toContain('This station is not registered at the intake');
  });
});
