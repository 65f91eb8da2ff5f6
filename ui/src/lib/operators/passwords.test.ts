import { describe, expect, it } from 'vitest';

import { checkChangePassword, checkResetPassword, placePasswordProblems } from './passwords';

describe('change password', () => {
  it('asks for the current password and a long enough new one, typed twice', () => {
    expect(checkChangePassword({ old_password: '', new_password: 'short', password_confirm: 'short' })).toEqual({
      old_password: { key: 'field.required' },
      new_password: { key: 'field.passwordTooShort' },
    });
    expect(
      checkChangePassword({ old_password: 'old password', new_password: 'new password', password_confirm: 'new passw0rd' }),
    ).toEqual({ password_confirm: { key: 'field.passwordsDiffer' } });
    expect(
      checkChangePassword({ old_password: 'same password', new_password: 'same password', password_confirm: 'same password' }),
    ).toEqual({ new_password: { key: 'field.passwordSameAsOld' } });
    expect(
      checkChangePassword({ old_password: 'old password', new_password: 'new password', password_confirm: 'new password' }),
    ).toEqual({});
  });

  it('counts characters, not bytes', () => {
    // Eight Arabic letters are eight characters, as the station counts them.
    expect(checkResetPassword({ new_password: 'كلمةسرية', password_confirm: 'كلمةسرية' })).toEqual({});
    expect(checkResetPassword({ new_password: '', password_confirm: '' })).toEqual({
      new_password: { key: 'field.required' },
    });
  });

  it('puts the station’s answer next to the field it names', () => {
    const { problems, unplaced } = placePasswordProblems(
      ['old_password', 'new_password'] as const,
      [
        { field: 'old_password', language: null, code: 'wrong_password', message: 'not your current password' },
        { field: 'new_password', language: null, code: 'same_as_old', message: 'choose a new one' },
        { field: 'elsewhere', language: null, code: 'odd', message: 'the station says so' },
      ],
    );
    expect(problems).toEqual({
      old_password: { key: 'field.passwordWrongCurrent' },
      new_password: { key: 'field.passwordSameAsOld' },
    });
    expect(unplaced.map((e) => e.field)).toEqual(['elsewhere']);
  });
});
