import { describe, expect, it } from 'vitest';
import { BpSession } from '../readings/sessions';
import { DEFAULT_RULES } from '../rules';
import { SymptomCode } from '../vocabulary';
import { evaluatePersistentHypotension } from './persistent-hypotension';

const rules = DEFAULT_RULES;
const NOW = new Date('2025-06-03T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

function session(
  hoursBeforeNow: number,
  meanSbp: number,
  meanDbp = 60,
  symptoms: SymptomCode[] = [],
): BpSession {
  const startedAt = hoursAgo(hoursBeforeNow);
  return {
    patientId: 'patient-1',
    startedAt,
    endedAt: startedAt,
    readingIds: [`s${hoursBeforeNow}`],
    meanSbp,
    meanDbp,
    meanHeartRate: null,
    reportedSymptoms: symptoms,
  };
}

describe('evaluatePersistentHypotension', () => {
  it.each`
    name                                              | sessions                                       | alert
    ${'two low sessions within 48 h'}                 | ${[session(40, 88), session(2, 85)]}           | ${true}
    ${'two low sessions, the older exactly 48 h ago'} | ${[session(48, 88), session(2, 85)]}           | ${true}
    ${'the older low session more than 48 h ago'}     | ${[session(49, 88), session(2, 85)]}           | ${false}
    ${'one low session, no symptoms'}                 | ${[session(2, 85)]}                            | ${false}
    ${'one low session with dizziness'}               | ${[session(2, 85, 60, ['DIZZINESS'])]}         | ${true}
    ${'one low session with fainting'}                | ${[session(2, 85, 60, ['FAINTING'])]}          | ${true}
    ${'one low session with an unrelated symptom'}    | ${[session(2, 85, 60, ['BACK_PAIN'])]}         | ${false}
    ${'session mean SBP 90 is not low'}               | ${[session(40, 90), session(2, 90)]}           | ${false}
    ${'dizziness with a normal session'}              | ${[session(2, 120, 70, ['DIZZINESS'])]}        | ${false}
    ${'DBP below 60 alone'}                           | ${[session(40, 110, 55), session(2, 105, 52)]} | ${false}
  `('$name -> alert $alert', ({ sessions, alert }: { sessions: BpSession[]; alert: boolean }) => {
    const result = evaluatePersistentHypotension({ patientId: 'patient-1', sessions, now: NOW }, rules);
    expect(result.alert !== null).toBe(alert);
    expect(result.withholdIncreases).toBe(alert);
    if (result.alert) {
      expect(result.alert).toMatchObject({ condition: 'PERSISTENT_HYPOTENSION', severity: 'HIGH' });
      expect(result.alert.effects).toContain('WITHHOLD_INCREASES');
    }
  });

  it('flags a low diastolic mean for the clinician without alerting', () => {
    const result = evaluatePersistentHypotension(
      { patientId: 'patient-1', sessions: [session(2, 105, 55)], now: NOW },
      rules,
    );
    expect(result.alert).toBeNull();
    expect(result.clinicianFlags).toEqual([
      { code: 'DIASTOLIC_BELOW_THRESHOLD', sessionStartedAt: hoursAgo(2), meanDbp: 55 },
    ]);
  });

  it('dates the alert at the session that met the condition', () => {
    const result = evaluatePersistentHypotension(
      { patientId: 'patient-1', sessions: [session(30, 86), session(20, 84), session(2, 80)], now: NOW },
      rules,
    );
    expect(result.alert?.raisedAt).toEqual(hoursAgo(20));
    expect(result.alert?.message).toBe('3 sessions with mean SBP below 90 mm[Hg] within 48 h');
  });

  it("ignores other patients' sessions", () => {
    const other = { ...session(3, 80), patientId: 'patient-2' };
    const result = evaluatePersistentHypotension(
      { patientId: 'patient-1', sessions: [session(2, 85), other], now: NOW },
      rules,
    );
    expect(result.alert).toBeNull();
  });
});
