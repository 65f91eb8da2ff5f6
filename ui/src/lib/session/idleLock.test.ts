import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BackendError } from '../backend/errors';
import type { SessionView } from '../backend/types';
import { DEADLINE_MARGIN_MS, MAX_WAIT_MS, MIN_WAIT_MS, nextLookIn, watchIdleLock } from './idleLock';

const active = (locks_in_ms: number): SessionView => ({ state: 'active', username: 'omar', locks_in_ms });
const locked: SessionView = { state: 'locked', username: 'omar', locks_in_ms: null };
const signedOut: SessionView = { state: 'signed_out', username: null, locks_in_ms: null };

describe('nextLookIn', () => {
  it('looks just after the deadline, within a second and a minute', () => {
    expect(nextLookIn(active(30_000))).toBe(30_000 + DEADLINE_MARGIN_MS);
    expect(nextLookIn(active(0))).toBe(MIN_WAIT_MS);
    expect(nextLookIn(active(10 * 60_000))).toBe(MAX_WAIT_MS);
  });

  it('stops once the session is not active', () => {
    expect(nextLookIn(locked)).toBeNull();
    expect(nextLookIn(signedOut)).toBeNull();
  });
});

describe('watchIdleLock', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A station whose answers the test lines up; counts how often it was asked. */
  function station(...answers: (SessionView | Error)[]) {
    const asked = vi.fn(async () => {
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      if (next instanceof Error) throw next;
      return next;
    });
    return asked;
  }

  it('shows the lock screen at the deadline the station gave, without a click', async () => {
    const sessionState = station(active(90_000), active(30_000), locked);
    const onEnded = vi.fn();
    watchIdleLock({ sessionState, onEnded });
    await vi.advanceTimersByTimeAsync(0);
    expect(sessionState).toHaveBeenCalledTimes(1);

    // Ninety seconds away: the watch looks again at the one-minute cap, then at the deadline.
    await vi.advanceTimersByTimeAsync(MAX_WAIT_MS - 1);
    expect(sessionState).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sessionState).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(30_000 + DEADLINE_MARGIN_MS);
    expect(sessionState).toHaveBeenCalledTimes(3);
    expect(onEnded).toHaveBeenCalledTimes(1);

    // Ended: no more looks.
    await vi.advanceTimersByTimeAsync(10 * MAX_WAIT_MS);
    expect(sessionState).toHaveBeenCalledTimes(3);
    expect(onEnded).toHaveBeenCalledTimes(1);
  });

  it('follows a deadline that activity moved later', async () => {
    const sessionState = station(active(5_000), active(40_000), locked);
    const onEnded = vi.fn();
    watchIdleLock({ sessionState, onEnded });
    await vi.advanceTimersByTimeAsync(5_000 + DEADLINE_MARGIN_MS);
    expect(onEnded).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(40_000 + DEADLINE_MARGIN_MS);
    expect(onEnded).toHaveBeenCalledTimes(1);
  });

  it('treats a session_locked answer as locked and retries other failures later', async () => {
    const sessionState = station(new BackendError('ipc'), new BackendError('session_locked', { username: 'amina' }));
    const onEnded = vi.fn();
    watchIdleLock({ sessionState, onEnded });
    await vi.advanceTimersByTimeAsync(0);
    expect(onEnded).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(MAX_WAIT_MS);
    expect(sessionState).toHaveBeenCalledTimes(2);
    expect(onEnded).toHaveBeenCalledTimes(1);
  });

  it('looks at once when asked (the window came back) and stops when told', async () => {
    const sessionState = station(active(600_000), locked);
    const onEnded = vi.fn();
    const watch = watchIdleLock({ sessionState, onEnded });
    await vi.advanceTimersByTimeAsync(0);
    await watch.lookNow();
    expect(sessionState).toHaveBeenCalledTimes(2);
    expect(onEnded).toHaveBeenCalledTimes(1);

    const quiet = station(active(1_000));
    const stopped = watchIdleLock({ sessionState: quiet, onEnded: vi.fn() });
    await vi.advanceTimersByTimeAsync(0);
    stopped.stop();
    await vi.advanceTimersByTimeAsync(10 * MAX_WAIT_MS);
    expect(quiet).toHaveBeenCalledTimes(1);
  });
});
