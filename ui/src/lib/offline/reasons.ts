// How the home screen words the station's offline limits (`OfflineView`): one sentence per
// limit near or past, with the measure and the limit. The station decides the level; this only
// says it.

import type { OfflineReason, OfflineView } from '../backend/types';
import type { MessageKey, Params } from '../i18n/catalogues';

export interface ReasonLine {
  key: MessageKey;
  params: Params;
}

/** The sentence for one limit of `view`. */
export function reasonLine(view: OfflineView, reason: OfflineReason): ReasonLine {
  switch (reason) {
    case 'days_since_sync':
      return {
        key: view.last_sync_at === null ? 'offline.reason.neverSynced' : 'offline.reason.daysSinceSync',
        params: { days: view.days_since_sync, max: view.limits.max_days_since_sync },
      };
    case 'packets_not_uploaded':
      return {
        key: 'offline.reason.packetsNotUploaded',
        params: { count: view.packets_not_uploaded, max: view.limits.max_packets_not_uploaded },
      };
    case 'free_disk':
      return {
        key: 'offline.reason.freeDisk',
        params: { free: view.free_disk_mb ?? 0, min: view.limits.min_free_disk_mb },
      };
  }
}

/** Every limit near or past, the worst first (the station's order). */
export function reasonLines(view: OfflineView): ReasonLine[] {
  return view.reasons.map((reason) => reasonLine(view, reason));
}
