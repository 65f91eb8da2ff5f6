import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createAutosave, type SaveState } from './autosave';

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves once after a burst of changes', async () => {
    const save = vi.fn(async () => undefined);
    const states: SaveState[] = [];
    const autosave = createAutosave(save, (s) => states.push(s), 500);
    autosave.schedule();
    await vi.advanceTimersByTimeAsync(200);
    autosave.schedule();
    await vi.advanceTimersByTimeAsync(200);
    autosave.schedule();
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(600);
    expect(save).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toBe('saved');
  });

  it('flush saves at once and nothing is saved twice', async () => {
    const save = vi.fn(async () => undefined);
    const autosave = createAutosave(save, () => undefined, 500);
    autosave.schedule();
    await autosave.flush();
    expect(save).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).toHaveBeenCalledTimes(1);
    await autosave.flush();
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('does not overlap saves and saves edits made during one', async () => {
    let release: () => void = () => undefined;
    let running = 0;
    let maxRunning = 0;
    const save = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          release = () => {
            running -= 1;
            resolve();
          };
        }),
    );
    const autosave = createAutosave(save, () => undefined, 100);
    autosave.schedule();
    await vi.advanceTimersByTimeAsync(150);
    expect(save).toHaveBeenCalledTimes(1);
    autosave.schedule();
    const flushed = autosave.flush();
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await flushed;
    expect(save).toHaveBeenCalledTimes(2);
    expect(maxRunning).toBe(1);
  });

  it('reports a failed save and keeps the change for the next try', async () => {
    const save = vi.fn().mockRejectedValueOnce(new Error('disk full')).mockResolvedValue(undefined);
    const states: SaveState[] = [];
    const autosave = createAutosave(save, (s) => states.push(s), 100);
    autosave.schedule();
    await expect(autosave.flush()).rejects.toThrow('disk full');
    expect(states.at(-1)).toBe('failed');
    await autosave.flush();
    expect(save).toHaveBeenCalledTimes(2);
    expect(states.at(-1)).toBe('saved');
  });
});
