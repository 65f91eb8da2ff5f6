import { describe, expect, it } from 'vitest';

import { catalogues, directionOf, pickLabel, translate } from './catalogues';
import { en } from './en';

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
        expect(message.trim(), `${language} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders as English', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const [key, message] of Object.entries(catalogue)) {
        expect(placeholders(message), `${language} ${key}`).toEqual(placeholders(en[key as keyof typeof en]));
      }
    }
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'login.station', { name: 'Rabat 1' })).toBe('Station: Rabat 1');
    expect(translate('ar', 'login.station', { name: 'Rabat 1' })).toBe('المحطة: Rabat 1');
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
