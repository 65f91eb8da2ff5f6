// What the home screen counts and which actions a row offers, from the list's states.

import type { RegistrationState, RegistrationSummary } from '../backend/types';

export interface Counts {
  draft: number;
  pending: number;
  queued: number;
  acknowledged: number;
}

export function countByState(rows: RegistrationSummary[]): Counts {
  const counts: Counts = { draft: 0, pending: 0, queued: 0, acknowledged: 0 };
  for (const row of rows) {
    if (row.state === 'draft') counts.draft += 1;
    else if (row.state === 'pending_approval') counts.pending += 1;
    else if (row.state === 'sealed' || row.state === 'uploaded') counts.queued += 1;
    else if (row.state === 'acknowledged') counts.acknowledged += 1;
  }
  return counts;
}

/**
 * Packets the station still has to send: approved (sealed) and not yet receipted. A rejected
 * packet is sealed too but stays on the station until it is purged; it is not sent.
 */
export function queuedCount(rows: RegistrationSummary[]): number {
  return rows.filter((r) => r.state === 'sealed' || r.state === 'uploaded').length;
}

export function canApprove(state: RegistrationState): boolean {
  return state === 'pending_approval';
}

export function canContinue(state: RegistrationState): boolean {
  return state === 'draft';
}

/** Newest first, so the registration just made is at the top. */
export function newestFirst(rows: RegistrationSummary[]): RegistrationSummary[] {
  return [...rows].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
}
