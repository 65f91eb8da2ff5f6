import { describe, expect, it } from 'vitest';

import type { HomeItem, HomeList, RegistrationState, StateCountsView } from '../backend/types';
import { appendPage, canApprove, canContinue, decisionKey, homeCounts, isEmpty } from './summary';

function item(id: string, state: RegistrationState = 'acknowledged'): HomeItem {
  return {
    registration_id: id,
    state,
    created_by: 'omar',
    created_at: '2026-11-25T09:00:00Z',
    updated_at: '2026-11-25T10:00:00Z',
    display_name: null,
    decision: null,
    receipt: null,
    last_error: null,
  };
}

const counts: StateCountsView = {
  draft: 1,
  pending_approval: 2,
  sealed: 3,
  uploaded: 4,
  acknowledged: 5,
  rejected: 6,
  queued: 13,
};

describe('home summary', () => {
  it('counts what the clerk cares about, rejected packets among the queued', () => {
    expect(homeCounts(counts)).toEqual({ draft: 1, pending: 2, queued: 13, acknowledged: 5 });
  });

  it('says empty only when no list has anything', () => {
    expect(isEmpty(counts)).toBe(false);
    const none = { draft: 0, pending_approval: 0, sealed: 0, uploaded: 0, acknowledged: 0, rejected: 0, queued: 0 };
    expect(isEmpty(none)).toBe(true);
    // Purged tombstones are not listed anywhere: a station with only those is empty.
    expect(isEmpty({ ...none, queued: 1 })).toBe(false);
  });

  it('offers approval only while pending, and continuing only a draft', () => {
    expect(canApprove('pending_approval')).toBe(true);
    expect(canApprove('draft')).toBe(false);
    expect(canApprove('sealed')).toBe(false);
    expect(canContinue('draft')).toBe(true);
    expect(canContinue('pending_approval')).toBe(false);
  });

  it('never reads a rejection as an approval', () => {
    expect(decisionKey({ outcome: 'rejected', by: 'sara', reason: null })).toBe('decision.rejectedBy');
    expect(decisionKey({ outcome: 'approved', by: 'sara', reason: null })).toBe('decision.approvedBy');
  });

  it('appends a further page once, and takes its cursor', () => {
    const first: HomeList = {
      items: [item('a'), item('b')],
      next_page: { updated_at: '2026-11-25T10:00:00Z', registration_id: 'b' },
    };
    const next: HomeList = { items: [item('b'), item('c')], next_page: null };
    const joined = appendPage(first, next);
    expect(joined.items.map((i) => i.registration_id)).toEqual(['a', 'b', 'c']);
    expect(joined.next_page).toBeNull();
    // The lists it was built from are left as they were.
    expect(first.items).toHaveLength(2);
  });
});
