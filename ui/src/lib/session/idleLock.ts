// The window's side of the idle lock. The station is the authority: it locks a session whose
// idle time is up (at the next call, when asked, and on the app's own timer) and drops the keys.
// This watcher only makes the window show the lock screen on time instead of at the next click.
//
// How: ask the station where the session stands (`session_state`, which is not activity) and
// look again just after the deadline it gives, never sooner than a second and never later than a
// minute. The cap covers what the window cannot see coming: an admin shortening the idle lock,
// a laptop waking from sleep (timers do not run while it sleeps). Activity elsewhere only moves
// the deadline later, so looking at the old deadline is early, never late; the answer then gives
// the new one. The clock is the station's: the window never compares its own time with it.

import { reactionTo, toBackendError } from '../backend/errors';
import type { SessionView } from '../backend/types';

/** Look again this long after the deadline, so the station has reached it too. */
export const DEADLINE_MARGIN_MS = 250;
/** Never ask more often than this. */
export const MIN_WAIT_MS = 1_000;
/** Never wait longer than this between two looks. */
export const MAX_WAIT_MS = 60_000;

/** How long to wait before the next look, or `null` when the session is no longer active. */
export function nextLookIn(view: SessionView): number | null {
  if (view.state !== 'active' || view.locks_in_ms === null) return null;
  return Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, view.locks_in_ms + DEADLINE_MARGIN_MS));
}

export interface IdleLockWatch {
  /** Look now (e.g. when the window becomes visible again); the next look is rescheduled. */
  lookNow(): Promise<void>;
  stop(): void;
}

export interface IdleLockOptions {
  /** Asks the station (`Backend.sessionState`). */
  sessionState: () => Promise<SessionView>;
  /** The session is locked or gone: show the lock or login screen. Called once; the watch stops. */
  onEnded: () => void;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** Starts watching at once (a first look) and keeps going until the session ends or `stop`. */
export function watchIdleLock(options: IdleLockOptions): IdleLockWatch {
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let timer: unknown = null;
  let stopped = false;
  // Looks never overlap: a look asked for while one runs waits for it and then looks again.
  let running: Promise<void> | null = null;

  function schedule(ms: number) {
    if (timer !== null) clearTimer(timer);
    timer = setTimer(() => {
      timer = null;
      void lookNow();
    }, ms);
  }

  function end() {
    stop();
    options.onEnded();
  }

  async function look() {
    let view: SessionView;
    try {
      view = await options.sessionState();
    } catch (caught) {
      if (stopped) return;
      // Signed out or locked on the station's side: the same as being told so.
      if (reactionTo(toBackendError(caught)) === 'sign_in') end();
      // Anything else (the station busy, an IPC hiccup): try again later, the station still locks.
      else schedule(MAX_WAIT_MS);
      return;
    }
    if (stopped) return;
    const wait = nextLookIn(view);
    if (wait === null) end();
    else schedule(wait);
  }

  async function lookNow(): Promise<void> {
    if (stopped) return;
    if (running) {
      await running;
      if (stopped) return;
    }
    running = look().finally(() => {
      running = null;
    });
    await running;
  }

  function stop() {
    stopped = true;
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  void lookNow();
  return { lookNow, stop };
}
