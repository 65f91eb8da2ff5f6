// What the screens read from the station's sync status (`watch_sync`): the link in words, how
// far a run is, a packet's progress as a percentage and its speed in human units, and when a
// change of status means the lists on screen are out of date.

import type { IntakeLink, SyncStatusView, UploadProgressView } from '../backend/types';
import { translate, type MessageKey, type UiLanguage } from '../i18n/catalogues';
import { formatNumber, formatScaled } from '../i18n/numbers';

export const LINK_KEYS: Record<IntakeLink, MessageKey> = {
  unknown: 'sync.link.unknown',
  online: 'sync.link.online',
  offline: 'sync.link.offline',
};

/**
 * The share of a packet the intake holds, in whole percent from 0 to 100, rounded down: a
 * packet reads 100% only once every byte is there. An empty total reads 0.
 */
export function progressPercent(progress: Pick<UploadProgressView, 'sent' | 'total'>): number {
  if (!(progress.total > 0)) return 0;
  const percent = Math.floor((progress.sent * 100) / progress.total);
  return Math.min(100, Math.max(0, percent));
}

/**
 * "Packet N of M" while a run sends: the packet under way is the one after those finished with,
 * never past the last. None when no run is going, or when the run took on nothing.
 */
export function sendingPosition(status: SyncStatusView): { number: number; total: number } | null {
  if (!status.running || status.run_total <= 0) return null;
  return { number: Math.min(status.run_done + 1, status.run_total), total: status.run_total };
}

/**
 * Whether the queue may have changed between two statuses, so a list read from the station is
 * stale: a run ended, or finished with one more packet (acknowledged, failed or set aside), or
 * the register's word changed what the station holds (a packet returned, say). A run that
 * starts resets its count without changing anything, and the first status heard has nothing
 * before it to compare with (the screen reads its lists when it opens anyway).
 */
export function runMoved(previous: SyncStatusView | null, next: SyncStatusView): boolean {
  if (!previous) return false;
  if (next.register_news !== previous.register_news) return true;
  if (previous.running && !next.running) return true;
  return previous.running && next.running && next.run_done !== previous.run_done;
}

/** A whole percentage as the language writes it: "42%", "42 %", "42٪". */
export function formatPercent(percent: number, language: UiLanguage): string {
  return translate(language, 'sync.percent', { value: formatNumber(percent, language, 0) });
}

const RATE_UNITS: readonly MessageKey[] = ['sync.rate.B', 'sync.rate.kB', 'sync.rate.MB', 'sync.rate.GB'];

/**
 * A speed in bytes per second in the largest unit that keeps it at or above 1, decimal
 * (1 KB = 1000 bytes, as link speeds are counted), with one decimal below 10 and none above:
 * "850 B/s", "1.5 MB/s", "1,5 Mo/s", "12 كيلوبايت/ث". The station says 0 until a second's worth
 * is in: that reads "measuring the speed…".
 */
export function formatRate(bytesPerSecond: number, language: UiLanguage): string {
  if (!(bytesPerSecond > 0)) return translate(language, 'sync.rate.measuring');
  return formatScaled(bytesPerSecond, RATE_UNITS, language);
}
