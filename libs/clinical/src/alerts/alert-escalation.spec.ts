import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { AlertSeverity } from '../vocabulary';
import { decideEscalation, EscalatableAlert } from './alert-escalation';

const rules = DEFAULT_RULES;
const RAISED = new Date('2025-06-01T03:00:00.000Z');
const plus = (minutes: number) => new Date(RAISED.getTime() + minutes * 60_000);
const TEAM = ['nurse-ana', 'dr-lee', 'dr-okafor'];

function alert(overrides: Partial<EscalatableAlert> = {}): EscalatableAlert {
  return {
    id: 'alert-1',
    severity: 'CRITICAL',
    acknowledgedAt: null,
    resolvedAt: null,
    notifiedMemberIds: ['nurse-ana'],
    lastNotifiedAt: RAISED,
    ...overrides,
  };
}

describe('decideEscalation', () => {
  it.each`
    name                                              | subject                                                                            | now            | decision
    ${'CRITICAL unacknowledged for 14:59'}            | ${alert()}                                                                         | ${plus(14.99)} | ${{ action: 'NONE', reason: 'WAITING', nextCheckAt: plus(15) }}
    ${'CRITICAL unacknowledged for 15 minutes'}       | ${alert()}                                                                         | ${plus(15)}    | ${{ action: 'ESCALATE', toMemberId: 'dr-lee', nextCheckAt: plus(30) }}
    ${'second escalation 15 minutes after the first'} | ${alert({ notifiedMemberIds: ['nurse-ana', 'dr-lee'], lastNotifiedAt: plus(15) })} | ${plus(30)}    | ${{ action: 'ESCALATE', toMemberId: 'dr-okafor', nextCheckAt: plus(45) }}
    ${'everyone notified'}                            | ${alert({ notifiedMemberIds: TEAM, lastNotifiedAt: plus(30) })}                    | ${plus(45)}    | ${{ action: 'CARE_TEAM_EXHAUSTED', nextCheckAt: null }}
    ${'acknowledged'}                                 | ${alert({ acknowledgedAt: plus(5) })}                                              | ${plus(60)}    | ${{ action: 'NONE', reason: 'ACKNOWLEDGED', nextCheckAt: null }}
    ${'resolved'}                                     | ${alert({ resolvedAt: plus(5) })}                                                  | ${plus(60)}    | ${{ action: 'NONE', reason: 'RESOLVED', nextCheckAt: null }}
    ${'nobody notified yet'}                          | ${alert({ notifiedMemberIds: [] })}                                                | ${plus(1)}     | ${{ action: 'ESCALATE', toMemberId: 'nurse-ana', nextCheckAt: plus(16) }}
    ${'a notified member left the team'}              | ${alert({ notifiedMemberIds: ['former-member'] })}                                 | ${plus(15)}    | ${{ action: 'ESCALATE', toMemberId: 'nurse-ana', nextCheckAt: plus(30) }}
  `(
    '$name -> $decision.action',
    ({ subject, now, decision }: { subject: EscalatableAlert; now: Date; decision: unknown }) => {
      expect(decideEscalation(subject, now, TEAM, rules)).toEqual(decision);
    },
  );

  it.each(['HIGH', 'MEDIUM', 'LOW'] as AlertSeverity[])('never escalates a %s alert', (severity) => {
    expect(decideEscalation(alert({ severity }), plus(120), TEAM, rules)).toEqual({
      action: 'NONE',
      reason: 'SEVERITY_NOT_ESCALATED',
      nextCheckAt: null,
    });
  });
});
