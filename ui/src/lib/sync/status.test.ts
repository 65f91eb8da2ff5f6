import { describe, expect, it } from 'vitest';

import type { SyncStatusView } from '../backend/types';
import { formatPercent, formatRate, progressPercent, runMoved, sendingPosition } from './status';
import { SYNC_STATUS_AT_START } from '../../test/fakeBackend';

const IDLE: SyncStatusView = { ...SYNC_STATUS_AT_START, link: 'online' };

const status = (change: Partial<SyncStatusView>): SyncStatusView => ({ ...IDLE, ...change });

describe('progressPercent', () => {
  it('is the whole percent of the bytes the intake holds, rounded down', () => {
    expect(progressPercent({ sent: 0, total: 1000 })).toBe(0);
    expect(progressPercent({ sent: 425, total: 1000 })).toBe(42);
    // 99.9% is not done yet.
    expect(progressPercent({ sent: 999, total: 1000 })).toBe(99);
    expect(progressPercent({ sent: 1000, total: 1000 })).toBe(100);
  });

  it('stays between 0 and 100, and reads 0 for an empty total', () => {
    expect(progressPercent({ sent: 10, total: 0 })).toBe(0);
    expect(progressPercent({ sent: 2000, total: 1000 })).toBe(100);
  });
});

describe('sendingPosition', () => {
  it('counts the packet under way after those finished with, never past the last', () => {
    expect(sendingPosition(status({ running: true, run_done: 0, run_total: 3 }))).toEqual({ number: 1, total: 3 });
    expect(sendingPosition(status({ running: true, run_done: 2, run_total: 3 }))).toEqual({ number: 3, total: 3 });
    expect(sendingPosition(status({ running: true, run_done: 3, run_total: 3 }))).toEqual({ number: 3, total: 3 });
  });

  it('is none outside a run, or for a run that took nothing on', () => {
    expect(sendingPosition(status({ running: false, run_done: 3, run_total: 3 }))).toBeNull();
    expect(sendingPosition(status({ running: true, run_total: 0 }))).toBeNull();
  });
});

describe('runMoved', () => {
  it('says so when a run ends or finishes with a packet', () => {
    expect(runMoved(status({ running: true, run_done: 1, run_total: 2 }), status({ running: false, run_done: 2 }))).toBe(true);
    expect(
      runMoved(status({ running: true, run_done: 0, run_total: 2 }), status({ running: true, run_done: 1, run_total: 2 })),
    ).toBe(true);
  });

  it('says so when the register’s word changed what the station holds, running or not', () => {
    expect(runMoved(status({ register_news: 0 }), status({ register_news: 1 }))).toBe(true);
    expect(runMoved(status({ running: true, register_news: 2 }), status({ running: true, register_news: 3 }))).toBe(true);
    expect(runMoved(status({ register_news: 3 }), status({ register_news: 3 }))).toBe(false);
  });

  it('stays quiet for progress, a run that starts, the link, and the first status heard', () => {
    const sending = status({ running: true, run_done: 0, run_total: 2 });
    const further = {
      ...sending,
      current: { registration_id: 'R1', sent: 10, total: 100, bytes_per_second: 5 },
    };
    expect(runMoved(sending, further)).toBe(false);
    expect(runMoved(status({ running: false, run_done: 4, run_total: 4 }), sending)).toBe(false);
    expect(runMoved(status({ link: 'online' }), status({ link: 'offline' }))).toBe(false);
    expect(runMoved(null, sending)).toBe(false);
  });
});

describe('formatRate', () => {
  it('picks the unit that keeps the number readable, decimal', () => {
    expect(formatRate(850, 'en')).toBe('850 B/s');
    expect(formatRate(1_500, 'en')).toBe('1.5 KB/s');
    expect(formatRate(12_345, 'en')).toBe('12 KB/s');
    expect(formatRate(1_536_000, 'en')).toBe('1.5 MB/s');
    expect(formatRate(2_000_000_000, 'en')).toBe('2 GB/s');
  });

  it('goes up a unit rather than show 1000', () => {
    expect(formatRate(999_960, 'en')).toBe('1 MB/s');
  });

  it('writes the number and the unit as each language does, with Latin digits', () => {
    expect(formatRate(1_536_000, 'fr')).toBe('1,5 Mo/s');
    expect(formatRate(12_345, 'fr')).toBe('12 ko/s');
    expect(formatRate(1_536_000, 'ar')).toBe('1.5 ميغابايت/ث');
    expect(formatRate(850, 'ar')).toBe('850 بايت/ث');
    expect(formatRate(1_536_000, 'ar')).not.toMatch(/[\u0660-\u0669]/);
  });

  it('says the speed is being measured while the station reports none yet', () => {
    expect(formatRate(0, 'en')).toBe('measuring the speed…');
    expect(formatRate(0, 'fr')).toBe('mesure du débit…');
  });
});

describe('formatPercent', () => {
  it('places the sign as each language does', () => {
    expect(formatPercent(42, 'en')).toBe('42%');
    expect(formatPercent(42, 'fr')).toBe('42\u202f%');
    expect(formatPercent(42, 'ar')).toBe('42٪');
  });
});
