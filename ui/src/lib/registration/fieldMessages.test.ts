import { describe, expect, it } from 'vitest';

import type { FormSpec } from '../backend/types';
import { fieldErrorMessage } from './fieldMessages';

/** What a field without age, dependent options or condition says of them. */
const plainField = { accepts_age: false, options_parent: null, shown_when: null } as const;

const spec: FormSpec = {
  processes: [],
  languages: [{ code: 'ara', name: 'العربية', direction: 'rtl', mandatory: true }],
  fields: [
    { id: 'phone', control: 'phone', label: { en: 'Phone' }, required: false, multilingual: false, options: [], hint: { en: '+212600000000' }, max_length: 16, ...plainField },
    { id: 'fullName', control: 'text', label: { en: 'Full name' }, required: true, multilingual: true, options: [], hint: {}, max_length: 80, ...plainField },
  ],
};

describe('field error messages', () => {
  it('name the language of a missing multilingual value', () => {
    const message = fieldErrorMessage(spec, { field: 'fullName', language: 'ara', code: 'required', message: '' }, 'en');
    expect(message).toBe('Required in العربية');
  });

  it('show the expected format from the hint', () => {
    const message = fieldErrorMessage(spec, { field: 'phone', language: null, code: 'invalid_format', message: '' }, 'fr');
    expect(message).toBe('Format inattendu, par ex. +212600000000');
  });

  it('give the length limit', () => {
    expect(fieldErrorMessage(spec, { field: 'phone', language: null, code: 'too_long', message: '' }, 'en')).toBe('At most 16 characters');
  });

  it('say "check this value" in the clerk’s language for an unknown code, never the station’s English', () => {
    const error = { field: 'phone', language: null, code: 'blocked_number', message: 'this number is blocked' };
    expect(fieldErrorMessage(spec, error, 'ar')).toBe('تحقّق من هذه القيمة');
  });
});
