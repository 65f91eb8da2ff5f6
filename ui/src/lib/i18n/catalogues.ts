// The message catalogues by UI language, and the pure lookup the window's `t` is built on.

import { ar } from './ar';
import { en, type Message, type MessageKey } from './en';
import { fr } from './fr';
import { zgh } from './zgh';

export type { Message, MessageKey };

/** UI languages: the keys of every `label` and `hint` in the FormSpec. */
export type UiLanguage = 'en' | 'fr' | 'ar' | 'zgh';

export const UI_LANGUAGES: readonly { code: UiLanguage; name: string; direction: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', direction: 'ltr' },
  { code: 'fr', name: 'Français', direction: 'ltr' },
  { code: 'ar', name: 'العربية', direction: 'rtl' },
  // Standard Moroccan Tamazight, in Tifinagh (the font is bundled: app.css).
  { code: 'zgh', name: 'ⵜⴰⵎⴰⵣⵉⵖⵜ', direction: 'ltr' },
];

/** Whether `code` is a language the window has a catalogue for (the station keeps the same
 *  list: `UI_LANGUAGES` in `station/src/settings.rs`). */
export function isUiLanguage(code: string | null | undefined): code is UiLanguage {
  return UI_LANGUAGES.some((language) => language.code === code);
}

export const catalogues: Record<UiLanguage, Record<MessageKey, Message>> = { en, fr, ar, zgh };

export type Params = Record<string, string | number>;

/** `{name}` or `{name|unit.key}`. */
const PLACEHOLDER = /\{(\w+)(?:\|([\w.]+))?\}/g;

/**
 * The message for `key` in `language` with `{placeholders}` filled; English if missing. A
 * plural message takes the form of its `count`; `{n|unit.days}` renders `n` in the unit's form
 * for that number ("1 day", "3 أيام", "11 يومًا").
 */
export function translate(language: UiLanguage, key: MessageKey, params: Params = {}): string {
  const message = catalogues[language][key] ?? en[key] ?? key;
  const template = typeof message === 'string' ? message : pluralForm(message, language, params.count);
  return template.replace(PLACEHOLDER, (whole, name: string, unit: string | undefined) => {
    if (!(name in params)) return whole;
    if (unit && unit in en) return translate(language, unit as MessageKey, { count: params[name] });
    return String(params[name]);
  });
}

function pluralForm(forms: Exclude<Message, string>, language: UiLanguage, count: string | number | undefined): string {
  const number = Number(count);
  if (count === undefined || Number.isNaN(number)) return forms.other;
  return forms[pluralRules(language).select(number)] ?? forms.other;
}

/**
 * Whose plural rules each UI language counts by. CLDR has none for Standard Moroccan Tamazight,
 * and an engine asked for rules it lacks does not say so: WebKitGTK answers `zgh` with ICU's
 * root rules, `other` alone (the end-to-end test logs it), so "1 days"; Node's V8 takes its
 * default locale instead, which follows the desktop's (six categories on an Arabic one). So the
 * choice is made here. Tamazight puts the noun in the singular after one (ⵢⴰⵏ ⵡⴰⵙⵙ) and in
 * the plural after any other number (ⴽⵕⴰⴹ ⵏ ⵡⵓⵙⵙⴰⵏ): English's rule, `one` for 1 and `other`
 * for the rest.
 */
const PLURAL_RULES_LOCALE: Record<UiLanguage, string> = { en: 'en', fr: 'fr', ar: 'ar', zgh: 'en' };

function pluralRules(language: UiLanguage): Intl.PluralRules {
  return new Intl.PluralRules(PLURAL_RULES_LOCALE[language] ?? 'en');
}

/** The plural categories `language` distinguishes (Arabic: zero, one, two, few, many, other). */
export function pluralCategories(language: UiLanguage): Intl.LDMLPluralRule[] {
  return pluralRules(language).resolvedOptions().pluralCategories;
}

/**
 * Where a UI language's dates and numbers are formatted from when the engine has no data for
 * it: Moroccan usage, Latin digits (every caller also asks for `numberingSystem: 'latn'`).
 */
const FORMATTING_FALLBACK: Partial<Record<UiLanguage, string>> = { zgh: 'fr-MA' };

/**
 * The locale to hand `Intl.DateTimeFormat` and `Intl.NumberFormat` for `language`: the
 * language itself when the engine has its data (ICU has Tamazight's month names in Tifinagh),
 * else its fallback, rather than the engine's default locale, which is the desktop's.
 */
export function formattingLocale(language: UiLanguage): string {
  if (Intl.DateTimeFormat.supportedLocalesOf([language]).length > 0) return language;
  return FORMATTING_FALLBACK[language] ?? 'en';
}

export function directionOf(language: UiLanguage): 'ltr' | 'rtl' {
  return UI_LANGUAGES.find((l) => l.code === language)?.direction ?? 'ltr';
}

/** Picks the label for the UI language from a FormSpec `label`/`hint` map. */
export function pickLabel(labels: Record<string, string>, language: UiLanguage, fallback = ''): string {
  return labels[language] ?? labels.en ?? Object.values(labels)[0] ?? fallback;
}

/** The master data's language codes (ISO 639-3, as MOSIP writes them) of each UI language. */
const MASTER_DATA_LANGUAGE: Record<UiLanguage, string> = { en: 'eng', fr: 'fra', ar: 'ara', zgh: 'zgh' };

/** Picks the label for the UI language from a master-data entry's labels (`eng`, `fra`, …). */
export function pickMasterLabel(labels: Partial<Record<string, string>>, language: UiLanguage, fallback = ''): string {
  return labels[MASTER_DATA_LANGUAGE[language]] ?? labels.eng ?? Object.values(labels).find(Boolean) ?? fallback;
}

/** BCP 47 tags of the form's ISO 639-3 language codes (the others are the same in both). */
const FORM_LANGUAGE_TAGS: Record<string, string> = { eng: 'en', fra: 'fr', ara: 'ar' };

/** The `lang` attribute of a value typed in the form language `code`: fonts and shaping follow it. */
export function formLanguageTag(code: string): string {
  return FORM_LANGUAGE_TAGS[code] ?? code;
}
