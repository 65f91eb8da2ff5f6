// The measures `make bench` reads are recorded (not that they are fast: speed is judged in the
// bench alone).
import { afterEach, describe, expect, it } from 'vitest';

import { KEPT_MEASURES, STATION_MEASURE_PREFIX, STEP_MEASURE_PREFIX, stepRequested, timeCommands } from './timing';

function measures(prefix: string): PerformanceEntry[] {
  return performance.getEntriesByType('measure').filter((entry) => entry.name.startsWith(prefix));
}

afterEach(() => {
  performance.clearMeasures();
  performance.clearMarks();
});

describe('timeCommands', () => {
  it('records each round trip under the command name, and passes the answer through', async () => {
    const api = timeCommands({
      status: async () => 'open',
      saveDraft: async (id: string) => `saved ${id}`,
    });
    expect(await api.status()).toBe('open');
    expect(await api.saveDraft('R-1')).toBe('saved R-1');
    const names = measures(STATION_MEASURE_PREFIX).map((entry) => entry.name);
    expect(names).toEqual(['station:status', 'station:saveDraft']);
    expect(measures(STATION_MEASURE_PREFIX).every((entry) => entry.duration >= 0)).toBe(true);
  });

  it('records a refused call too, and rethrows the very error', async () => {
    const refusal = { code: 'wrong_credentials' };
    const api = timeCommands({
      finalize: async () => {
        throw refusal;
      },
    });
    await expect(api.finalize()).rejects.toBe(refusal);
    expect(measures(STATION_MEASURE_PREFIX).map((entry) => entry.name)).toEqual(['station:finalize']);
  });

  it('keeps a bounded number of measures over a long day', async () => {
    const api = timeCommands({ status: async () => 'open' });
    for (let call = 0; call < KEPT_MEASURES * 2 + 10; call += 1) await api.status();
    const kept = measures(STATION_MEASURE_PREFIX).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(KEPT_MEASURES);
  });
});

describe('stepRequested', () => {
  it('measures from the request to a painted frame once the content is ready', async () => {
    let ready = false;
    const render = stepRequested('documents');
    setTimeout(() => (ready = true), 20);
    await render.shown(() => ready);
    const [measure] = measures(STEP_MEASURE_PREFIX);
    expect(measure.name).toBe('wizard-step:documents');
    const [mark] = performance.getEntriesByName('wizard-step-requested:documents', 'mark');
    expect(measure.startTime).toBe(mark.startTime);
    expect(measure.duration).toBeGreaterThan(0);
  });

  it('leaves a render unmeasured when another step is asked for meanwhile', async () => {
    let ready = false;
    const first = stepRequested('documents');
    const firstShown = first.shown(() => ready);
    const second = stepRequested('biometrics');
    ready = true;
    await Promise.all([firstShown, second.shown(() => ready)]);
    expect(measures(STEP_MEASURE_PREFIX).map((entry) => entry.name)).toEqual(['wizard-step:biometrics']);
  });
});
