// The `Backend` over Tauri IPC: the generated command functions, each turning a rejection into
// a `BackendError` so screens see one error type.

import type { Backend } from './backend';
import { commands } from './bindings';
import { toBackendError } from './errors';

type AnyCommand = (...args: never[]) => Promise<unknown>;

function withBackendErrors<T extends Record<string, AnyCommand>>(api: T): T {
  const wrapped: Record<string, AnyCommand> = {};
  for (const [name, command] of Object.entries(api)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await command(...args);
      } catch (error) {
        throw toBackendError(error);
      }
    };
  }
  return wrapped as T;
}

export const tauriBackend: Backend = withBackendErrors(commands);
