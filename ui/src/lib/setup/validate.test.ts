import { describe, expect, it } from 'vitest';

import { checkNewOperator, checkSetup, placeStationProblems, type OperatorForm, type SetupForm } from './validate';

const good: SetupForm = {
  station_name: 'Rabat 1',
  center_id: '10001',
  admin_username: 'admin',
  admin_full_name: 'Nadia Admin',
  admin_password: 'correct horse',
  password_confirm: 'correct horse',
  enrollment_code: '',
};

describe('setup form checks', () => {
  it('accept a complete form', () => {
    expect(checkSetup(good)).toEqual({});
  });

  it('leave the enrollment code optional, and word the station\'s refusal of one', () => {
    expect(checkSetup({ ...good, enrollment_code: '' })).toEqual({});
    expect(
      placeStationProblems(['enrollment_code'] as const, [
        { field: 'enrollment_code', language: null, code: 'invalid', message: 'the enrollment code is mistyped' },
      ]).problems,
    ).toEqual({ enrollment_code: { key: 'field.enrollmentCodeInvalid' } });
  });

  it('name each empty field', () => {
    expect(checkSetup({ ...good, station_name: ' ', admin_full_name: '' })).toEqual({
      station_name: { key: 'field.required' },
      admin_full_name: { key: 'field.required' },
    });
  });

  it('want a 5-digit center id and a plain username', () => {
    expect(checkSetup({ ...good, center_id: '1000', admin_username: 'nadia amrani' })).toEqual({
      center_id: { key: 'field.centerIdFormat' },
      admin_username: { key: 'field.usernameFormat' },
    });
  });

  it('refuse a short password and a confirmation that differs', () => {
    expect(checkSetup({ ...good, admin_password: 'short', password_confirm: 'short' })).toEqual({
      admin_password: { key: 'field.passwordTooShort' },
    });
    expect(checkSetup({ ...good, password_confirm: 'correct horse!' })).toEqual({
      password_confirm: { key: 'field.passwordsDiffer' },
    });
  });
});

describe('new operator checks', () => {
  it('apply the same rules', () => {
    const form: OperatorForm = {
      username: 'sara',
      full_name: 'Sara B',
      role: 'officer',
      password: 'long enough',
      password_confirm: 'long enough',
    };
    expect(checkNewOperator(form)).toEqual({});
    expect(checkNewOperator({ ...form, role: '', password_confirm: 'other' })).toEqual({
      role: { key: 'field.required' },
      password_confirm: { key: 'field.passwordsDiffer' },
    });
  });
});

describe('placing the station answer', () => {
  it('puts known fields under their input and keeps the rest', () => {
    const { problems, unplaced } = placeStationProblems(
      ['center_id', 'admin_password'] as const,
      [
        { field: 'center_id', language: null, code: 'invalid_format', message: 'the center id has 5 digits, e.g. 10002' },
        { field: 'admin_password', language: null, code: 'too_short', message: 'use at least 8 characters' },
        { field: 'admin_password', language: null, code: 'weird', message: 'x' },
        { field: 'elsewhere', language: null, code: 'required', message: 'y' },
      ],
    );
    // An unknown code reads "Check this value", never the station's English.
    expect(problems).toEqual({ center_id: { key: 'field.centerIdFormat' }, admin_password: { key: 'field.invalid' } });
    expect(unplaced.map((e) => e.field)).toEqual(['elsewhere']);
  });
});
