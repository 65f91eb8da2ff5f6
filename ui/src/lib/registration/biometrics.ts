// What the biometrics step shows and checks, from the station's `BiometricsView`: where each
// finger or eye stands, the attempt counter, and the finalize check the station makes
// (`BiometricsDraft::problems` in `station/src/biometrics/draft.rs`), so Finalize can say what
// is missing before asking. The station stays the authority: it checks again at finalize.

import type { FieldError, Position, PositionView, StepView } from '../backend/types';
import type { MessageKey, Params } from '../i18n/catalogues';

/** Field errors about biometrics are named `biometrics.<position>` and `biometrics.exceptionPhoto`. */
const FIELD_PREFIX = 'biometrics.';

export const EXCEPTION_PHOTO_FIELD = `${FIELD_PREFIX}exceptionPhoto`;

/** The face's field: a face is never an exception, so its sentences do not offer one. */
const FACE_FIELD = `${FIELD_PREFIX}face`;

/** The field id the station uses for a position's problem, e.g. `biometrics.leftIndex`. */
export function biometricsField(position: Position): string {
  return `${FIELD_PREFIX}${position}`;
}

export function isBiometricsError(error: FieldError): boolean {
  return error.field.startsWith(FIELD_PREFIX);
}

/**
 * Where a tile stands: `below_threshold` is a capture under the threshold that still blocks
 * finalizing; once a supervisor signed its step off it is `signed_off`.
 */
export type TileState = 'not_captured' | 'captured' | 'below_threshold' | 'signed_off' | 'excepted';

export function tileState(step: StepView, position: PositionView): TileState {
  if (position.state !== 'captured') return position.state;
  if (position.meets_threshold) return 'captured';
  return step.forced_by ? 'signed_off' : 'below_threshold';
}

/** The attempt counter under a step's name, as a catalogue key and its parameters. */
export function attemptCounter(step: StepView): { key: MessageKey; params: Params } {
  const params = { attempts: step.attempts, allowed: step.attempts_allowed };
  if (step.attempts === 0) return { key: 'biometrics.noAttempt', params };
  if (step.attempts > step.attempts_allowed) return { key: 'biometrics.attemptBeyond', params };
  return { key: 'biometrics.attempt', params };
}

/**
 * The problems Finalize would meet, as the station names them: `required` for a position not
 * captured, `below_threshold` for one under the threshold and not signed off, and the missing
 * exception photo.
 */
export function biometricsProblems(view: {
  steps: StepView[];
  exception_photo_missing: boolean;
}): FieldError[] {
  const problems: FieldError[] = [];
  for (const step of view.steps) {
    for (const position of step.positions) {
      const state = tileState(step, position);
      const code = state === 'not_captured' ? 'required' : state === 'below_threshold' ? 'below_threshold' : null;
      if (code) problems.push({ field: biometricsField(position.position), language: null, code, message: code });
    }
  }
  if (view.exception_photo_missing) {
    problems.push({ field: EXCEPTION_PHOTO_FIELD, language: null, code: 'required', message: 'required' });
  }
  return problems;
}

/** The sentence under a tile for one of the station's codes about it. */
export function biometricsErrorKey(error: FieldError): MessageKey {
  if (error.field === EXCEPTION_PHOTO_FIELD) return 'biometrics.exceptionPhotoRequired';
  const face = error.field === FACE_FIELD;
  if (error.code === 'required') return face ? 'biometrics.faceRequired' : 'biometrics.required';
  if (error.code === 'below_threshold') return face ? 'biometrics.faceBelowThresholdError' : 'biometrics.belowThresholdError';
  return 'field.invalid';
}

/** Longest exception reason the station keeps (`MAX_REASON_CHARS`: it goes into the packet). */
export const MAX_EXCEPTION_REASON_CHARS = 200;
