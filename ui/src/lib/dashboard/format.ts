// How the dashboard writes its numbers: counts with the language's separators ("1 234" in
// French) and counted units in the language's plural form ("3 hours", "ساعتان"), the day
// counted as a long date, and how long the oldest pending registration has waited.

import { formattingLocale, translate, type MessageKey, type UiLanguage } from '../i18n/catalogues';
import { formatNumber } from '../i18n/numbers';

/** A count as the language writes it: `1 234` in French, `1,234` in English. */
export function formatCount(value: number, language: UiLanguage): string {
  return formatNumber(value, language, 0);
}

/**
 * `value` with its counted `unit` (a `unit.*` message): the plural form is chosen by the number
 * itself, and the number written with the language's separators ("1 234 paquets").
 */
export function formatCounted(value: number, unit: MessageKey, language: UiLanguage): string {
  const plain = translate(language, unit, { count: value });
  return plain.replace(String(value), formatCount(value, language));
}

/** A wait in the largest unit that reads naturally: minutes under an hour, hours under two days. */
export function formatAge(minutes: number, language: UiLanguage): string {
  if (minutes < 60) return formatCounted(minutes, 'unit.minutes', language);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return formatCounted(hours, 'unit.hours', language);
  return formatCounted(Math.floor(hours / 24), 'unit.days', language);
}

/** The counted day (`YYYY-MM-DD`, a wall-clock date) as a long date: "25 November 2026". */
export function formatDay(day: string, language: UiLanguage): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return date.toLocaleDateString(formattingLocale(language), {
    dateStyle: 'long',
    timeZone: 'UTC',
    numberingSystem: 'latn',
  });
}

/** The window's wall clock ahead of UTC, in minutes (what the station counts "today" by). */
export function utcOffsetMinutes(now: Date = new Date()): number {
  // `0 -` rather than unary minus, which makes UTC's offset -0.
  return 0 - now.getTimezoneOffset();
}

/** The file name the report's PDF is offered under: `end-of-day-<center>-<day>.pdf`. */
export function reportFileName(centerId: string, day: string): string {
  const safe = (text: string) => text.replace(/[^\w-]+/g, '-');
  return `end-of-day-${safe(centerId)}-${safe(day)}.pdf`;
}
