import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { at, reading } from '../testing/reading-builders';
import { countsTowardDecisions, decisionExclusionReason, groupIntoSessions } from './sessions';

const rules = DEFAULT_RULES;

describe('decisionExclusionReason', () => {
  it.each`
    overrides                        | reason
    ${{}}                            | ${null}
    ${{ kind: 'WRIST_CUFF' }}        | ${'NOT_A_DECISION_DEVICE'}
    ${{ kind: 'CUFFLESS_WEARABLE' }} | ${'NOT_A_DECISION_DEVICE'}
    ${{ validated: false }}          | ${'DEVICE_NOT_VALIDATED'}
    ${{ enteredInError: true }}      | ${'ENTERED_IN_ERROR'}
  `(
    '$overrides -> $reason',
    ({ overrides, reason }: { overrides: Parameters<typeof reading>[3]; reason: string | null }) => {
      const subject = reading(at(0), 130, 85, overrides);
      expect(decisionExclusionReason(subject, rules)).toBe(reason);
      expect(countsTowardDecisions(subject, rules)).toBe(reason === null);
    },
  );

  it('leaves out implausible readings', () => {
    expect(decisionExclusionReason(reading(at(0), 85, 80), rules)).toBe('IMPLAUSIBLE');
  });
});

describe('groupIntoSessions', () => {
  it('groups readings within 10 minutes of the first and averages them', () => {
    const readings = [
      reading(at(0), 130, 80, { id: 'a', heartRate: 70 }),
      reading(at(1), 128, 78, { id: 'b', heartRate: 72 }),
      reading(at(10), 126, 76, { id: 'c' }),
    ];
    const { sessions, excluded } = groupIntoSessions(readings, rules);
    expect(excluded).toEqual([]);
    expect(sessions).toEqual([
      {
        patientId: 'patient-1',
        startedAt: at(0),
        endedAt: at(10),
        readingIds: ['a', 'b', 'c'],
        meanSbp: 128,
        meanDbp: 78,
        meanHeartRate: 71,
        reportedSymptoms: [],
      },
    ]);
  });

  it('starts a new session past 10 minutes from the first reading, not from the previous one', () => {
    const readings = [at(0), at(6), at(10.5), at(16)].map((takenAt, index) =>
      reading(takenAt, 120 + index, 80, { id: `r${index}` }),
    );
    const { sessions } = groupIntoSessions(readings, rules);
    expect(sessions.map((session) => session.readingIds)).toEqual([
      ['r0', 'r1'],
      ['r2', 'r3'],
    ]);
  });

  it('keeps patients apart and does not depend on input order', () => {
    const readings = [
      reading(at(0), 130, 80, { id: 'p1-a' }),
      reading(at(1), 150, 90, { id: 'p2-a', patientId: 'patient-2' }),
      reading(at(2), 134, 84, { id: 'p1-b' }),
    ];
    const forward = groupIntoSessions(readings, rules);
    const backward = groupIntoSessions([...readings].reverse(), rules);
    expect(forward).toEqual(backward);
    expect(
      forward.sessions.map((session) => [session.patientId, session.readingIds, session.meanSbp]),
    ).toEqual([
      ['patient-1', ['p1-a', 'p1-b'], 132],
      ['patient-2', ['p2-a'], 150],
    ]);
  });

  it('counts only validated upper-arm cuff readings and says why others were left out', () => {
    const readings = [
      reading(at(0), 130, 80, { id: 'cuff' }),
      reading(at(1), 170, 100, { id: 'wrist', kind: 'WRIST_CUFF' }),
      reading(at(2), 170, 100, { id: 'watch', kind: 'CUFFLESS_WEARABLE' }),
      reading(at(3), 170, 100, { id: 'error', enteredInError: true }),
    ];
    const { sessions, excluded } = groupIntoSessions(readings, rules);
    expect(sessions.map((session) => [session.readingIds, session.meanSbp])).toEqual([[['cuff'], 130]]);
    expect(excluded).toEqual([
      { readingId: 'wrist', reason: 'NOT_A_DECISION_DEVICE' },
      { readingId: 'watch', reason: 'NOT_A_DECISION_DEVICE' },
      { readingId: 'error', reason: 'ENTERED_IN_ERROR' },
    ]);
  });

  it('collects the symptoms reported during the session', () => {
    const readings = [
      reading(at(0), 85, 55, { symptoms: ['DIZZINESS'] }),
      reading(at(1), 86, 56, { symptoms: ['FAINTING', 'DIZZINESS'] }),
    ];
    expect(groupIntoSessions(readings, rules).sessions[0]?.reportedSymptoms).toEqual([
      'DIZZINESS',
      'FAINTING',
    ]);
  });
});
