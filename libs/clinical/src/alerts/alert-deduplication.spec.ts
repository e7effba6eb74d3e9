import { describe, expect, it } from 'vitest';
import { AlertCondition, AlertSeverity } from '../vocabulary';
import { decideAlertNotification, OpenAlert } from './alert-deduplication';

const open = (
  id: string,
  condition: AlertCondition,
  severity: AlertSeverity,
  patientId = 'p1',
): OpenAlert => ({
  id,
  patientId,
  condition,
  severity,
});

describe('decideAlertNotification', () => {
  it.each`
    name                                               | candidateSeverity | openAlerts                                                                                        | decision
    ${'nothing open'}                                  | ${'HIGH'}         | ${[]}                                                                                             | ${{ action: 'CREATE' }}
    ${'same condition open, same severity'}            | ${'HIGH'}         | ${[open('a1', 'PERSISTENT_HYPOTENSION', 'HIGH')]}                                                 | ${{ action: 'SUPPRESS', existingAlertId: 'a1' }}
    ${'same condition open, lower severity candidate'} | ${'MEDIUM'}       | ${[open('a1', 'PERSISTENT_HYPOTENSION', 'HIGH')]}                                                 | ${{ action: 'SUPPRESS', existingAlertId: 'a1' }}
    ${'same condition open, worse severity'}           | ${'CRITICAL'}     | ${[open('a1', 'PERSISTENT_HYPOTENSION', 'HIGH')]}                                                 | ${{ action: 'RENOTIFY', existingAlertId: 'a1', previousSeverity: 'HIGH', severity: 'CRITICAL' }}
    ${'another condition open'}                        | ${'HIGH'}         | ${[open('a1', 'HYPERTENSIVE_CRISIS', 'CRITICAL')]}                                                | ${{ action: 'CREATE' }}
    ${'same condition open for another patient'}       | ${'HIGH'}         | ${[open('a1', 'PERSISTENT_HYPOTENSION', 'HIGH', 'p2')]}                                           | ${{ action: 'CREATE' }}
    ${'two open: compared with the worse one'}         | ${'HIGH'}         | ${[open('a1', 'PERSISTENT_HYPOTENSION', 'MEDIUM'), open('a2', 'PERSISTENT_HYPOTENSION', 'HIGH')]} | ${{ action: 'SUPPRESS', existingAlertId: 'a2' }}
  `(
    '$name -> $decision.action',
    ({
      candidateSeverity,
      openAlerts,
      decision,
    }: {
      candidateSeverity: AlertSeverity;
      openAlerts: OpenAlert[];
      decision: unknown;
    }) => {
      expect(
        decideAlertNotification(
          { patientId: 'p1', condition: 'PERSISTENT_HYPOTENSION', severity: candidateSeverity },
          openAlerts,
        ),
      ).toEqual(decision);
    },
  );
});
