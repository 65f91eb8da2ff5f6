// The window's current UI language as reactive state, and `t`, which components call in
// their markup (it reads the state, so every string re-renders when the language changes).
// Switching the language also sets `lang` and `dir` on <html>, so Arabic mirrors the layout.

import { directionOf, translate, type MessageKey, type Params, type UiLanguage } from './catalogues';

const current = $state<{ language: UiLanguage }>({ language: 'en' });

export function t(key: MessageKey, params?: Params): string {
  return translate(current.language, key, params);
}

export function uiLanguage(): UiLanguage {
  return current.language;
}

export function setUiLanguage(language: UiLanguage): void {
  current.language = language;
  if (typeof document !== 'undefined') {
    document.documentElement.lang = language;
    document.documentElement.dir = directionOf(language);
  }
}
