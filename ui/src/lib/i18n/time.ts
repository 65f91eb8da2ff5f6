// Dates and times as the screens show them, in the UI language.

import { formattingLocale, type UiLanguage } from './catalogues';

/**
 * An RFC 3339 time as a short local date and time, with Latin digits in every language (like
 * the registration ids and receipt references beside it; Tamazight's months are in Tifinagh).
 * Anything unparsable is shown as is.
 */
export function formatTime(iso: string, language: UiLanguage): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(formattingLocale(language), {
    dateStyle: 'medium',
    timeStyle: 'short',
    numberingSystem: 'latn',
  });
}
