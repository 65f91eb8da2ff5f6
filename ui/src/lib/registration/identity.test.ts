import { describe, expect, it } from 'vitest';

import type { FormSpec } from '../backend/types';
import {
  applyingValues,
  checkLocally,
  clearDependents,
  dateFromAge,
  emptyValues,
  errorsOfField,
  fieldApplies,
  fullYears,
  optionsFor,
  errorsAt,
  errorsOffForm,
  identityFromValues,
  isSlashedDate,
  valuesFromIdentity,
} from './identity';

/** What a field without age, dependent options or condition says of them. */
const plainField = { accepts_age: false, options_parent: null, shown_when: null } as const;

const spec: FormSpec = {
  processes: [],
  languages: [
    { code: 'eng', name: 'English', direction: 'ltr', mandatory: true },
    { code: 'ara', name: 'العربية', direction: 'rtl', mandatory: false },
  ],
  fields: [
    { id: 'fullName', control: 'text', label: { en: 'Full name' }, required: true, multilingual: true, options: [], hint: {}, max_length: 10, ...plainField },
    { id: 'dateOfBirth', control: 'date', label: { en: 'Date of birth' }, required: true, multilingual: false, options: [], hint: { en: 'YYYY/MM/DD' }, max_length: null, ...plainField },
    {
      id: 'gender',
      control: 'dropdown',
      label: { en: 'Gender' },
      required: true,
      multilingual: false,
      options: [{ value: 'FLE', label: { en: 'Female' } }],
      hint: {},
      max_length: null,
      ...plainField,
    },
    { id: 'phone', control: 'phone', label: { en: 'Phone' }, required: false, multilingual: false, options: [], hint: {}, max_length: null, ...plainField },
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

describe('the realistic form: ages, conditions, dependent dropdowns, checkboxes', () => {
  const today = new Date(2026, 10, 25); // 25 November 2026, local time as the window reads it
  const form: FormSpec = {
    processes: [],
    languages: [
      { code: 'eng', name: 'English', direction: 'ltr', mandatory: true },
      { code: 'ara', name: 'العربية', direction: 'rtl', mandatory: true },
    ],
    fields: [
      { ...spec.fields[1], accepts_age: true },
      { id: 'region', control: 'dropdown', label: { en: 'Region' }, required: true, multilingual: false, hint: {}, max_length: null, ...plainField,
        options: [{ value: 'RSK', label: { en: 'Rabat' } }, { value: 'CS', label: { en: 'Casablanca' } }] },
      { id: 'province', control: 'dropdown', label: { en: 'Province' }, required: true, multilingual: false, hint: {}, max_length: null, ...plainField,
        options_parent: 'region',
        options: [{ value: 'RABAT', label: { en: 'Rabat' }, parent: 'RSK' }, { value: 'SETTAT', label: { en: 'Settat' }, parent: 'CS' }] },
      { id: 'zone', control: 'dropdown', label: { en: 'Zone' }, required: false, multilingual: true, hint: {}, max_length: null, ...plainField,
        options_parent: 'province',
        options: [{ value: 'AGDAL', label: { en: 'Agdal' }, parent: 'RABAT' }, { value: 'CENTRE', label: { en: 'Centre' }, parent: 'SETTAT' }] },
      { id: 'sms', control: 'checkbox', label: { en: 'SMS' }, required: true, multilingual: false, options: [], hint: {}, max_length: null, ...plainField },
      { id: 'guardian', control: 'text', label: { en: 'Guardian' }, required: true, multilingual: true, options: [], hint: {}, max_length: null, ...plainField,
        shown_when: { age_below: { field: 'dateOfBirth', years: 18 } } },
      { id: 'permit', control: 'text', label: { en: 'Permit' }, required: true, multilingual: false, options: [], hint: {}, max_length: null, ...plainField,
        shown_when: { equals: { field: 'region', value: 'CS' } } },
    ],
  };
  const field = (id: string) => form.fields.find((f) => f.id === id)!;

  it('count ages in full years and turn an age into a date as MOSIP does', () => {
    expect(fullYears('2008/11/25', today)).toBe(18);
    expect(fullYears('2008/11/26', today)).toBe(17);
    expect(fullYears('2008/02/30', today)).toBeNull();
    expect(dateFromAge(30, today)).toBe('1996/11/25');
    expect(dateFromAge(0, today)).toBe('2026/11/25');
    expect(dateFromAge(1, new Date(2024, 1, 29))).toBe('2023/02/28');
  });

  it('show a guardian for a minor only, and a field on another field’s value', () => {
    const values = emptyValues(form);
    expect(fieldApplies(form, field('guardian'), values, today)).toBe(false);
    values.dateOfBirth = '2010/01/01';
    expect(fieldApplies(form, field('guardian'), values, today)).toBe(true);
    values.dateOfBirth = '2008/11/25';
    expect(fieldApplies(form, field('guardian'), values, today)).toBe(false);
    values.dateOfBirth = '2027/01/01';
    expect(fieldApplies(form, field('guardian'), values, today), 'a date in the future is no minor').toBe(false);
    expect(fieldApplies(form, field('permit'), values, today)).toBe(false);
    values.region = 'CS';
    expect(fieldApplies(form, field('permit'), values, today)).toBe(true);
  });

  it('offer the options under the parent’s choice and empty the levels below a new choice', () => {
    let values = emptyValues(form);
    expect(optionsFor(form, field('province'), values)).toEqual([]);
    values.region = 'RSK';
    expect(optionsFor(form, field('province'), values).map((o) => o.value)).toEqual(['RABAT']);
    values.province = 'RABAT';
    values.zone = { eng: 'AGDAL', ara: 'AGDAL' };
    expect(clearDependents(form, values, 'region')).toBe(values);
    values = { ...values, region: 'CS' };
    const cleared = clearDependents(form, values, 'region');
    expect(cleared.province).toBe('');
    expect(cleared.zone).toEqual({ eng: '', ara: '' });
  });

  it('check only the fields that apply, options under their parent, and a required box ticked', () => {
    const values = emptyValues(form);
    values.dateOfBirth = '1990/02/28';
    values.region = 'RSK';
    values.province = 'SETTAT';
    values.sms = 'N';
    const codes = checkLocally(form, values, today).map((p) => `${p.field}:${p.language ?? ''}:${p.code}`);
    expect(codes).toEqual(['province::not_an_option', 'sms::required']);
    values.dateOfBirth = '2015/05/05';
    values.province = 'RABAT';
    values.zone = { eng: 'CENTRE', ara: 'CENTRE' };
    values.sms = 'Y';
    const minor = checkLocally(form, values, today).map((p) => `${p.field}:${p.language ?? ''}:${p.code}`);
    expect(minor).toEqual(['zone:eng:not_an_option', 'zone:ara:not_an_option', 'guardian:eng:required', 'guardian:ara:required']);
    expect(Object.keys(applyingValues(form, values, today))).toEqual(['dateOfBirth', 'region', 'province', 'zone', 'sms', 'guardian']);
  });

  it('show a multilingual dropdown’s per-language errors once under its one select', () => {
    const errors = [
      { field: 'zone', language: 'eng', code: 'required', message: '' },
      { field: 'zone', language: 'ara', code: 'required', message: '' },
      { field: 'zone', language: 'ara', code: 'not_an_option', message: '' },
      { field: 'sms', language: null, code: 'required', message: '' },
    ];
    expect(errorsOfField(errors, 'zone').map((e) => e.code)).toEqual(['required', 'not_an_option']);
  });
});
