// What `make bench` reads from the window (e2e/benches/registration_flow.rs), recorded with the
// standard User Timing API so that WebDriver can fetch it with
// `performance.getEntriesByType('measure')`:
// - `station:<command>`: one round trip of a station command, from the call to its answer or
//   refusal (`timeCommands`, over the Tauri backend);
// - `wizard-step:<step>`: a wizard step's render, from the clerk's click or Enter that asks for
//   the step (the mark `wizard-step-requested:<step>`) to the first frame painted with its
//   content (`stepRequested`).
// Deliberately absent: any judgement of the figures (the bench judges), and anything that would
// change what the window does: a measure costs a timestamp. The browser keeps every measure until
// `performance.clearMeasures()`, so the window clears them after every [`KEPT_MEASURES`]: a
// clerk's day of commands would otherwise pile up in memory (a bench reads far fewer).

import { tick } from 'svelte';

export const STATION_MEASURE_PREFIX = 'station:';
export const STEP_MEASURE_PREFIX = 'wizard-step:';
export const STEP_REQUESTED_MARK_PREFIX = 'wizard-step-requested:';
/**
 * How long a step may take to show its content before its render is left unmeasured (a step
 * that never shows is the end-to-end test's business, not a figure's), in milliseconds.
 */
const GIVE_UP_AFTER_MS = 10_000;

/** Measures recorded before the window clears them all (see the note above). */
export const KEPT_MEASURES = 2000;
let recorded = 0;

function measure(name: string, start: number, end: number): void {
  if (++recorded > KEPT_MEASURES) {
    performance.clearMeasures();
    recorded = 1;
  }
  performance.measure(name, { start, end });
}

type AnyCommand = (...args: never[]) => Promise<unknown>;

/** `api` with each command's round trip recorded as the measure `station:<name>`, answer or refusal. */
export function timeCommands<T extends Record<string, AnyCommand>>(api: T): T {
  const timed: Record<string, AnyCommand> = {};
  for (const [name, command] of Object.entries(api)) {
    timed[name] = async (...args: never[]) => {
      const start = performance.now();
      try {
        return await command(...args);
      } finally {
        measure(`${STATION_MEASURE_PREFIX}${name}`, start, performance.now());
      }
    };
  }
  return timed as T;
}

/** A step's render under way: `shown` ends it. */
export interface StepRender {
  /**
   * Resolves once the step's content is in the DOM (`ready` says so; it is asked after Svelte
   * has applied the pending state, then once a frame) and a frame with it has been painted,
   * having recorded the measure `wizard-step:<step>`. Nothing is recorded when another step was
   * asked for meanwhile (its own render is measured instead) or the content never came.
   */
  shown(ready: () => boolean): Promise<void>;
}

/** Only the latest step asked for is measured. */
let latestRequest = 0;

/** The clerk asked for `step`: marks the moment; call `shown` on what it returns. */
export function stepRequested(step: string): StepRender {
  const request = ++latestRequest;
  const mark = performance.mark(`${STEP_REQUESTED_MARK_PREFIX}${step}`);
  return {
    async shown(ready) {
      await tick();
      while (!ready()) {
        if (request !== latestRequest || performance.now() - mark.startTime > GIVE_UP_AFTER_MS) return;
        await nextFrame();
      }
      const painted = await afterNextPaint();
      if (request !== latestRequest) return;
      measure(`${STEP_MEASURE_PREFIX}${step}`, mark.startTime, painted);
    },
  };
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/**
 * The time just after the next frame is painted, as nearly as a page can tell: a
 * `requestAnimationFrame` callback runs just before the browser renders the frame, and a
 * message posted from it is delivered in a task after that rendering (the usual "after paint"
 * approximation; a MessageChannel rather than `setTimeout(0)`, which browsers may delay).
 */
function afterNextPaint(): Promise<number> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve(performance.now());
      };
      channel.port2.postMessage(null);
    }),
  );
}
