// Debounced autosave for a draft: every change schedules a save; a burst of typing becomes
// one `save_draft` after a short pause. `flush` saves now (before finalize or leaving the
// screen) and waits for any save in flight, so nothing typed is lost. Saves never overlap.

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'failed';

export interface Autosave {
  /** Something changed: save after the quiet period. */
  schedule(): void;
  /** Save now if anything is unsaved, and wait until the store has it. Rejects if it fails. */
  flush(): Promise<void>;
  /** Stop: drop a scheduled save (the screen is going away after a flush). */
  cancel(): void;
}

export function createAutosave(
  save: () => Promise<void>,
  onState: (state: SaveState, error?: unknown) => void,
  quietMs = 500,
): Autosave {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  let inFlight: Promise<void> | undefined;

  async function run(): Promise<void> {
    // Wait out a save in flight; the edits since then need a save of their own.
    while (inFlight) await inFlight.catch(() => undefined);
    if (!dirty) return;
    dirty = false;
    onState('saving');
    inFlight = save();
    try {
      await inFlight;
      if (!dirty) onState('saved');
    } catch (error) {
      dirty = true;
      onState('failed', error);
      throw error;
    } finally {
      inFlight = undefined;
    }
  }

  return {
    schedule() {
      dirty = true;
      onState('pending');
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        // The failure is already reported through onState.
        run().catch(() => undefined);
      }, quietMs);
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      await run();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
