// What the admin is told after a purge: how many packets were erased, or that none was.

import type { PurgeReport } from '../backend/types';
import type { MessageKey } from '../i18n/catalogues';

export function purgeOutcome(report: PurgeReport, retentionDays: number): { key: MessageKey; params: Record<string, number> } {
  const count = report.purged.length;
  if (count === 0) return { key: 'purge.nothing', params: { days: retentionDays } };
  return { key: count === 1 ? 'purge.doneOne' : 'purge.doneMany', params: { count, days: retentionDays } };
}
