// The banner after "Sync now", on the home screen and in the upload center alike: what the run
// did, worded from the station's report.

import { describeError, reactionTo, type Notice } from '../backend/errors';
import type { SyncReport } from '../backend/types';
import { translate } from '../i18n/catalogues';

// The notices that say only "the intake cannot be reached": stale, and so taken down, once the
// station hears from the intake again.
const offlineNotices = new WeakSet<Notice>();

/** The intake is out of reach: nothing is lost, `queued` packets wait on this station. */
export function queuedNotice(queued: number): Notice {
  const notice: Notice = { kind: 'warning', text: (language) => translate(language, 'home.syncQueued', { count: queued }) };
  offlineNotices.add(notice);
  return notice;
}

/** Whether `notice` says nothing but that the intake cannot be reached (see `queuedNotice`). */
export function saysOnlyOffline(notice: Notice | null): boolean {
  return notice !== null && offlineNotices.has(notice);
}

/**
 * What a finished run says, `queued` being what the station still holds after it. Packets the
 * run set aside for a supervisor (the register refused them for good) are named on top of
 * whatever else it says, and make it a warning.
 */
export function syncNotice(report: SyncReport, queued: number): Notice {
  const outcome = runOutcome(report, queued);
  const setAside = report.quarantined.length;
  if (setAside === 0) return outcome;
  return {
    kind: outcome.kind === 'error' ? 'error' : 'warning',
    text: (language) => `${outcome.text(language)} ${translate(language, 'home.syncQuarantined', { count: setAside })}`,
  };
}

function runOutcome(report: SyncReport, queued: number): Notice {
  if (report.failures.some((f) => reactionTo(f.error) === 'queued')) return queuedNotice(queued);
  if (report.failures.length > 0) {
    const first = report.failures[0];
    const failed = report.failures.length;
    return {
      kind: 'warning',
      text: (language) => translate(language, 'home.syncPartial', { failed, message: describeError(first.error, language) }),
    };
  }
  if (report.attempted === 0) return { kind: 'info', text: (language) => translate(language, 'home.syncNothing') };
  const { acknowledged, attempted } = report;
  return { kind: 'success', text: (language) => translate(language, 'home.syncDone', { acknowledged, attempted }) };
}
