import { describe, expect, it } from 'vitest';

import { toBackendError } from '../backend/errors';
import type { FieldError, StepView } from '../backend/types';
import { FakeStation, PASSWORD } from '../../test/fakeBackend';
import { attemptCounter, biometricsErrorKey, biometricsProblems, isBiometricsError, tileState } from './biometrics';

function step(overrides: Partial<StepView> = {}): StepView {
  return {
    step: 'thumbs',
    threshold: 40,
    attempts: 0,
    attempts_allowed: 3,
    done: false,
    may_force: false,
    forced_by: null,
    device: null,
    positions: [],
    ...overrides,
  };
}

const captured = (quality: number) =>
  ({
    position: 'leftThumb',
    state: 'captured',
    quality,
    meets_threshold: quality >= 40,
    exception: null,
    device_simulated: true,
  }) as const;

describe('tileState', () => {
  it('tells a capture under the threshold from one a supervisor signed off', () => {
    expect(tileState(step(), captured(55))).toBe('captured');
    expect(tileState(step(), captured(20))).toBe('below_threshold');
    expect(tileState(step({ forced_by: 'karim.supervisor' }), captured(20))).toBe('signed_off');
    expect(tileState(step(), { ...captured(0), state: 'not_captured', quality: null })).toBe('not_captured');
  });
});

describe('attemptCounter', () => {
  it('counts attempts against those allowed, and says so past them', () => {
    expect(attemptCounter(step()).key).toBe('biometrics.noAttempt');
    expect(attemptCounter(step({ attempts: 2 }))).toEqual({ key: 'biometrics.attempt', params: { attempts: 2, allowed: 3 } });
    expect(attemptCounter(step({ attempts: 4 })).key).toBe('biometrics.attemptBeyond');
  });
});

describe('biometricsErrorKey', () => {
  it('words each code the station sends about biometrics', () => {
    const error = (field: string, code: string): FieldError => ({ field, language: null, code, message: code });
    expect(biometricsErrorKey(error('biometrics.leftIndex', 'required'))).toBe('biometrics.required');
    expect(biometricsErrorKey(error('biometrics.leftIndex', 'below_threshold'))).toBe('biometrics.belowThresholdError');
    expect(biometricsErrorKey(error('biometrics.exceptionPhoto', 'required'))).toBe('biometrics.exceptionPhotoRequired');
    // A face is never an exception: its sentences do not offer one.
    expect(biometricsErrorKey(error('biometrics.face', 'required'))).toBe('biometrics.faceRequired');
    expect(biometricsErrorKey(error('biometrics.face', 'below_threshold'))).toBe('biometrics.faceBelowThresholdError');
    expect(biometricsErrorKey(error('biometrics.leftIndex', 'new_code'))).toBe('field.invalid');
    expect(isBiometricsError(error('face', 'required'))).toBe(false);
  });
});

// The window's check before Finalize must say what the station's finalize check says, or the
// clerk is sent back and forth: compare them over the fake, which follows the station's rules.
describe('the local check agrees with the station', () => {
  async function bothChecks(prepare: (station: FakeStation, id: string) => Promise<void>) {
    const station = new FakeStation().signIn('sara.officer');
    const id = (await station.newRegistration()).registration_id;
    // The consent is another step's check (RegistrationScreen.test.ts): recorded here.
    await station.recordConsent(id, true);
    await station.saveDraft(id, {
      fullName: [
        { language: 'eng', value: 'Amina Idrissi' },
        { language: 'ara', value: 'أمينة الإدريسي' },
      ],
      dateOfBirth: '1990/02/28',
      gender: 'FLE',
    });
    // So is the required document (the documents step's check).
    await station.attachDocument(id, {
      category: 'POI',
      document_type: 'CIN',
      reference_number: null,
      pages: [{ file_name: 'card.jpg', data_base64: '/9j/4AAQSkZJRgABAQAAAQ==' }],
    });
    await prepare(station, id);
    const local = biometricsProblems(await station.biometrics(id)).map((e) => `${e.field} ${e.code}`);
    const remote = await station.finalize(id, PASSWORD).then(
      () => [],
      (caught) => toBackendError(caught).fields.map((e) => `${e.field} ${e.code}`),
    );
    return { local, remote };
  }

  it('on an empty draft: every finger and eye and the face are required', async () => {
    const { local, remote } = await bothChecks(async () => {});
    expect(local).toHaveLength(13);
    expect(local).toContain('biometrics.face required');
    expect(local).toEqual(remote);
  });

  it('with poor captures, exceptions, a sign-off and no exception photo', async () => {
    const { local, remote } = await bothChecks(async (station, id) => {
      station.queueQualities('leftSlap', [10, 90, 90, 90], 10, 10).queueQualities('thumbs', [30, 90]);
      for (let i = 0; i < 3; i += 1) await station.captureBiometrics(id, 'leftSlap');
      await station.forceCapture(id, 'leftSlap', 'karim.supervisor', 'correct horse battery');
      await station.captureBiometrics(id, 'thumbs');
      await station.markBiometricException(id, 'rightIris', 'missing', 'Prosthetic eye');
    });
    expect(local).toContain('biometrics.leftThumb below_threshold');
    expect(local).toContain('biometrics.exceptionPhoto required');
    expect(local).not.toContain('biometrics.leftIndex below_threshold');
    expect(local).not.toContain('biometrics.rightIris required');
    expect(local).toEqual(remote);
  });

  it('once complete: nothing on either side', async () => {
    const { local, remote } = await bothChecks(async (station, id) => {
      station.seedBiometricsComplete(id);
    });
    expect(local).toEqual([]);
    expect(remote).toEqual([]);
  });
});
