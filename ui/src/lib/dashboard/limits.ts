// The offline limits as the dashboard's table shows them: each limit, the station's measure
// against it and how close it is, judged as the station judges them (`station/src/offline.rs`:
// near from four fifths of the days or the packets, or below twice the free disk).

import type { OfflineView } from '../backend/types';

export type LimitName = 'days' | 'packets' | 'disk';
export type Closeness = 'fine' | 'near' | 'reached' | 'unknown';

export interface LimitRow {
  name: LimitName;
  /** The measure now: days, packets, or free megabytes (null: the platform does not say). */
  now: number | null;
  /** The limit: the most days or packets, or the least free megabytes. */
  limit: number;
  closeness: Closeness;
}

export function limitRows(offline: OfflineView): LimitRow[] {
  const { limits } = offline;
  const most = (now: number, limit: number): Closeness =>
    now >= limit ? 'reached' : now * 5 >= limit * 4 ? 'near' : 'fine';
  const disk: Closeness =
    offline.free_disk_mb === null
      ? 'unknown'
      : offline.free_disk_mb < limits.min_free_disk_mb
        ? 'reached'
        : offline.free_disk_mb < limits.min_free_disk_mb * 2
          ? 'near'
          : 'fine';
  return [
    {
      name: 'days',
      now: offline.days_since_sync,
      limit: limits.max_days_since_sync,
      closeness: most(offline.days_since_sync, limits.max_days_since_sync),
    },
    {
      name: 'packets',
      now: offline.packets_not_uploaded,
      limit: limits.max_packets_not_uploaded,
      closeness: most(offline.packets_not_uploaded, limits.max_packets_not_uploaded),
    },
    { name: 'disk', now: offline.free_disk_mb, limit: limits.min_free_disk_mb, closeness: disk },
  ];
}
