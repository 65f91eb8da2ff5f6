import { describe, expect, it } from 'vitest';

import type { FormSpec } from '../backend/types';
import {
  checkLocally,
  emptyValues,
  errorsAt,
  errorsOffForm,
  identityFromValues,
  isSlashedDate,
  valuesFromIdentity,
} from './identity';

const spec: FormSpec = {
  languages: [
    { code: 'eng', name: 'English', direction: 'ltr', mandatory: true },
    { code: 'ara', name: 'العربية', direction: 'rtl', mandatory: false },
  ],
  fields: [
    { id: 'fullName', control: 'text', label: { en: 'Full name' }, required: true, multilingual: true, options: [], hint: {}, max_length: 10 },
    { id: 'dateOfBirth', control: 'date', label: { en: 'Date of birth' }, required: true, multilingual: false, options: [], hint: { en: 'YYYY/MM/DD' }, max_length: null },
    {
      id: 'gender',
      control: 'dropdown',
      label: { en: 'Gender' },
      required: true,
      multilingual: false,
      options: [{ value: 'FLE', label: { en: 'Female' } }],
      hint: {},
      max_length: null,
    },
    { id: 'phone', control: 'phone', label: { en: 'Phone' }, required: false, multilingual: false, options: [], hint: {}, max_length: null },
  ],
};

describe('identity documents', () => {
  it('leave out empty values and keep the form language order', () => {
    const values = emptyValues(spec);
    values.fullName = { ara: 'أمينة', eng: 'Amina' };
    values.gender = 'FLE';
    values.phone = '  ';
    expect(identityFromValues(spec, values)).toEqual({
      fullName: [
        { language: 'eng', value: 'Amina' },
        { language: 'ara', value: 'أمينة' },
      ],
      gender: 'FLE',
    });
  });

  it('round-trip through a stored document', () => {
    const identity = {
      fullName: [{ language: 'ara', value: 'أمينة' }],
      dateOfBirth: '1990/02/28',
      IDSchemaVersion: 1,
    };
    const values = valuesFromIdentity(spec, identity);
    expect(values.fullName).toEqual({ eng: '', ara: 'أمينة' });
    expect(values.dateOfBirth).toBe('1990/02/28');
    expect(identityFromValues(spec, values)).toEqual({
      fullName: [{ language: 'ara', value: 'أمينة' }],
      dateOfBirth: '1990/02/28',
    });
  });

  it('start empty without a stored document', () => {
    expect(valuesFromIdentity(spec, null)).toEqual(emptyValues(spec));
  });
});

describe('local checks', () => {
  it('name every empty required field, in each mandatory language only', () => {
    const codes = checkLocally(spec, emptyValues(spec)).map((e) => [e.field, e.language, e.code]);
    expect(codes).toEqual([
      ['fullName', 'eng', 'required'],
      ['dateOfBirth', null, 'required'],
      ['gender', null, 'required'],
    ]);
  });

  it('check dates, options and lengths', () => {
    const values = emptyValues(spec);
    values.fullName = { eng: 'Amina', ara: 'أمينة الإدريسية' };
    values.dateOfBirth = '1990/02/30';
    values.gender = 'XYZ';
    const codes = checkLocally(spec, values).map((e) => [e.field, e.language, e.code]);
    expect(codes).toEqual([
      ['fullName', 'ara', 'too_long'],
      ['dateOfBirth', null, 'invalid_date'],
      ['gender', null, 'not_an_option'],
    ]);
  });

  it('pass a complete form', () => {
    const values = emptyValues(spec);
    values.fullName = { eng: 'Amina', ara: 'أمينة' };
    values.dateOfBirth = '1990/02/28';
    values.gender = 'FLE';
    expect(checkLocally(spec, values)).toEqual([]);
  });
});

describe('dates', () => {
  it('accept only real YYYY/MM/DD dates', () => {
    expect(isSlashedDate('2024/02/29')).toBe(true);
    expect(isSlashedDate('2023/02/29')).toBe(false);
    expect(isSlashedDate('1990-02-28')).toBe(false);
    expect(isSlashedDate('1990/2/28')).toBe(false);
  });
});

describe('placing errors', () => {
  const errors = [
    { field: 'fullName', language: 'ara', code: 'required', message: 'required in العربية' },
    { field: 'gender', language: null, code: 'required', message: 'this field is required' },
    { field: 'face', language: null, code: 'required', message: 'capture the face' },
    { field: 'fullName', language: 'deu', code: 'unknown_language', message: 'no language deu' },
  ];

  it('puts each under its input', () => {
    expect(errorsAt(errors, 'fullName', 'ara')).toHaveLength(1);
    expect(errorsAt(errors, 'fullName', 'eng')).toHaveLength(0);
    expect(errorsAt(errors, 'gender', null)).toHaveLength(1);
  });

  it('keeps those that have no input on the form', () => {
    expect(errorsOffForm(spec, errors).map((e) => e.field)).toEqual(['face', 'fullName']);
  });
});
