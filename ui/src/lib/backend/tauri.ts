// The `Backend` over Tauri IPC: one line per command of `src-tauri/src/commands.rs`.
// Tauri maps the camelCase argument names here to the commands' snake_case parameters.

import { invoke } from '@tauri-apps/api/core';

import type { Backend } from './backend';
import { toBackendError } from './errors';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

export const tauriBackend: Backend = {
  status: () => call('status'),
  setUp: (request) => call('set_up', { request }),
  logIn: (username, password) => call('log_in', { username, password }),
  logOut: () => call('log_out'),
  addOperator: (request) => call('add_operator', { request }),
  listOperators: () => call('list_operators'),
  removeOperator: (username) => call('remove_operator', { username }),
  resetPassword: (username, newPassword) => call('reset_password', { username, newPassword }),
  changePassword: (oldPassword, newPassword) => call('change_password', { oldPassword, newPassword }),
  policy: () => call('policy'),
  setPolicy: (request) => call('set_policy', { request }),
  purgeExpired: () => call('purge_expired'),
  sessionState: () => call('session_state'),
  homeSummary: () => call('home_summary'),
  homePage: (list, after) => call('home_page', { list, after }),
  form: () => call('form'),
  newRegistration: () => call('new_registration'),
  saveDraft: (registrationId, identity) => call('save_draft', { registrationId, identity }),
  captureFace: (registrationId) => call('capture_face', { registrationId }),
  finalize: (registrationId) => call('finalize', { registrationId }),
  approve: (registrationId) => call('approve', { registrationId }),
  reject: (registrationId, reason) => call('reject', { registrationId, reason }),
  registration: (registrationId) => call('registration', { registrationId }),
  syncNow: () => call('sync_now'),
};
