import { describe, expect, it } from 'vitest';

import { catalogues, directionOf, pickLabel, pluralCategories, translate, type Message, type UiLanguage } from './catalogues';
import { en } from './en';

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
