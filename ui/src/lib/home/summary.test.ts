import { describe, expect, it } from 'vitest';

import type { RegistrationState, RegistrationSummary } from '../backend/types';
import { canApprove, countByState, newestFirst, queuedCount } from './summary';

function row(id: string, state: RegistrationState, updated_at = '2026-11-25T10:00:00Z'): RegistrationSummary {
  return { registration_id: id, state, display_name: null, created_by: 'admin', updated_at, last_error: null };
}

describe('home summary', () => {
  const rows = [
    row('a', 'draft'),
    row('b', 'pending_approval'),
    row('c', 'sealed'),
    row('d', 'uploaded'),
    row('e', 'acknowledged'),
    row('f', 'rejected'),
  ];

  it('counts by what the clerk cares about', () => {
    expect(countByState(rows)).toEqual({ draft: 1, pending: 1, queued: 2, acknowledged: 1 });
    // A rejected packet is not sent.
    expect(queuedCount(rows)).toBe(2);
  });

  it('offers approval only while pending', () => {
    expect(canApprove('pending_approval')).toBe(true);
    expect(canApprove('draft')).toBe(false);
    expect(canApprove('sealed')).toBe(false);
  });

  it('puts the newest first', () => {
    const sorted = newestFirst([row('old', 'draft', '2026-11-24T10:00:00Z'), row('new', 'draft', '2026-11-25T10:00:00Z')]);
    expect(sorted.map((r) => r.registration_id)).toEqual(['new', 'old']);
  });
});
