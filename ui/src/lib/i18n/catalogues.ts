// The message catalogues by UI language, and the pure lookup the window's `t` is built on.

import { ar } from './ar';
import { en, type Message, type MessageKey } from './en';
import { fr } from './fr';

export type { Message, MessageKey };

/** UI languages: the keys of every `label` and `hint` in the FormSpec. */
export type UiLanguage = 'en' | 'fr' | 'ar';

export const UI_LANGUAGES: readonly { code: UiLanguage; name: string; direction: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', direction: 'ltr' },
  { code: 'fr', name: 'Français', direction: 'ltr' },
  { code: 'ar', name: 'العربية', direction: 'rtl' },
];

export const catalogues: Record<UiLanguage, Record<MessageKey, Message>> = { en, fr, ar };

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
  return forms[new Intl.PluralRules(language).select(number)] ?? forms.other;
}

/** The plural categories `language` distinguishes (Arabic: zero, one, two, few, many, other). */
export function pluralCategories(language: UiLanguage): Intl.LDMLPluralRule[] {
  return new Intl.PluralRules(language).resolvedOptions().pluralCategories;
}

export function directionOf(language: UiLanguage): 'ltr' | 'rtl' {
  return UI_LANGUAGES.find((l) => l.code === language)?.direction ?? 'ltr';
}

/** Picks the label for the UI language from a FormSpec `label`/`hint` map. */
export function pickLabel(labels: Record<string, string>, language: UiLanguage, fallback = ''): string {
  return labels[language] ?? labels.en ?? Object.values(labels)[0] ?? fallback;
}

/** The master data's language codes (ISO 639-3, as MOSIP writes them) of each UI language. */
const MASTER_DATA_LANGUAGE: Record<UiLanguage, string> = { en: 'eng', fr: 'fra', ar: 'ara' };

/** Picks the label for the UI language from a master-data entry's labels (`eng`, `fra`, …). */
export function pickMasterLabel(labels: Partial<Record<string, string>>, language: UiLanguage, fallback = ''): string {
  return labels[MASTER_DATA_LANGUAGE[language]] ?? labels.eng ?? Object.values(labels).find(Boolean) ?? fallback;
}
