import { describe, expect, it } from 'vitest';
import { BpSession } from '../readings/sessions';
import { DEFAULT_RULES } from '../rules';
import { evaluatePersistentUncontrolled } from './persistent-uncontrolled';

const rules = DEFAULT_RULES;
const NOW = new Date('2025-06-30T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const TARGET = { sbp: 130, dbp: 80 };

function session(daysBeforeNow: number, meanSbp: number, meanDbp: number): BpSession {
  const startedAt = daysAgo(daysBeforeNow);
  return {
    patientId: 'patient-1',
    startedAt,
    endedAt: startedAt,
    readingIds: [`s${daysBeforeNow}`],
    meanSbp,
    meanDbp,
    meanHeartRate: null,
    reportedSymptoms: [],
  };
}

/** One session a day over the last two weeks: `older` for days 8-14, `recent` for days 1-7 (session at d - 0.5 days). */
function twoWeeks(older: [number, number], recent: [number, number]): BpSession[] {
  return Array.from({ length: 14 }, (_, index) => {
    const days = index + 0.5;
    const [sbp, dbp] = days < 7 ? recent : older;
    return session(days, sbp, dbp);
  });
}

describe('evaluatePersistentUncontrolled', () => {
  it.each`
    name                                                       | sessions                                                                  | lastAdjustmentDaysAgo | alert
    ${'both weeks above target after the adjustment'}          | ${twoWeeks([138, 84], [136, 82])}                                         | ${20}                 | ${true}
    ${'adjustment exactly 14 days ago'}                        | ${twoWeeks([138, 84], [136, 82])}                                         | ${14}                 | ${true}
    ${'adjustment 13 days ago (older week started before it)'} | ${twoWeeks([138, 84], [136, 82])}                                         | ${13}                 | ${false}
    ${'never adjusted'}                                        | ${twoWeeks([138, 84], [136, 82])}                                         | ${null}               | ${true}
    ${'recent week at target'}                                 | ${twoWeeks([138, 84], [128, 78])}                                         | ${20}                 | ${false}
    ${'older week at target'}                                  | ${twoWeeks([128, 78], [136, 82])}                                         | ${20}                 | ${false}
    ${'diastolic alone above target counts'}                   | ${twoWeeks([125, 82], [125, 81])}                                         | ${20}                 | ${true}
    ${'mean exactly 130/79 is above target'}                   | ${twoWeeks([130, 79], [130, 79])}                                         | ${20}                 | ${true}
    ${'a week without data'}                                   | ${twoWeeks([138, 84], [136, 82]).filter((s) => s.startedAt < daysAgo(7))} | ${20}                 | ${false}
  `(
    '$name -> alert $alert',
    ({
      sessions,
      lastAdjustmentDaysAgo,
      alert,
    }: {
      sessions: BpSession[];
      lastAdjustmentDaysAgo: number | null;
      alert: boolean;
    }) => {
      const result = evaluatePersistentUncontrolled(
        {
          patientId: 'patient-1',
          sessions,
          now: NOW,
          target: TARGET,
          lastAdjustmentAt: lastAdjustmentDaysAgo === null ? null : daysAgo(lastAdjustmentDaysAgo),
        },
        rules,
      );
      expect(result.alert !== null).toBe(alert);
      if (result.alert) {
        expect(result.alert).toMatchObject({
          condition: 'PERSISTENT_UNCONTROLLED',
          effects: ['BRING_FOLLOW_UP_FORWARD'],
        });
      }
    },
  );

  it('reports the weekly means it judged, most recent first', () => {
    const result = evaluatePersistentUncontrolled(
      {
        patientId: 'patient-1',
        sessions: twoWeeks([140, 86], [136, 82]),
        now: NOW,
        target: TARGET,
        lastAdjustmentAt: null,
      },
      rules,
    );
    expect(result.weeks.map((week) => [week.sessionCount, week.mean, week.atTarget])).toEqual([
      [7, { sbp: 136, dbp: 82 }, false],
      [7, { sbp: 140, dbp: 86 }, false],
    ]);
    expect(result.alert?.message).toBe(
      'Home mean above target 130/80 for 2 consecutive weeks: 136/82, 140/86',
    );
  });

  it('uses the patient target', () => {
    const result = evaluatePersistentUncontrolled(
      {
        patientId: 'patient-1',
        sessions: twoWeeks([138, 84], [136, 82]),
        now: NOW,
        target: { sbp: 140, dbp: 90 },
        lastAdjustmentAt: null,
      },
      rules,
    );
    expect(result.alert).toBeNull();
  });
});
