// What the home screen shows from the station's summary: the counts a clerk reads, which
// actions a row offers, how a decision reads, and how a further page joins its list.

import type { DecisionView, HomeList, RegisterStatusName, RegistrationState, StateCountsView } from '../backend/types';
import type { MessageKey } from '../i18n/catalogues';

export interface Counts {
  draft: number;
  pending: number;
  queued: number;
  acknowledged: number;
}

/**
 * The four numbers at the top. `queued` is what still has to reach the register: approved
 * (sealed) and rejected packets alike are sent, and uploaded ones wait for their receipt.
 */
export function homeCounts(counts: StateCountsView): Counts {
  return {
    draft: counts.draft,
    pending: counts.pending_approval,
    queued: counts.queued,
    acknowledged: counts.acknowledged,
  };
}

export function canApprove(state: RegistrationState): boolean {
  return state === 'pending_approval';
}

export function canContinue(state: RegistrationState): boolean {
  return state === 'draft';
}

/** "Approved by …" or "Rejected by …": a rejected packet must never read as an approved one. */
export function decisionKey(decision: DecisionView): MessageKey {
  return decision.outcome === 'rejected' ? 'decision.rejectedBy' : 'decision.approvedBy';
}

/** What the register did with a receipted packet, as one line with its time (`{at}`). */
export function registerStatusKey(status: RegisterStatusName): MessageKey {
  const keys: Record<RegisterStatusName, MessageKey> = {
    received: 'registration.register.received',
    processing: 'registration.register.processing',
    processed: 'registration.register.processed',
    rejected: 'registration.register.rejected',
    re_register: 'registration.register.reRegister',
    unknown: 'registration.register.unknown',
  };
  return keys[status];
}

/**
 * A list with the page after it appended. A registration that moved into the list between the
 * two fetches could appear in both; it is kept once, where it first appeared.
 */
export function appendPage(list: HomeList, page: HomeList): HomeList {
  const seen = new Set(list.items.map((item) => item.registration_id));
  return {
    items: [...list.items, ...page.items.filter((item) => !seen.has(item.registration_id))],
    next_page: page.next_page,
  };
}

/** Whether the station has no registration a list would show (the screen then says so once). */
export function isEmpty(counts: StateCountsView): boolean {
  return counts.draft + counts.pending_approval + counts.queued + counts.acknowledged === 0;
}
