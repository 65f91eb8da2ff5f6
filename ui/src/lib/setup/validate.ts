// Checks of the first-run and new-operator forms that need no station: every field filled,
// the formats the station expects, the password long enough and typed twice the same. The
// station checks again and has the last word; `problemFromStation` places its answer.

import type { FieldError, Role } from '../backend/types';
import type { MessageKey, Params } from '../i18n/catalogues';

export const MIN_PASSWORD_LENGTH = 8;
/** As `station/src/setup.rs`: 1 to 32 letters, digits, dots, dashes or underscores. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
/** A registration center id has 5 digits, e.g. 10002. */
export const CENTER_ID_PATTERN = /^\d{5}$/;

/** What to show under a field: a catalogue message (with its placeholders), or the station's own words. */
export type Problem = { key: MessageKey; params?: Params } | { text: string };
export type Problems<K extends string> = Partial<Record<K, Problem>>;

export interface SetupForm {
  station_name: string;
  center_id: string;
  admin_username: string;
  admin_full_name: string;
  admin_password: string;
  password_confirm: string;
  /** Optional: the register's one-time code; empty without one. */
  enrollment_code: string;
}

export interface OperatorForm {
  username: string;
  full_name: string;
  /** Empty until chosen. */
  role: Role | '';
  password: string;
  password_confirm: string;
}

function checkFilled<K extends string>(form: Record<K, string>, problems: Problems<K>): void {
  for (const key of Object.keys(form) as K[]) {
    if (form[key].trim() === '') problems[key] = { key: 'field.required' };
  }
}

function checkOperator<K extends string>(
  problems: Problems<K>,
  username: [K, string],
  password: [K, string],
  confirm: [K, string],
): void {
  if (!problems[username[0]] && !USERNAME_PATTERN.test(username[1].trim())) {
    problems[username[0]] = { key: 'field.usernameFormat' };
  }
  if (!problems[password[0]] && [...password[1]].length < MIN_PASSWORD_LENGTH) {
    problems[password[0]] = { key: 'field.passwordTooShort' };
  }
  if (!problems[confirm[0]] && confirm[1] !== password[1]) {
    problems[confirm[0]] = { key: 'field.passwordsDiffer' };
  }
}

export function checkSetup(form: SetupForm): Problems<keyof SetupForm> {
  const problems: Problems<keyof SetupForm> = {};
  // Every field but the enrollment code, which a register that approves stations itself does not give.
  const { enrollment_code: _, ...required } = form;
  checkFilled(required as unknown as Record<keyof SetupForm, string>, problems);
  if (!problems.center_id && !CENTER_ID_PATTERN.test(form.center_id.trim())) {
    problems.center_id = { key: 'field.centerIdFormat' };
  }
  checkOperator(
    problems,
    ['admin_username', form.admin_username],
    ['admin_password', form.admin_password],
    ['password_confirm', form.password_confirm],
  );
  return problems;
}

export function checkNewOperator(form: OperatorForm): Problems<keyof OperatorForm> {
  const problems: Problems<keyof OperatorForm> = {};
  checkFilled(form as unknown as Record<keyof OperatorForm, string>, problems);
  checkOperator(problems, ['username', form.username], ['password', form.password], [
    'password_confirm',
    form.password_confirm,
  ]);
  return problems;
}

/** The station's field error in the UI language when we know its code, else its own words. */
export function problemFromStation(error: FieldError): Problem {
  if (error.code === 'required') return { key: 'field.required' };
  if (error.code === 'too_short') return { key: 'field.passwordTooShort' };
  if (error.code === 'invalid_format' && error.field.endsWith('username')) return { key: 'field.usernameFormat' };
  if (error.code === 'invalid_format' && error.field === 'center_id') return { key: 'field.centerIdFormat' };
  if (error.code === 'invalid' && error.field === 'enrollment_code') return { key: 'field.enrollmentCodeInvalid' };
  return { key: 'field.invalid' };
}

/**
 * Places the station's field errors on the form's keys, each worded by `wording` (the
 * general one by default); the rest are returned apart.
 */
export function placeStationProblems<K extends string>(
  keys: readonly K[],
  errors: FieldError[],
  wording: (error: FieldError) => Problem = problemFromStation,
): { problems: Problems<K>; unplaced: FieldError[] } {
  const problems: Problems<K> = {};
  const unplaced: FieldError[] = [];
  for (const error of errors) {
    const key = keys.find((k) => k === error.field);
    if (key) problems[key] = wording(error);
    else unplaced.push(error);
  }
  return { problems, unplaced };
}
