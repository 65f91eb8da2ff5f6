import { describe, expect, it } from 'vitest';

import { BackendError, describeError, noticeFor, reactionTo, toBackendError, TRANSLATED_CODES } from './errors';
import { catalogues } from '../i18n/catalogues';

describe('toBackendError', () => {
  it('keeps the station error view', () => {
    const fields = [{ field: 'fullName', language: 'ara', code: 'required', message: 'required in العربية' }];
    const error = toBackendError({ code: 'validation_failed', message: 'some fields need attention', fields });
    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe('validation_failed');
    expect(error.fields).toEqual(fields);
  });

  it('turns a plain Tauri rejection into code ipc', () => {
    const error = toBackendError('Command foo not found');
    expect(error.code).toBe('ipc');
    expect(error.message).toBe('Command foo not found');
  });

  it('tolerates a view without fields', () => {
    expect(toBackendError({ code: 'not_found', message: 'no registration x' }).fields).toEqual([]);
  });
});

describe('reactionTo', () => {
  it('maps the codes screens branch on', () => {
    expect(reactionTo({ code: 'wrong_credentials' })).toBe('credentials');
    expect(reactionTo({ code: 'validation_failed' })).toBe('fields');
    expect(reactionTo({ code: 'intake_unreachable' })).toBe('queued');
    expect(reactionTo({ code: 'not_signed_in' })).toBe('sign_in');
    expect(reactionTo({ code: 'session_locked' })).toBe('sign_in');
    expect(reactionTo({ code: 'account_locked' })).toBe('warning');
    expect(reactionTo({ code: 'invalid_state' })).toBe('warning');
  });

  it('treats an unknown code as an error to show', () => {
    expect(reactionTo({ code: 'vault_corrupt' })).toBe('error');
  });
});

describe('translated codes', () => {
  it('each has a message in every catalogue', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const code of TRANSLATED_CODES) {
        expect(catalogue, `${language} lacks error.${code}`).toHaveProperty(`error.${code}`);
      }
    }
  });
});

describe('describeError and noticeFor', () => {
  it('use the catalogue for known codes', () => {
    expect(describeError({ code: 'wrong_credentials', message: 'wrong username or password' }, 'fr')).toBe(
      'Nom d’utilisateur ou mot de passe incorrect. Vérifiez les deux et réessayez.',
    );
  });

  it('keep the station message and code for unknown ones', () => {
    expect(describeError({ code: 'vault_corrupt', message: 'the vault is damaged' }, 'en')).toBe(
      'Something went wrong (vault_corrupt): the vault is damaged',
    );
  });

  it('make a state conflict a warning and a failure an error', () => {
    expect(noticeFor({ code: 'invalid_state', message: 'only drafts can be edited' }).kind).toBe('warning');
    expect(noticeFor({ code: 'intake_unreachable', message: 'connection refused' }).kind).toBe('warning');
    const failure = noticeFor({ code: 'vault_corrupt', message: 'x' });
    expect(failure.kind).toBe('error');
    expect(failure.text('fr')).toBe('Un problème est survenu (vault_corrupt) : x');
  });
});
