import { describe, expect, it } from 'vitest';

import type { PolicyView } from '../backend/types';
import { checkPolicy, formFromPolicy, parseWholeNumber, policyProblem } from './policy';
import { purgeOutcome } from './purge';

const limits = { idle_lock_minutes_min: 1, idle_lock_minutes_max: 120, retention_days_min: 1, retention_days_max: 3650 };

describe('policy form', () => {
  it('starts from what the station says', () => {
    const view: PolicyView = {
      idle_lock_minutes: 10,
      retention_days: 30,
      idle_lock_is_default: true,
      retention_is_default: true,
      limits,
    };
    expect(formFromPolicy(view)).toEqual({ idle_lock_minutes: '10', retention_days: '30' });
  });

  it('reads whole numbers in Latin or Arabic-Indic digits and nothing else', () => {
    expect(parseWholeNumber(' 15 ')).toBe(15);
    expect(parseWholeNumber('١٥')).toBe(15);
    expect(parseWholeNumber('1.5')).toBeNull();
    expect(parseWholeNumber('-3')).toBeNull();
    expect(parseWholeNumber('')).toBeNull();
    expect(parseWholeNumber('1e3')).toBeNull();
  });

  it('checks each number against the station’s own range', () => {
    expect(checkPolicy({ idle_lock_minutes: '15', retention_days: '90' }, limits)).toEqual({
      problems: {},
      request: { idle_lock_minutes: 15, retention_days: 90 },
    });
    expect(checkPolicy({ idle_lock_minutes: '0', retention_days: '3651' }, limits)).toEqual({
      problems: {
        idle_lock_minutes: { key: 'policy.idleLockRange', params: { min: 1, max: 120 } },
        retention_days: { key: 'policy.retentionRange', params: { min: 1, max: 3650 } },
      },
      request: null,
    });
    expect(checkPolicy({ idle_lock_minutes: 'ten', retention_days: '1' }, limits).problems).toEqual({
      idle_lock_minutes: { key: 'policy.idleLockRange', params: { min: 1, max: 120 } },
    });
    expect(policyProblem({ field: 'retention_days', language: null, code: 'out_of_range', message: 'x' }, limits)).toEqual({
      key: 'policy.retentionRange',
      params: { min: 1, max: 3650 },
    });
  });
});

describe('purge outcome', () => {
  it('says how many were purged, or that nothing was', () => {
    expect(purgeOutcome({ purged: [] }, 30)).toEqual({ key: 'purge.nothing', params: { days: 30 } });
    expect(purgeOutcome({ purged: ['a'] }, 30)).toEqual({ key: 'purge.doneOne', params: { count: 1, days: 30 } });
    expect(purgeOutcome({ purged: ['a', 'b', 'c'] }, 7)).toEqual({ key: 'purge.doneMany', params: { count: 3, days: 7 } });
  });
});
