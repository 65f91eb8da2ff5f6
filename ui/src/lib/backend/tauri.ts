// The `Backend` over Tauri IPC: the generated command functions and the system's save dialog,
// each turning a rejection into a `BackendError` so screens see one error type. Each command's
// round trip is also recorded as the measure `station:<command>` (`../timing`), which
// `make bench` reads; the dialog, which waits on the clerk, is not a station command.

import { documentDir, join } from '@tauri-apps/api/path';
import { save } from '@tauri-apps/plugin-dialog';

import type { Backend } from './backend';
import { commands } from './bindings';
import { toBackendError } from './errors';
import { timeCommands } from '../timing';

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

/**
 * The system's save dialog (Tauri's dialog plugin; the window is granted its `save` alone).
 * Nothing is written here: the shell's `save_slip_pdf` command writes to the path chosen.
 */
async function choosePdfPath(defaultName: string, title: string): Promise<string | null> {
  let defaultPath = defaultName;
  try {
    defaultPath = await join(await documentDir(), defaultName);
  } catch {
    // No Documents folder known to the system: the dialog starts where it likes.
  }
  return await save({ title, defaultPath, filters: [{ name: 'PDF', extensions: ['pdf'] }] });
}

export const tauriBackend: Backend = withBackendErrors({ ...timeCommands(commands), choosePdfPath });
