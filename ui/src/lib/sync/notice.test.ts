import { describe, expect, it } from 'vitest';

import type { SyncReport } from '../backend/types';
import { queuedNotice, syncNotice } from './notice';

const report = (change: Partial<SyncReport>): SyncReport => ({
  attempted: 0,
  acknowledged: 0,
  failures: [],
  quarantined: [],
  ...change,
});

const refused = (id: string) => ({ registration_id: id, error: { code: 'packet_rejected' as const, params: {}, fields: [] } });

describe('syncNotice', () => {
  it('says what a run did', () => {
    const done = syncNotice(report({ attempted: 2, acknowledged: 2 }), 0);
    expect(done.kind).toBe('success');
    expect(done.text('en')).toBe('Sync finished: 2 of 2 acknowledged by the intake');
    const nothing = syncNotice(report({}), 0);
    expect(nothing.kind).toBe('info');
    expect(nothing.text('fr')).toBe('Synchronisation terminée : rien à envoyer');
  });

  it('says the packets stay queued when the intake is out of reach', () => {
    const unreachable = report({
      attempted: 1,
      failures: [{ registration_id: 'R1', error: { code: 'intake_unreachable', params: {}, fields: [] } }],
    });
    const notice = syncNotice(unreachable, 3);
    expect(notice.kind).toBe('warning');
    expect(notice.text('en')).toContain('Still queued on this station: 3 packets');
    expect(queuedNotice(1).text('en')).toContain('1 packet,');
  });

  it('names the packets set aside for a supervisor, in each language', () => {
    const run = report({ attempted: 3, acknowledged: 1, failures: [refused('R1'), refused('R2')], quarantined: ['R1', 'R2'] });
    const notice = syncNotice(run, 2);
    expect(notice.kind).toBe('warning');
    const english = notice.text('en');
    expect(english).toContain('2 packet(s) could not be sent');
    expect(english).toContain('Set aside for a supervisor (refused for good by the register): 2 packets. See the upload center.');
    expect(notice.text('fr')).toContain('Mis de côté pour un superviseur (refus définitif du registre) : 2 paquets.');
    expect(notice.text('ar')).toContain('جُنّبت لمراجعة مشرف (رفضها السجلّ نهائيًا): حزمتان.');
  });

  it('adds nothing when no packet was set aside', () => {
    const notice = syncNotice(report({ attempted: 1, acknowledged: 1 }), 0);
    expect(notice.text('en')).not.toContain('Set aside');
  });
});
