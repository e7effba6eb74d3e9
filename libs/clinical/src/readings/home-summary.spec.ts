import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { reading } from '../testing/reading-builders';
import { assessEnoughData, summarizeHomeBp } from './home-summary';
import { BpReading } from './reading';

const rules = DEFAULT_RULES;
const NOW = new Date('2025-03-31T21:00:00.000Z');
const CET = 60;

/** 30 days (2 to 31 March) of a morning session (07:00 CET) 140/85 and an evening one (21:00 CET) 125/75. */
function monthOfMorningsAndEvenings(): BpReading[] {
  const readings: BpReading[] = [];
  for (let day = 2; day <= 31; day += 1) {
    const date = `2025-03-${String(day).padStart(2, '0')}`;
    readings.push(
      reading(new Date(`${date}T06:00:00Z`), 140, 85),
      reading(new Date(`${date}T06:01:00Z`), 140, 85),
    );
    readings.push(
      reading(new Date(`${date}T20:00:00Z`), 125, 75),
      reading(new Date(`${date}T20:01:00Z`), 125, 75),
    );
  }
  return readings;
}

describe('summarizeHomeBp', () => {
  const summary = summarizeHomeBp(
    { readings: monthOfMorningsAndEvenings(), now: NOW, utcOffsetMinutes: CET },
    rules,
  );

  it('summarises the 7, 14 and 30-day windows over session means', () => {
    expect(
      summary.windows.map((window) => [window.days, window.sessionCount, window.readingCount, window.mean]),
    ).toEqual([
      [7, 14, 28, { sbp: 132.5, dbp: 80 }],
      [14, 28, 56, { sbp: 132.5, dbp: 80 }],
      [30, 60, 120, { sbp: 132.5, dbp: 80 }],
    ]);
  });

  it('separates morning and evening by the patient local time', () => {
    const [week] = summary.windows;
    expect(week?.morningMean).toEqual({ sbp: 140, dbp: 85 });
    expect(week?.morningSessionCount).toBe(7);
    expect(week?.eveningMean).toEqual({ sbp: 125, dbp: 75 });
    expect(week?.eveningSessionCount).toBe(7);
  });

  it('places sessions by the given offset (06:00 UTC is 01:00 in New York: neither morning nor evening)', () => {
    const newYork = summarizeHomeBp(
      { readings: monthOfMorningsAndEvenings(), now: NOW, utcOffsetMinutes: -300 },
      rules,
    );
    const [week] = newYork.windows;
    expect(week?.morningSessionCount).toBe(0);
    expect(week?.morningMean).toBeNull();
    expect(week?.eveningSessionCount).toBe(0);
  });

  it('judges the mean with home thresholds against the default target 130/80', () => {
    const [week] = summary.windows;
    expect(summary.target).toEqual({ sbp: 130, dbp: 80 });
    expect(week?.category).toBe('STAGE_1');
    expect(week?.atTarget).toBe(false);
    expect(week?.percentSessionsAtTarget).toBe(50);
  });

  it('reports variability as the sample SD of session means', () => {
    const [week] = summary.windows;
    const n = 14;
    expect(week?.sessionMeanSd?.sbp).toBeCloseTo(Math.sqrt((n * 7.5 ** 2) / (n - 1)), 10);
    expect(week?.sessionMeanSd?.dbp).toBeCloseTo(Math.sqrt((n * 5 ** 2) / (n - 1)), 10);
    // Each day ends on the lower evening session, so the fit tilts slightly down (computed by hand).
    expect(week?.slopePerDay?.sbp).toBeCloseTo(-0.53549, 4);
  });

  it('fits a least-squares slope in mm[Hg] per day', () => {
    const rising: BpReading[] = [];
    for (let daysAgo = 29; daysAgo >= 0; daysAgo -= 1) {
      const takenAt = new Date(NOW.getTime() - daysAgo * 86_400_000 - 3_600_000);
      rising.push(reading(takenAt, 150 - daysAgo, 90 - daysAgo / 2));
    }
    const windows = summarizeHomeBp({ readings: rising, now: NOW, utcOffsetMinutes: 0 }, rules).windows;
    for (const window of windows) {
      expect(window.slopePerDay?.sbp).toBeCloseTo(1, 10);
      expect(window.slopePerDay?.dbp).toBeCloseTo(0.5, 10);
    }
  });

  it('uses a per-patient target when given', () => {
    const custom = summarizeHomeBp(
      {
        readings: monthOfMorningsAndEvenings(),
        now: NOW,
        utcOffsetMinutes: CET,
        target: { sbp: 145, dbp: 90 },
      },
      rules,
    );
    expect(custom.windows[0]?.atTarget).toBe(true);
    expect(custom.windows[0]?.percentSessionsAtTarget).toBe(100);
  });

  it('returns nulls, not zeros, without data', () => {
    const [week] = summarizeHomeBp({ readings: [], now: NOW, utcOffsetMinutes: 0 }, rules).windows;
    expect(week).toMatchObject({
      sessionCount: 0,
      mean: null,
      category: null,
      atTarget: null,
      slopePerDay: null,
      sessionMeanSd: null,
      percentSessionsAtTarget: null,
    });
  });

  it('ignores readings after now and wrist readings', () => {
    const readings = [
      reading(new Date('2025-03-31T10:00:00Z'), 130, 80),
      reading(new Date('2025-03-31T22:00:00Z'), 200, 110),
      reading(new Date('2025-03-31T12:00:00Z'), 200, 110, { kind: 'WRIST_CUFF' }),
    ];
    const [week] = summarizeHomeBp({ readings, now: NOW, utcOffsetMinutes: 0 }, rules).windows;
    expect(week?.mean).toEqual({ sbp: 130, dbp: 80 });
  });
});

describe('assessEnoughData (>= 12 valid cuff readings over the last 7 days)', () => {
  function cuffReadings(count: number, firstDaysAgo = 6): BpReading[] {
    return Array.from({ length: count }, (_, index) =>
      reading(new Date(NOW.getTime() - firstDaysAgo * 86_400_000 + index * 3_600_000), 130, 80),
    );
  }

  it.each`
    cuff  | extra                                                                           | enough   | counted
    ${11} | ${[]}                                                                           | ${false} | ${11}
    ${12} | ${[]}                                                                           | ${true}  | ${12}
    ${11} | ${[reading(new Date('2025-03-30T08:00:00Z'), 130, 80, { kind: 'WRIST_CUFF' })]} | ${false} | ${11}
    ${11} | ${[reading(new Date('2025-03-30T08:00:00Z'), 130, 80, { validated: false })]}   | ${false} | ${11}
    ${11} | ${[reading(new Date('2025-03-24T21:00:00Z'), 130, 80)]}                         | ${false} | ${11}
    ${11} | ${[reading(new Date('2025-03-24T21:00:01Z'), 130, 80)]}                         | ${true}  | ${12}
  `(
    '$cuff cuff readings + $extra.length other -> enough $enough',
    ({
      cuff,
      extra,
      enough,
      counted,
    }: {
      cuff: number;
      extra: BpReading[];
      enough: boolean;
      counted: number;
    }) => {
      const result = assessEnoughData([...cuffReadings(cuff), ...extra], NOW, rules);
      expect(result).toEqual({ enough, validCuffReadings: counted, required: 12, windowDays: 7 });
    },
  );
});
