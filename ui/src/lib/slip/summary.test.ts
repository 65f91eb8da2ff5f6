import { describe, expect, it } from 'vitest';

import { FORM } from '../../test/fakeBackend';
import { slipLines } from './summary';

describe('the slip’s summary', () => {
  const identity = {
    fullName: [
      { language: 'eng', value: 'Amina Idrissi' },
      { language: 'ara', value: 'أمينة الإدريسي' },
    ],
    dateOfBirth: '1990/02/28',
    gender: 'FLE',
    phone: '',
  };

  it('lists each filled field, a name in every language it was typed in, each in its direction', () => {
    const lines = slipLines(FORM, identity, 'fr');
    expect(lines.map((l) => l.label)).toEqual(['Nom complet', 'Date de naissance', 'Genre']);
    expect(lines[0].values).toEqual([
      { language: 'eng', direction: 'ltr', text: 'Amina Idrissi' },
      { language: 'ara', direction: 'rtl', text: 'أمينة الإدريسي' },
    ]);
  });

  it('names a dropdown’s choice by its label in the clerk’s language', () => {
    expect(slipLines(FORM, identity, 'ar').find((l) => l.fieldId === 'gender')?.values[0].text).toBe('أنثى');
    expect(slipLines(FORM, identity, 'en').find((l) => l.fieldId === 'gender')?.values[0].text).toBe('Female');
  });

  it('writes a phone number and a date left to right, whatever the page’s direction', () => {
    const lines = slipLines(FORM, { ...identity, phone: '+212600112233' }, 'ar');
    expect(lines.find((l) => l.fieldId === 'phone')?.values[0]).toEqual({ language: null, direction: 'ltr', text: '+212600112233' });
    expect(lines.find((l) => l.fieldId === 'dateOfBirth')?.values[0].direction).toBe('ltr');
    expect(lines.find((l) => l.fieldId === 'gender')?.values[0].direction).toBe('auto');
  });

  it('shows nothing for an identity it cannot read', () => {
    expect(slipLines(FORM, null, 'en')).toEqual([]);
  });
});
