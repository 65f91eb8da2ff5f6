// Numbers as each language writes them (Latin digits in every language, like the times in
// `time.ts` and the ids beside them), and quantities in the largest unit that keeps them at or
// above 1: speeds in the sync status, file sizes in the documents step.

import { formattingLocale, translate, type MessageKey, type UiLanguage } from './catalogues';

export function formatNumber(value: number, language: UiLanguage, fractionDigits: number): string {
  return new Intl.NumberFormat(formattingLocale(language), {
    maximumFractionDigits: fractionDigits,
    minimumFractionDigits: 0,
    numberingSystem: 'latn',
  }).format(value);
}

/**
 * `value` in the largest of `units` (each 1000 times the one before, decimal as link speeds and
 * disk sizes are counted) that keeps it at or above 1, with one decimal below 10 and none above.
 * Each unit is a catalogue key with a `{value}` parameter.
 */
export function formatScaled(value: number, units: readonly MessageKey[], language: UiLanguage): string {
  let unit = 0;
  for (;;) {
    const digits = unit > 0 && value < 10 ? 1 : 0;
    const rounded = Math.round(value * 10 ** digits) / 10 ** digits;
    // 999 960 rounds to 1000 of a unit: say 1 of the next one instead.
    if (rounded >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
      continue;
    }
    return translate(language, units[unit], { value: formatNumber(rounded, language, digits) });
  }
}

const SIZE_UNITS: readonly MessageKey[] = ['size.B', 'size.kB', 'size.MB', 'size.GB'];

/** A file's size: "850 B", "1.5 MB", "1,5 Mo", "12 كيلوبايت". */
export function formatBytes(bytes: number, language: UiLanguage): string {
  return formatScaled(Math.max(0, bytes), SIZE_UNITS, language);
}
