// The dashboard's numbers: counts in each language's digits grouping, counted units in the
// plural form of the number itself, a wait in the unit that reads naturally, the day as a long
// date, the PDF's offered name, and the offline limits judged as the station judges them.

import { describe, expect, test } from 'vitest';

import { OFFLINE_OK } from '../../test/fakeBackend';
import { formatAge, formatCounted, formatDay, reportFileName, utcOffsetMinutes } from './format';
import { limitRows } from './limits';

describe('the dashboard’s numbers', () => {
  test('a counted unit takes the plural of the number and its separators', () => {
    const thousands = new Intl.NumberFormat('fr', { numberingSystem: 'latn' }).format(1234);
    expect(formatCounted(1234, 'unit.packets', 'fr')).toBe(`${thousands} paquets`);
    expect(formatCounted(1, 'unit.packets', 'en')).toBe('1 packet');
    expect(formatCounted(1, 'unit.packets', 'ar')).toBe('حزمة واحدة');
    expect(formatCounted(3, 'unit.packets', 'ar')).toBe('3 حزم');
  });

  test('a wait reads in minutes, then hours, then days', () => {
    expect(formatAge(59, 'en')).toBe('59 minutes');
    expect(formatAge(60, 'en')).toBe('1 hour');
    expect(formatAge(47 * 60 + 59, 'en')).toBe('47 hours');
    expect(formatAge(48 * 60, 'en')).toBe('2 days');
  });

  test('the day, the file name and the window’s offset', () => {
    expect(formatDay('2026-11-25', 'en')).toBe('November 25, 2026');
    expect(formatDay('not a day', 'en')).toBe('not a day');
    expect(reportFileName('10001', '2026-11-25')).toBe('end-of-day-10001-2026-11-25.pdf');
    expect(reportFileName('../x y', '2026-11-25')).toBe('end-of-day--x-y-2026-11-25.pdf');
    expect(Object.is(utcOffsetMinutes(new Date('2026-11-25T09:00:00Z')), -0)).toBe(false);
  });

  test('the limits: near from four fifths (or twice the disk), reached at the limit', () => {
    const rows = limitRows({ ...OFFLINE_OK, days_since_sync: 12, packets_not_uploaded: 500, free_disk_mb: null });
    expect(rows.map((row) => [row.name, row.closeness])).toEqual([
      ['days', 'near'],
      ['packets', 'reached'],
      ['disk', 'unknown'],
    ]);
    expect(limitRows({ ...OFFLINE_OK, free_disk_mb: 2047 })[2].closeness).toBe('near');
    expect(limitRows({ ...OFFLINE_OK, free_disk_mb: 1023 })[2].closeness).toBe('reached');
    expect(limitRows(OFFLINE_OK).every((row) => row.closeness === 'fine')).toBe(true);
  });
});
