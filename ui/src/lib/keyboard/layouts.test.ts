// The layout tables: whole alphabets reachable, Western digits left alone, no presentation
// forms, the catalogue names of each layout present.

import { describe, expect, it } from 'vitest';

import { catalogues } from '../i18n/catalogues';
import { ARABIC_101, LAYOUTS, layoutFor, TIFINAGH_IRCAM } from './layouts';

/** Every character the table types, unshifted and shifted. */
function typed(keys: typeof ARABIC_101.keys): Set<string> {
  return new Set(Object.values(keys).flatMap(({ base, shift }) => [...base, ...shift]));
}

describe('layout tables', () => {
  it('type every letter of the Arabic alphabet, and the hamza forms', () => {
    const chars = typed(ARABIC_101.keys);
    const letters = [...'ابتثجحخدذرزسشصضطظعغفقكلمنهوي', ...'ءأإآؤئةى'];
    expect(letters.filter((letter) => !chars.has(letter))).toEqual([]);
  });

  it('type the 33 letters of the IRCAM alphabet: 31 keys, and ⵯ for ⴳⵯ and ⴽⵯ', () => {
    const chars = typed(TIFINAGH_IRCAM.keys);
    const letters = [...'ⴰⴱⴳⴷⴹⴻⴼⴽⵀⵃⵄⵅⵇⵉⵊⵍⵎⵏⵓⵔⵕⵖⵙⵚⵛⵜⵟⵡⵢⵣⵥⵯ'];
    expect(letters).toHaveLength(32);
    expect(letters.filter((letter) => !chars.has(letter))).toEqual([]);
  });

  it('leave the digit row and the keypad to the system: digits stay Western 0-9', () => {
    for (const layout of Object.values(LAYOUTS)) {
      const codes = Object.keys(layout.keys);
      expect(codes.filter((code) => /^(Digit|Numpad)/.test(code)), layout.language).toEqual([]);
      // No Arabic-Indic or Extended Arabic-Indic digit anywhere.
      expect([...typed(layout.keys)].filter((c) => /[\u0660-\u0669\u06F0-\u06F9]/.test(c)), layout.language).toEqual([]);
    }
  });

  it('type no presentation form: lam-alef is two letters', () => {
    for (const layout of Object.values(LAYOUTS)) {
      for (const [code, { base, shift }] of Object.entries(layout.keys)) {
        expect(`${base}${shift}`, `${layout.language} ${code}`).not.toMatch(/[\uFB50-\uFDFF\uFE70-\uFEFF]/);
        expect(base.normalize('NFC'), code).toBe(base);
        expect(shift.normalize('NFC'), code).toBe(shift);
      }
    }
    expect(ARABIC_101.keys.KeyB).toEqual({ base: '\u0644\u0627', shift: '\u0644\u0622' });
    expect(ARABIC_101.keys.KeyG.shift).toBe('\u0644\u0623');
    expect(ARABIC_101.keys.KeyT.shift).toBe('\u0644\u0625');
  });

  it('leave no key or level empty', () => {
    for (const layout of Object.values(LAYOUTS)) {
      for (const [code, { base, shift }] of Object.entries(layout.keys)) {
        expect(base, `${layout.language} ${code}`).not.toBe('');
        expect(shift, `${layout.language} ${code}`).not.toBe('');
      }
    }
  });

  it('are frozen', () => {
    expect(Object.isFrozen(ARABIC_101.keys)).toBe(true);
    expect(Object.isFrozen(ARABIC_101.keys.KeyQ)).toBe(true);
    expect(Object.isFrozen(LAYOUTS)).toBe(true);
  });

  it('are found by form language, and only for ara and zgh', () => {
    expect(layoutFor('ara')).toBe(ARABIC_101);
    expect(layoutFor('zgh')).toBe(TIFINAGH_IRCAM);
    for (const language of ['eng', 'fra', 'ar', '', null, undefined, 'constructor', 'toString']) {
      expect(layoutFor(language), String(language)).toBeNull();
    }
  });

  it('have their names in every UI language', () => {
    for (const layout of Object.values(LAYOUTS)) {
      for (const [language, catalogue] of Object.entries(catalogues)) {
        expect(catalogue[layout.labelKey], `${language} ${layout.labelKey}`).toBeTruthy();
      }
    }
    expect(catalogues.ar['keyboard.layout.ara']).toBe('العربية');
    expect(catalogues.zgh['keyboard.layout.zgh']).toBe('ⵜⵉⴼⵉⵏⴰⵖ');
  });
});
