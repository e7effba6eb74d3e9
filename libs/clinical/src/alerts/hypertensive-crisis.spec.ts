import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { at, reading } from '../testing/reading-builders';
import { evaluateHypertensiveCrisis } from './hypertensive-crisis';

const rules = DEFAULT_RULES;
const patientId = 'patient-1';

describe('evaluateHypertensiveCrisis', () => {
  it('shows the emergency guidance at once on the first crisis-range reading and asks for a re-measure in 5 minutes', () => {
    const result = evaluateHypertensiveCrisis(
      { patientId, readings: [reading(at(0), 185, 100, { id: 'first' })], now: at(0) },
      rules,
    );
    expect(result.alerts).toEqual([]);
    expect(result.episodes).toMatchObject([
      { triggeringReadingId: 'first', status: 'AWAITING_REMEASURE', confirmBy: at(15) },
    ]);
    expect(result.patientGuidance).toEqual({
      emergencySymptoms: rules.crisisAlert.emergencySymptoms,
      message:
        'Your blood pressure is very high. If you have chest pain, shortness of breath, back pain, numbness or weakness, change in vision, difficulty speaking, call emergency services now. If you feel well, sit and rest, then measure again in 5 minutes.',
      remeasureAt: at(5),
    });
  });

  it.each`
    name                                               | remeasures                        | now          | status                  | alert
    ${'confirming re-measure (crisis mean)'}           | ${[[6, 190, 110], [7, 186, 104]]} | ${at(8)}     | ${'CONFIRMED'}          | ${true}
    ${'re-measure below crisis range'}                 | ${[[6, 165, 95]]}                 | ${at(8)}     | ${'NOT_CONFIRMED'}      | ${false}
    ${'mean of the re-measure session decides'}        | ${[[6, 190, 100], [7, 160, 90]]}  | ${at(8)}     | ${'NOT_CONFIRMED'}      | ${false}
    ${'diastolic crisis confirms too'}                 | ${[[6, 170, 125]]}                | ${at(8)}     | ${'CONFIRMED'}          | ${true}
    ${'no re-measure yet at 14:59'}                    | ${[]}                             | ${at(14.99)} | ${'AWAITING_REMEASURE'} | ${false}
    ${'no re-measure by 15 minutes'}                   | ${[]}                             | ${at(15)}    | ${'NO_REMEASURE'}       | ${true}
    ${'readings during the rest are not a re-measure'} | ${[[1, 188, 100], [2, 187, 99]]}  | ${at(15)}    | ${'NO_REMEASURE'}       | ${true}
    ${'a re-measure after 15 minutes is too late'}     | ${[[16, 150, 90]]}                | ${at(16)}    | ${'NO_REMEASURE'}       | ${true}
    ${'re-measure at exactly 5 and 15 minutes counts'} | ${[[5, 150, 90], [15, 150, 90]]}  | ${at(15)}    | ${'NOT_CONFIRMED'}      | ${false}
  `(
    '$name -> $status',
    ({
      remeasures,
      now,
      status,
      alert,
    }: {
      remeasures: [number, number, number][];
      now: Date;
      status: string;
      alert: boolean;
    }) => {
      const readings = [
        reading(at(0), 185, 100, { id: 'first' }),
        ...remeasures.map(([minute, sbp, dbp]) => reading(at(minute), sbp, dbp)),
      ];
      const result = evaluateHypertensiveCrisis({ patientId, readings, now }, rules);
      expect(result.episodes[0]?.status).toBe(status);
      expect(result.alerts.length > 0).toBe(alert);
      if (alert) {
        expect(result.alerts[0]).toMatchObject({
          condition: 'HYPERTENSIVE_CRISIS',
          severity: 'CRITICAL',
          patientId,
        });
        expect(result.alerts[0]?.effects).toContain('ESCALATE_IF_UNACKNOWLEDGED');
      }
    },
  );

  it('dates a missed re-measure alert at the 15-minute mark and a confirmed one at the confirming reading', () => {
    const missed = evaluateHypertensiveCrisis(
      { patientId, readings: [reading(at(0), 185, 100)], now: at(40) },
      rules,
    );
    expect(missed.alerts[0]?.raisedAt).toEqual(at(15));
    expect(missed.patientGuidance).toBeNull();
    const confirmed = evaluateHypertensiveCrisis(
      {
        patientId,
        readings: [reading(at(0), 185, 100, { id: 'a' }), reading(at(6), 190, 110, { id: 'b' })],
        now: at(40),
      },
      rules,
    );
    expect(confirmed.alerts[0]).toMatchObject({ raisedAt: at(6), evidence: { readingIds: ['a', 'b'] } });
  });

  it('keeps guidance up while the episode is open but stops asking for a re-measure once it is in', () => {
    const result = evaluateHypertensiveCrisis(
      { patientId, readings: [reading(at(0), 185, 100), reading(at(6), 190, 110)], now: at(7) },
      rules,
    );
    expect(result.patientGuidance?.remeasureAt).toBeNull();
    expect(result.patientGuidance?.message).not.toContain('measure again');
  });

  it('opens a new episode for a crisis reading after the previous one closed', () => {
    const readings = [
      reading(at(0), 185, 100),
      reading(at(6), 150, 90),
      reading(at(120), 200, 100, { id: 'later' }),
    ];
    const result = evaluateHypertensiveCrisis({ patientId, readings, now: at(121) }, rules);
    expect(result.episodes.map((episode) => [episode.triggeringReadingId, episode.status])).toEqual([
      [readings[0]?.id, 'NOT_CONFIRMED'],
      ['later', 'AWAITING_REMEASURE'],
    ]);
  });

  it.each`
    name                  | overrides
    ${'wrist reading'}    | ${{ kind: 'WRIST_CUFF' }}
    ${'cuffless reading'} | ${{ kind: 'CUFFLESS_WEARABLE' }}
    ${'entered in error'} | ${{ enteredInError: true }}
    ${'another patient'}  | ${{ patientId: 'patient-2' }}
  `('ignores a $name', ({ overrides }: { overrides: Parameters<typeof reading>[3] }) => {
    const result = evaluateHypertensiveCrisis(
      { patientId, readings: [reading(at(0), 200, 125, overrides)], now: at(30) },
      rules,
    );
    expect(result).toEqual({ episodes: [], patientGuidance: null, alerts: [] });
  });

  it('does not trigger at 180/120 (crisis is above those numbers)', () => {
    const result = evaluateHypertensiveCrisis(
      { patientId, readings: [reading(at(0), 180, 120)], now: at(30) },
      rules,
    );
    expect(result.episodes).toEqual([]);
  });
});
