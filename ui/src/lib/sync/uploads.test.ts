import { describe, expect, it } from 'vitest';

import type { SyncStatusView, UploadEntryView } from '../backend/types';
import { isQuarantined, liveProgress, mayRelease } from './uploads';

const ENTRY: UploadEntryView = {
  registration_id: 'R1',
  state: 'sealed',
  queued_at: '2026-11-25T09:00:00Z',
  created_by: 'sara.officer',
  decision: { outcome: 'approved', by: 'karim.supervisor', reason: null },
  progress: { registration_id: 'R1', sent: 10, total: 100, bytes_per_second: 0 },
  failures: 0,
  last_error: null,
  next_attempt_at: null,
  quarantined_at: null,
};

const STATUS: SyncStatusView = {
  link: 'online',
  running: true,
  current: null,
  run_done: 0,
  run_total: 2,
  run_bytes_sent: 0,
  register_news: 0,
  last_contact_at: null,
  next_check_at: null,
  blocked: null,
};

describe('upload center', () => {
  it('knows a packet set aside by its quarantine time', () => {
    expect(isQuarantined(ENTRY)).toBe(false);
    expect(isQuarantined({ ...ENTRY, quarantined_at: '2026-11-25T10:00:00Z' })).toBe(true);
  });

  it('lets supervisors and admins put a packet back, not officers', () => {
    expect(mayRelease('supervisor')).toBe(true);
    expect(mayRelease('admin')).toBe(true);
    expect(mayRelease('officer')).toBe(false);
    expect(mayRelease(undefined)).toBe(false);
  });

  it('takes a packet’s progress from the live status once there is one', () => {
    expect(liveProgress(ENTRY, null)).toEqual(ENTRY.progress);
    const current = { registration_id: 'R1', sent: 60, total: 100, bytes_per_second: 20 };
    expect(liveProgress(ENTRY, { ...STATUS, current })).toEqual(current);
    // Another packet under way, or none: this one's own copy is stale.
    expect(liveProgress(ENTRY, { ...STATUS, current: { ...current, registration_id: 'R2' } })).toBeNull();
    expect(liveProgress(ENTRY, STATUS)).toBeNull();
  });
});
