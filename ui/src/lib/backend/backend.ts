// The one typed surface between the screens and the station. Components receive a `Backend`
// (see `context.ts`) and never call `invoke` themselves, so tests can hand them a fake.
//
// Its shape is the generated `commands` of `bindings.ts` (one method per command of
// `src-tauri/src/commands.rs`, arguments and results typed from Rust), so it cannot drift from
// the station: a command added, renamed or retyped in Rust changes this type, and the code and
// the fakes that disagree stop compiling.

import type { commands } from './bindings';

/**
 * What the window asks of the system rather than the station, behind the same interface so that
 * tests fake it too.
 */
export interface SystemDialogs {
  /**
   * The system's save dialog for a PDF, titled `title`, offering `defaultName` in the user's
   * Documents folder when the system has one. The absolute path the clerk chose, or null when
   * they cancelled.
   */
  choosePdfPath(defaultName: string, title: string): Promise<string | null>;
}

/** Every method rejects with a `BackendError` (see `errors.ts`), never with a bare value. */
export type Backend = typeof commands & SystemDialogs;
