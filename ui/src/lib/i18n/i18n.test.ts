import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  catalogues,
  directionOf,
  formattingLocale,
  pickLabel,
  pickMasterLabel,
  pluralCategories,
  translate,
  UI_LANGUAGES,
  type Message,
  type UiLanguage,
} from './catalogues';
import { en } from './en';
import { formatTime } from './time';
import { zgh } from './zgh';

/** Every text of a message: the string, or each plural form. */
function texts(message: Message): string[] {
  return typeof message === 'string' ? [message] : Object.values(message);
}

/** The placeholders of a text, by name (`{days|unit.days}` counts as `days`). */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)(?:\|[\w.]+)?\}/g)].map((m) => m[1]))].sort();
}

describe('catalogues', () => {
  it('have the same keys in every language', () => {
    const keys = Object.keys(en).sort();
    for (const [language, catalogue] of Object.entries(catalogues)) {
      expect(Object.keys(catalogue).sort(), language).toEqual(keys);
    }
  });

  it('have no empty message', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const [key, message] of Object.entries(catalogue)) {
        for (const text of texts(message)) expect(text.trim(), `${language} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders as English', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const [key, message] of Object.entries(catalogue)) {
        const english = placeholders(texts(en[key as keyof typeof en]).join(' '));
        const own = placeholders(texts(message).join(' '));
        expect(own, `${language} ${key}`).toEqual(english);
      }
    }
  });

  it('give every plural message each form its language has', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      const categories = pluralCategories(language as UiLanguage);
      for (const [key, message] of Object.entries(catalogue)) {
        if (typeof message === 'string') continue;
        expect(Object.keys(message).sort(), `${language} ${key}`).toEqual([...categories].sort());
      }
    }
  });

  it('embed only counted units that exist and are plural', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const [key, message] of Object.entries(catalogue)) {
        for (const text of texts(message)) {
          for (const [, unit] of text.matchAll(/\{\w+\|([\w.]+)\}/g)) {
            const target = catalogue[unit as keyof typeof en];
            expect(typeof target, `${language} ${key} names ${unit}`).toBe('object');
          }
        }
      }
    }
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'login.station', { name: 'Rabat 1' })).toBe('Station: Rabat 1');
    expect(translate('ar', 'login.station', { name: 'Rabat 1' })).toBe('المحطة: Rabat 1');
  });

  it('chooses the plural form of the number, in each language', () => {
    const days = (language: UiLanguage, count: number) => translate(language, 'purge.nothing', { days: count });
    expect(days('en', 1)).toContain('more than 1 day ago');
    expect(days('en', 30)).toContain('more than 30 days ago');
    expect(days('fr', 1)).toContain('il y a plus de 1 jour');
    expect(days('fr', 30)).toContain('il y a plus de 30 jours');
    // Arabic: one, two, few (3-10), many (11-99), other (100, 101...).
    expect(days('ar', 1)).toContain('يوم واحد');
    expect(days('ar', 2)).toContain('يومان');
    expect(days('ar', 3)).toContain('3 أيام');
    expect(days('ar', 11)).toContain('11 يومًا');
    expect(days('ar', 100)).toContain('100 يوم');
  });

  it('counts in Tamazight: the singular for one, the plural otherwise', () => {
    const days = (count: number) => translate('zgh', 'purge.nothing', { days: count });
    expect(days(1)).toContain('1 ⵡⴰⵙⵙ');
    expect(days(0)).toContain('0 ⵏ ⵡⵓⵙⵙⴰⵏ');
    expect(days(2)).toContain('2 ⵏ ⵡⵓⵙⵙⴰⵏ');
    expect(days(30)).toContain('30 ⵏ ⵡⵓⵙⵙⴰⵏ');
    expect(translate('zgh', 'home.syncQueued', { count: 1 })).toContain('1 ⵓⴽⵎⵎⵓⵙ');
    expect(translate('zgh', 'home.syncQueued', { count: 12 })).toContain('12 ⵏ ⵉⴽⵎⵎⵓⵙⵏ');
  });

  it('agrees the French participle with what was captured', () => {
    const captured = (count: number) => translate('fr', 'wizard.captured', { count, captured: count, total: 4 });
    expect(captured(1)).toBe('1 sur 4 capturé');
    expect(captured(0)).toBe('0 sur 4 capturé');
    expect(captured(3)).toBe('3 sur 4 capturés');
  });

  it('leaves an unknown placeholder visible rather than blank', () => {
    expect(translate('en', 'login.station')).toBe('Station: {name}');
  });
});

describe('direction and labels', () => {
  it('lays Arabic out right to left', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('fr')).toBe('ltr');
  });

  it('falls back to English, then to any label', () => {
    expect(pickLabel({ en: 'Gender', ar: 'الجنس' }, 'ar')).toBe('الجنس');
    expect(pickLabel({ en: 'Gender' }, 'fr')).toBe('Gender');
    expect(pickLabel({ es: 'Género' }, 'fr')).toBe('Género');
    expect(pickLabel({}, 'fr', 'gender')).toBe('gender');
  });
});

describe('Tamazight', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is offered by its own name, laid out left to right', () => {
    expect(UI_LANGUAGES.find((l) => l.code === 'zgh')?.name).toBe('ⵜⴰⵎⴰⵣⵉⵖⵜ');
    expect(directionOf('zgh')).toBe('ltr');
  });

  it('is written in Tifinagh throughout: Latin letters only in placeholders, units and codes', () => {
    // What Moroccan usage leaves in Latin letters: byte units, USB, file formats, the sample
    // enrollment code.
    const latinKept = /\{[\w|.]+\}|\b(?:[KMG]?B(?:\/s)?|USB|PDF|JPEG|PNG|ABCD-EFGH-JKMN)\b/g;
    for (const [key, message] of Object.entries(zgh)) {
      for (const text of texts(message)) {
        const rest = text.replace(latinKept, '');
        expect(rest, key).not.toMatch(/[A-Za-z\u00C0-\u024F]/);
        if (/[^\s\d{}|.%/()-]/.test(rest)) expect(rest, key).toMatch(/[\u2D30-\u2D7F]/);
      }
    }
  });

  it('has its plural categories whatever the engine knows of zgh', () => {
    // CLDR has no plural rules for zgh: V8 answers with its default locale's, which is the
    // desktop's. Play an Arabic desktop: the counts must still read as Tamazight counts.
    const real = Intl.PluralRules;
    class ArabicDesktop extends real {
      constructor(locales?: string | string[], options?: Intl.PluralRulesOptions) {
        super(locales === 'zgh' ? 'ar' : locales, options);
      }
    }
    // `Intl.PluralRules` is read-only to the compiler, not to the engine.
    const intl = Intl as { PluralRules: typeof Intl.PluralRules };
    intl.PluralRules = ArabicDesktop as typeof Intl.PluralRules;
    try {
      expect(pluralCategories('zgh').sort()).toEqual(['one', 'other']);
      expect(translate('zgh', 'purge.nothing', { days: 1 })).toContain('1 ⵡⴰⵙⵙ');
      expect(translate('zgh', 'purge.nothing', { days: 3 })).toContain('3 ⵏ ⵡⵓⵙⵙⴰⵏ');
      expect(translate('zgh', 'purge.nothing', { days: 11 })).toContain('11 ⵏ ⵡⵓⵙⵙⴰⵏ');
    } finally {
      intl.PluralRules = real;
    }
  });

  it('formats dates with Latin digits, and falls back to Moroccan usage where the engine lacks zgh', () => {
    const text = formatTime('2026-11-25T10:05:00Z', 'zgh');
    expect(text).toMatch(/2026/);
    expect(text).not.toMatch(/[\u0660-\u0669]/);
    vi.spyOn(Intl.DateTimeFormat, 'supportedLocalesOf').mockReturnValue([]);
    expect(formattingLocale('zgh')).toBe('fr-MA');
    expect(formatTime('2026-11-25T10:05:00Z', 'zgh')).toMatch(/2026/);
  });

  it('picks the master data label in zgh, else English', () => {
    expect(pickMasterLabel({ eng: 'Rabat', zgh: 'ⵔⴱⴰⵟ' }, 'zgh')).toBe('ⵔⴱⴰⵟ');
    expect(pickMasterLabel({ eng: 'Rabat', ara: 'الرباط' }, 'zgh')).toBe('Rabat');
    expect(pickLabel({ en: 'Gender', ar: 'الجنس' }, 'zgh')).toBe('Gender');
  });
});
