// The message catalogues by UI language, and the pure lookup the window's `t` is built on.

import { ar } from './ar';
import { en, type MessageKey } from './en';
import { fr } from './fr';

export type { MessageKey };

/** UI languages: the keys of every `label` and `hint` in the FormSpec. */
export type UiLanguage = 'en' | 'fr' | 'ar';

export const UI_LANGUAGES: readonly { code: UiLanguage; name: string; direction: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', direction: 'ltr' },
  { code: 'fr', name: 'Français', direction: 'ltr' },
  { code: 'ar', name: 'العربية', direction: 'rtl' },
];

export const catalogues: Record<UiLanguage, Record<MessageKey, string>> = { en, fr, ar };

export type Params = Record<string, string | number>;

/** The message for `key` in `language` with `{placeholders}` filled; English if missing. */
export function translate(language: UiLanguage, key: MessageKey, params: Params = {}): string {
  const template = catalogues[language][key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function directionOf(language: UiLanguage): 'ltr' | 'rtl' {
  return UI_LANGUAGES.find((l) => l.code === language)?.direction ?? 'ltr';
}

/** Picks the label for the UI language from a FormSpec `label`/`hint` map. */
export function pickLabel(labels: Record<string, string>, language: UiLanguage, fallback = ''): string {
  return labels[language] ?? labels.en ?? Object.values(labels)[0] ?? fallback;
}
