// Every error code the station sends, mapped in one place to how the window reacts and to the
// sentence a clerk reads. Screens ask `reactionTo(error)` and branch on the answer; they never
// compare codes themselves. The station sends codes and parameters, never English: each code
// (the generated `ERROR_CODES`) has a sentence `error.<code>` in every catalogue, which the
// compiler checks below and `errors.test.ts` checks at run time.

import { formatTime } from '../i18n/time';
import { translate, type MessageKey, type Params, type UiLanguage } from '../i18n/catalogues';
import { en } from '../i18n/en';
import type { ErrorCode, ErrorParam, ErrorView, FieldError, PermissionRule } from './bindings';

/**
 * A code the window itself gives: `ipc` when Tauri rejected a call before the station saw it
 * (an unknown command, a denied permission).
 */
export type WindowErrorCode = 'ipc';

export type AnyErrorCode = ErrorCode | WindowErrorCode;

// Compile-time coverage: this fails to type-check when a code or rule lacks its sentence in
// the English catalogue (and `fr`/`ar` must have every English key).
type Catalogue = typeof en;
type MissingSentence<Key extends string> = Exclude<Key, keyof Catalogue>;
const everyCodeHasASentence: [MissingSentence<`error.${AnyErrorCode}`>] extends [never] ? true : never = true;
const everyRuleHasASentence: [MissingSentence<`error.not_permitted.${PermissionRule}`>] extends [never] ? true : never =
  true;
void everyCodeHasASentence;
void everyRuleHasASentence;

/** A command's failure: the station's `{code, params, fields}`, or `ipc`. */
export class BackendError extends Error {
  readonly code: AnyErrorCode;
  readonly params: Partial<Record<string, ErrorParam>>;
  readonly fields: FieldError[];

  constructor(code: AnyErrorCode, params: Partial<Record<string, ErrorParam>> = {}, fields: FieldError[] = []) {
    // The code, for stack traces and the console; what a person reads comes from `describeError`.
    super(code);
    this.name = 'BackendError';
    this.code = code;
    this.params = params;
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
 * - `error`: anything else; a readable banner.
 */
export type Reaction = 'credentials' | 'fields' | 'queued' | 'sign_in' | 'set_up' | 'warning' | 'error';

const REACTIONS: Partial<Record<AnyErrorCode, Reaction>> = {
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
  operator_not_listed: 'warning',
  operator_suspended: 'warning',
  operator_role_not_listed: 'warning',
};

export function reactionTo(error: { code: string }): Reaction {
  return REACTIONS[error.code as AnyErrorCode] ?? 'error';
}

function isErrorView(value: unknown): value is ErrorView {
  return typeof value === 'object' && value !== null && typeof (value as ErrorView).code === 'string';
}

/**
 * Turns whatever a rejected `invoke` gave into a `BackendError`. The station sends
 * `{code, params, fields}`; Tauri itself rejects with a plain string (an unknown command, a
 * denied permission), which becomes code `ipc` (its English goes to the console, not the screen).
 */
export function toBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (isErrorView(error)) {
    const params = typeof error.params === 'object' && error.params !== null ? error.params : {};
    return new BackendError(error.code, params, Array.isArray(error.fields) ? error.fields : []);
  }
  console.error('the window could not reach the station:', error);
  return new BackendError('ipc');
}

/**
 * A message strip: what the banner shows, in which tone. `text` is a function of the UI
 * language, so a banner already on screen follows a language switch.
 */
export interface Notice {
  kind: 'info' | 'success' | 'warning' | 'error';
  text: (language: UiLanguage) => string;
}

export type ErrorLike = { code: string; params?: Partial<Record<string, ErrorParam>> };

/** The readable sentence for a failure, in the UI language. */
export function describeError(error: ErrorLike, language: UiLanguage): string {
  const params = wordedParams(error.params ?? {}, language);
  const rule = error.params?.rule;
  if (error.code === 'not_permitted' && typeof rule === 'string' && hasSentence(`error.not_permitted.${rule}`)) {
    return translate(language, `error.not_permitted.${rule}` as MessageKey, params);
  }
  if (hasSentence(`error.${error.code}`)) return translate(language, `error.${error.code}` as MessageKey, params);
  // A code from a newer station than this window knows.
  return translate(language, 'error.other', { code: error.code });
}

function hasSentence(key: string): boolean {
  return key in en;
}

/** Parameters as the sentence shows them: times in the reader's locale, states by their label. */
function wordedParams(params: Partial<Record<string, ErrorParam>>, language: UiLanguage): Params {
  const worded: Params = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (name === 'until' && typeof value === 'string') worded[name] = formatTime(value, language);
    else if (name === 'state' && typeof value === 'string' && hasSentence(`state.${value}`))
      worded[name] = translate(language, `state.${value}` as MessageKey);
    else if (name === 'role' && typeof value === 'string' && hasSentence(`role.${value}`))
      worded[name] = translate(language, `role.${value}` as MessageKey);
    else worded[name] = value;
  }
  return worded;
}

/** The banner for a failure: a state that does not allow something is a warning, not a bug. */
export function noticeFor(error: ErrorLike): Notice {
  const reaction = reactionTo(error);
  const kind = reaction === 'error' || reaction === 'fields' ? 'error' : 'warning';
  const frozen = { code: error.code, params: { ...error.params } };
  return { kind, text: (language) => describeError(frozen, language) };
}
