import { describe, expect, it } from 'vitest';

import { ERROR_CODES, PERMISSION_RULES } from './bindings';
import { BackendError, describeError, noticeFor, reactionTo, toBackendError } from './errors';
import { catalogues, translate, UI_LANGUAGES } from '../i18n/catalogues';

describe('toBackendError', () => {
  it('keeps the station error view', () => {
    const fields = [{ field: 'fullName', language: 'ara', code: 'required', message: 'required in العربية' }];
    const error = toBackendError({ code: 'validation_failed', params: {}, fields });
    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe('validation_failed');
    expect(error.fields).toEqual(fields);
  });

  it('turns a plain Tauri rejection into code ipc, keeping its English off the screen', () => {
    const error = toBackendError('Command foo not found');
    expect(error.code).toBe('ipc');
    expect(describeError(error, 'fr')).not.toContain('foo');
  });

  it('tolerates a view without params or fields', () => {
    const error = toBackendError({ code: 'not_found' });
    expect(error.fields).toEqual([]);
    expect(error.params).toEqual({});
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

  it('treats any other code as an error to show', () => {
    expect(reactionTo({ code: 'vault_corrupt' })).toBe('error');
  });
});

describe('every code the station can send', () => {
  it('is exported from Rust', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(40);
    expect(ERROR_CODES).toContain('account_locked');
    expect(PERMISSION_RULES).toContain('own_registration');
  });

  it('has its own sentence in every catalogue', () => {
    for (const [language, catalogue] of Object.entries(catalogues)) {
      for (const code of [...ERROR_CODES, 'ipc']) {
        expect(catalogue, `${language} lacks error.${code}`).toHaveProperty([`error.${code}`]);
      }
      for (const rule of PERMISSION_RULES) {
        expect(catalogue, `${language} lacks error.not_permitted.${rule}`).toHaveProperty([
          `error.not_permitted.${rule}`,
        ]);
      }
    }
  });

  it('reads without a placeholder left open and without the fallback, in every language', () => {
    const params = { until: '2026-11-30T10:00:00Z', registration_id: '10002100010000120261130', state: 'sealed', rule: 'admin_only', username: 'amina', role: 'officer' };
    for (const { code: language } of UI_LANGUAGES) {
      for (const code of ERROR_CODES) {
        const sentence = describeError({ code, params }, language);
        expect(sentence, `${language} ${code}`).not.toMatch(/\{\w+/);
        expect(sentence, `${language} ${code}`).not.toBe(translate(language, 'error.other', { code }));
      }
    }
  });
});

describe('describeError and noticeFor', () => {
  it('use the catalogue', () => {
    expect(describeError({ code: 'wrong_credentials', params: {} }, 'fr')).toBe(
      'Nom d’utilisateur ou mot de passe incorrect. Vérifiez les deux et réessayez.',
    );
  });

  it('word each refusal by its rule', () => {
    expect(describeError({ code: 'not_permitted', params: { rule: 'own_registration' } }, 'en')).toContain(
      'they made themselves',
    );
    expect(describeError({ code: 'not_permitted', params: { rule: 'admin_only' } }, 'ar')).toBe(
      'لا يقوم بهذا إلا المسؤول.',
    );
  });

  it('show a lockout time in the reader’s language and a state by its label', () => {
    const locked = describeError({ code: 'account_locked', params: { until: '2026-11-30T10:00:00Z' } }, 'fr');
    expect(locked).toContain('2026');
    expect(locked).not.toContain('T10:00:00Z');
    const stale = describeError(
      { code: 'invalid_state', params: { registration_id: '123', state: 'pending_approval' } },
      'fr',
    );
    expect(stale).toContain('« À approuver »');
    expect(stale).toContain('123');
  });

  it('say what the register’s operator list refuses, with the listed role by its label', () => {
    const role = describeError(
      { code: 'operator_role_not_listed', params: { username: 'nadia', role: 'supervisor' } },
      'fr',
    );
    expect(role).toBe('Le registre inscrit nadia avec le rôle Superviseur. Choisissez ce rôle.');
    expect(describeError({ code: 'operator_suspended', params: { username: 'omar' } }, 'ar')).toContain('omar');
    expect(describeError({ code: 'operator_not_listed', params: { username: 'olga' } }, 'en')).toContain(
      'operator list',
    );
    expect(reactionTo({ code: 'operator_suspended' })).toBe('warning');
  });

  it('name an unknown code without inventing a sentence', () => {
    expect(describeError({ code: 'from_a_newer_station', params: {} }, 'en')).toBe(
      'Something went wrong (code from_a_newer_station). The details are in the station log.',
    );
  });

  it('make a state conflict a warning and a failure an error', () => {
    expect(noticeFor({ code: 'invalid_state', params: {} }).kind).toBe('warning');
    expect(noticeFor({ code: 'intake_unreachable', params: {} }).kind).toBe('warning');
    const failure = noticeFor({ code: 'vault_corrupt', params: {} });
    expect(failure.kind).toBe('error');
    expect(failure.text('fr')).toContain('contrôle d’intégrité');
  });
});
