// Checks of the password forms that need no station: change one's own password (current,
// new, confirmation) and an admin's reset of someone else's (new, confirmation). The station
// checks again and has the last word (a wrong current password only it can know);
// `placePasswordProblems` puts its answer next to the right field.

import type { FieldError } from '../backend/types';
import { MIN_PASSWORD_LENGTH, placeStationProblems, type Problem, type Problems } from '../setup/validate';

export interface ChangePasswordForm {
  old_password: string;
  new_password: string;
  password_confirm: string;
}

export interface ResetPasswordForm {
  new_password: string;
  password_confirm: string;
}

function checkNew<K extends string>(problems: Problems<K>, newKey: K, confirmKey: K, form: Record<K, string>) {
  if (form[newKey] === '') problems[newKey] = { key: 'field.required' };
  else if ([...form[newKey]].length < MIN_PASSWORD_LENGTH) problems[newKey] = { key: 'field.passwordTooShort' };
  if (!problems[newKey] && form[confirmKey] !== form[newKey]) problems[confirmKey] = { key: 'field.passwordsDiffer' };
}

export function checkChangePassword(form: ChangePasswordForm): Problems<keyof ChangePasswordForm> {
  const problems: Problems<keyof ChangePasswordForm> = {};
  if (form.old_password === '') problems.old_password = { key: 'field.required' };
  checkNew(problems, 'new_password', 'password_confirm', form as unknown as Record<keyof ChangePasswordForm, string>);
  if (!problems.new_password && form.old_password !== '' && form.new_password === form.old_password) {
    problems.new_password = { key: 'field.passwordSameAsOld' };
  }
  return problems;
}

export function checkResetPassword(form: ResetPasswordForm): Problems<keyof ResetPasswordForm> {
  const problems: Problems<keyof ResetPasswordForm> = {};
  checkNew(problems, 'new_password', 'password_confirm', form as unknown as Record<keyof ResetPasswordForm, string>);
  return problems;
}

/** The station's field error for a password form, in the UI language when we know its code. */
export function passwordProblem(error: FieldError): Problem {
  switch (error.code) {
    case 'wrong_password':
      return { key: 'field.passwordWrongCurrent' };
    case 'too_short':
      return { key: 'field.passwordTooShort' };
    case 'same_as_old':
      return { key: 'field.passwordSameAsOld' };
    default:
      return { key: 'field.invalid' };
  }
}

/** Places the station's field errors on a password form's keys; the rest are returned apart. */
export function placePasswordProblems<K extends string>(
  keys: readonly K[],
  errors: FieldError[],
): { problems: Problems<K>; unplaced: FieldError[] } {
  return placeStationProblems(keys, errors, passwordProblem);
}
