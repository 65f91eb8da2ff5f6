// What the upload center derives from the station's `upload_center` and the live sync status:
// which packets are set aside, who may put one back, and each packet's progress as it goes.

import type { Role, SyncStatusView, UploadEntryView, UploadProgressView } from '../backend/types';

/** Set aside by the sync (the register refused it for good) until a supervisor releases it. */
export function isQuarantined(entry: UploadEntryView): boolean {
  return entry.quarantined_at !== null;
}

/**
 * Whether the signed-in operator may put a set-aside packet back in the queue: supervisors and
 * admins, as the station checks (`officer_cannot_review` for an officer).
 */
export function mayRelease(role: Role | null | undefined): boolean {
  return role === 'supervisor' || role === 'admin';
}

/**
 * The bytes of `entry` on their way. The live status, once heard, is the newer word: the
 * packet it names is the one being sent, and an entry's own progress (read when the list was)
 * is stale as soon as that packet is done or another is under way.
 */
export function liveProgress(entry: UploadEntryView, status: SyncStatusView | null): UploadProgressView | null {
  if (!status) return entry.progress;
  const current = status.current;
  return current && current.registration_id === entry.registration_id ? current : null;
}
