// Every error code the station sends, mapped in one place to how the window reacts. Screens
// ask `reactionTo(error)` and branch on the answer; they never compare codes themselves.

import { translate, type MessageKey, type UiLanguage } from '../i18n/catalogues';
import type { ErrorView, FieldError } from './types';

/** A command's failure: the station's `{code, message, fields}`. */
export class BackendError extends Error implements ErrorView {
  readonly code: string;
  readonly fields: FieldError[];

  constructor(code: string, message: string, fields: FieldError[] = []) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
    this.fields = fields;
  }
}

/**
 * How a screen reacts:
 * - `credentials`: say so on the login form, keep the username, clear the password.
 * - `fields`: show each field error next to its field.
 * - `queued`: the intake is out of reach; packets stay queued (a warning, not a failure).
 * - `sign_in`: the session is gone or locked (`session_locked`, after inactivity); go back to
 *   the login screen, which becomes the lock screen when the station says the session is locked.
 * - `set_up`: the station is not set up; go to the setup screen.
 * - `warning`: the current state does not allow this (someone else acted, a stale screen).
 * - `error`: anything else; a readable banner with the station's message.
 */
export type Reaction = 'credentials' | 'fields' | 'queued' | 'sign_in' | 'set_up' | 'warning' | 'error';

const REACTIONS: Record<string, Reaction> = {
  wrong_credentials: 'credentials',
  validation_failed: 'fields',
  intake_unreachable: 'queued',
  not_signed_in: 'sign_in',
  session_locked: 'sign_in',
  account_locked: 'warning',
  not_set_up: 'set_up',
  already_set_up: 'warning',
  invalid_state: 'warning',
  not_permitted: 'warning',
  not_found: 'warning',
};

export function reactionTo(error: { code: string }): Reaction {
  return REACTIONS[error.code] ?? 'error';
}

/** Codes whose catalogue message (`error.<code>`) replaces the station's English one. */
export const TRANSLATED_CODES: readonly string[] = [
  'wrong_credentials',
  'validation_failed',
  'intake_unreachable',
  'not_signed_in',
  'not_set_up',
  'already_set_up',
  'not_permitted',
  'invalid_state',
  'not_found',
  'internal',
  'ipc',
  'disk_full',
  'device_not_connected',
  'capture_failed',
  'invalid_input',
  'operator_exists',
  'session_locked',
  'account_locked',
  'vault_in_use',
];

function isErrorView(value: unknown): value is ErrorView {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorView).code === 'string' &&
    typeof (value as ErrorView).message === 'string'
  );
}

/**
 * Turns whatever a rejected `invoke` gave into a `BackendError`. The station sends
 * `{code, message, fields}`; Tauri itself rejects with a plain string (an unknown command, a
 * denied permission), which becomes code `ipc`.
 */
export function toBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (isErrorView(error)) {
    return new BackendError(error.code, error.message, Array.isArray(error.fields) ? error.fields : []);
  }
  if (typeof error === 'string') return new BackendError('ipc', error);
  if (error instanceof Error) return new BackendError('ipc', error.message);
  return new BackendError('ipc', String(error));
}

/**
 * A message strip: what the banner shows, in which tone. `text` is a function of the UI
 * language, so a banner already on screen follows a language switch.
 */
export interface Notice {
  kind: 'info' | 'success' | 'warning' | 'error';
  text: (language: UiLanguage) => string;
}

/** The readable sentence for a failure, in the UI language (see `TRANSLATED_CODES`). */
export function describeError(error: { code: string; message: string }, language: UiLanguage): string {
  if (TRANSLATED_CODES.includes(error.code)) {
    return translate(language, `error.${error.code}` as MessageKey, { message: error.message, code: error.code });
  }
  return translate(language, 'error.other', { message: error.message, code: error.code });
}

/** The banner for a failure: a state that does not allow something is a warning, not a bug. */
export function noticeFor(error: { code: string; message: string }): Notice {
  const reaction = reactionTo(error);
  const kind = reaction === 'error' || reaction === 'fields' ? 'error' : 'warning';
  return { kind, text: (language) => describeError(error, language) };
}
