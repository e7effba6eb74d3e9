import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { reading } from '../testing/reading-builders';
import {
  addDayToWindow,
  EMPTY_DAY,
  EMPTY_WINDOW,
  addLaterReadings,
  featureWindowOf,
  featureWindowsFromDays,
  mergeWindowTotals,
  removeDayFromWindow,
  replaceDayInWindow,
  summarizeDay,
  summarizeDayWithAnchor,
  type DailyBpTotals,
  type LocalBpReading,
} from './feature-windows';
import { summarizeHomeBp } from './home-summary';

const rules = DEFAULT_RULES;
/** America/Chicago in winter. */
const CST = -360;

function local(takenAt: string, sbp: number, dbp: number, options: { offset?: number; enteredInError?: boolean } = {}): LocalBpReading {
  return { ...reading(new Date(takenAt), sbp, dbp, { enteredInError: options.enteredInError }), utcOffsetMinutes: options.offset ?? CST };
}

describe('summarizeDay', () => {
  it.each<[string, LocalBpReading[], Partial<DailyBpTotals>]>([
    ['no readings', [], EMPTY_DAY],
    [
      // 13:00Z is 07:00 in Chicago (morning), 03:00Z the next UTC day is 21:00 the same local day (evening).
      'a morning and an evening session on the patient clock',
      [
        local('2025-01-15T13:00:00Z', 150, 90),
        local('2025-01-15T13:01:00Z', 140, 86),
        local('2025-01-16T03:00:00Z', 130, 80),
        local('2025-01-16T03:01:00Z', 126, 78),
      ],
      { readings: 4, sessions: 2, sessionSumSbp: 145 + 128, morningSessions: 1, morningSumSbp: 145, morningSumDbp: 88, eveningSessions: 1, eveningSumSbp: 128, eveningSumDbp: 79 },
    ],
    [
      // The same instants read in UTC: 13:00 is afternoon, 03:00 is night - neither morning nor evening.
      'the same readings with a UTC clock',
      [local('2025-01-15T13:00:00Z', 150, 90, { offset: 0 }), local('2025-01-16T03:00:00Z', 130, 80, { offset: 0 })],
      { sessions: 2, morningSessions: 0, eveningSessions: 0 },
    ],
    [
      'three readings within 10 minutes are one session (mean of the three)',
      [local('2025-01-15T13:00:00Z', 150, 90), local('2025-01-15T13:01:00Z', 144, 84), local('2025-01-15T13:02:00Z', 138, 81)],
      { readings: 3, sessions: 1, sessionSumSbp: 144, sessionSumDbp: 85, sessionSumSbpSquares: 144 * 144 },
    ],
    [
      'a reading entered in error is left out',
      [local('2025-01-15T13:00:00Z', 150, 90), local('2025-01-15T13:01:00Z', 250, 90, { enteredInError: true })],
      { readings: 1, sumSbp: 150, sessions: 1, sessionSumSbp: 150 },
    ],
  ])('%s', (_name, readings, expected) => {
    expect(summarizeDay(readings, rules)).toMatchObject(expected);
  });
});

/** One day with a morning session `morning` and, when given, an evening session `evening` (sbp/dbp each). */
function day(morning: [number, number] | null, evening: [number, number] | null): DailyBpTotals {
  const readings: LocalBpReading[] = [];
  if (morning) readings.push(local('2025-01-15T13:00:00Z', ...morning));
  if (evening) readings.push(local('2025-01-16T03:00:00Z', ...evening));
  return summarizeDay(readings, rules);
}

describe('feature windows from daily totals', () => {
  it.each<[string, { daysAgo: number; totals: DailyBpTotals }[], number, Record<string, unknown>]>([
    ['no days: counts zero, statistics null', [], 7, { readings: 0, sessionMean: null, slopePerWeek: null, adherence: 0, category: null }],
    [
      'a day 7 days ago is outside the 7-day window, inside the 14-day one',
      [{ daysAgo: 7, totals: day([150, 95], [150, 95]) }, { daysAgo: 0, totals: day([130, 80], [130, 80]) }],
      7,
      { sessions: 2, sessionMean: { sbp: 130, dbp: 80 }, daysWithSessions: 1 },
    ],
    [
      'daily means rising 1 mm[Hg] a day: slope 7 per week',
      [0, 1, 2, 3, 4, 5, 6].map((daysAgo) => ({ daysAgo, totals: day([140 - daysAgo, 90 - daysAgo / 2], [140 - daysAgo, 90 - daysAgo / 2]) })),
      7,
      { slopePerWeek: { sbp: 7, dbp: 3.5 } },
    ],
    [
      'adherence: 5 of 7 days with a morning and an evening session',
      [
        ...[0, 1, 2, 3, 4].map((daysAgo) => ({ daysAgo, totals: day([135, 85], [125, 75]) })),
        { daysAgo: 5, totals: day([135, 85], null) },
      ],
      7,
      { adherence: 5 / 7, daysWithSessions: 6, morningSessions: 6, eveningSessions: 5, morningMean: { sbp: 135, dbp: 85 }, eveningMean: { sbp: 125, dbp: 75 } },
    ],
    [
      'one day of sessions 140/90 and 120/80: mean 130/85, home stage 2 by the diastolic (home 135/85), no slope from one day',
      [{ daysAgo: 0, totals: day([140, 90], [120, 80]) }],
      7,
      { sessionMean: { sbp: 130, dbp: 85 }, category: 'STAGE_2', slopePerWeek: null },
    ],
  ])('%s', (_name, days, windowDays, expected) => {
    const window = featureWindowsFromDays(days, rules).find((candidate) => candidate.days === windowDays);
    expect(window).toMatchObject(expected);
  });

  it('gives the sample SD of the session means', () => {
    const window = featureWindowOf(addDayToWindow(EMPTY_WINDOW, day([140, 90], [120, 80]), 0), 7, rules);
    expect(window.sessionMeanSd?.sbp).toBeCloseTo(Math.sqrt(200), 10);
    expect(window.sessionMeanSd?.dbp).toBeCloseTo(Math.sqrt(50), 10);
  });

  it('sums windows from disjoint parts, on any x scale, to the same statistics as day by day', () => {
    const days = [0, 1, 2, 3, 4, 5, 6, 8, 9, 12].map((daysAgo) => ({
      daysAgo,
      totals: day([150 - daysAgo * 1.5 + (daysAgo % 3), 92 - daysAgo], daysAgo % 4 === 0 ? null : [132 + (daysAgo % 5), 80]),
    }));
    const [, fortnight] = featureWindowsFromDays(days, rules);
    // Parts: the last 7 days and the 7 before, with x = -daysAgo (today 0) instead of the window's own index.
    const part = (from: number, to: number) =>
      days.filter((entry) => entry.daysAgo >= from && entry.daysAgo < to).reduce((window, entry) => addDayToWindow(window, entry.totals, -entry.daysAgo), EMPTY_WINDOW);
    const merged = featureWindowOf(mergeWindowTotals(part(0, 7), part(7, 14)), 14, rules);
    expect(merged.sessions).toBe(fortnight?.sessions);
    expect(merged.adherence).toBe(fortnight?.adherence);
    expect(merged.sessionMean?.sbp).toBeCloseTo(fortnight?.sessionMean?.sbp ?? Number.NaN, 9);
    expect(merged.slopePerWeek?.sbp).toBeCloseTo(fortnight?.slopePerWeek?.sbp ?? Number.NaN, 9);
    expect(merged.slopePerWeek?.dbp).toBeCloseTo(fortnight?.slopePerWeek?.dbp ?? Number.NaN, 9);
  });

  it('agrees with summarizeHomeBp on the same sessions (session means, morning, evening, SD)', () => {
    // 14 days in Chicago of a morning session (07:xx) and an evening one (21:xx), values varying by day.
    const now = new Date('2025-02-01T05:00:00Z'); // 23:00 on 31 January in Chicago
    const readings: LocalBpReading[] = [];
    const days: { daysAgo: number; totals: DailyBpTotals }[] = [];
    for (let daysAgo = 0; daysAgo < 14; daysAgo++) {
      const localMidnightUtc = Date.UTC(2025, 0, 31 - daysAgo) - CST * 60_000;
      const ofDay = [
        local(new Date(localMidnightUtc + 7 * 3_600_000).toISOString(), 140 + (daysAgo % 5), 88 - (daysAgo % 3)),
        local(new Date(localMidnightUtc + 7 * 3_600_000 + 60_000).toISOString(), 136 + (daysAgo % 4), 85),
        local(new Date(localMidnightUtc + 21 * 3_600_000).toISOString(), 128 - (daysAgo % 6), 79 + (daysAgo % 2)),
      ];
      readings.push(...ofDay);
      days.push({ daysAgo, totals: summarizeDay(ofDay, rules) });
    }
    const summary = summarizeHomeBp({ readings, now, utcOffsetMinutes: CST }, rules);
    const windows = featureWindowsFromDays(days, rules);
    for (const days of [7, 14]) {
      const home = summary.windows.find((window) => window.days === days);
      const feature = windows.find((window) => window.days === days);
      expect(feature?.sessions).toBe(home?.sessionCount);
      expect(feature?.readings).toBe(home?.readingCount);
      for (const key of ['sbp', 'dbp'] as const) {
        expect(feature?.sessionMean?.[key]).toBeCloseTo(home?.mean?.[key] ?? Number.NaN, 9);
        expect(feature?.morningMean?.[key]).toBeCloseTo(home?.morningMean?.[key] ?? Number.NaN, 9);
        expect(feature?.eveningMean?.[key]).toBeCloseTo(home?.eveningMean?.[key] ?? Number.NaN, 9);
        expect(feature?.sessionMeanSd?.[key]).toBeCloseTo(home?.sessionMeanSd?.[key] ?? Number.NaN, 9);
      }
      expect(feature?.adherence).toBe(1);
    }
  });
});

describe('adding later readings to a stored day', () => {
  // Sessions open at 13:00Z (07:00 Chicago); the session window is 10 minutes, inclusive.
  const morning = [local('2025-01-15T13:00:00Z', 150, 90), local('2025-01-15T13:02:00Z', 140, 86)];
  const evening = [local('2025-01-16T02:00:00Z', 132, 84)];
  it.each<[string, LocalBpReading[], LocalBpReading[], 'updated' | 'summarize again']>([
    ['an empty day takes anything', [], [local('2025-01-15T12:00:00Z', 130, 80)], 'updated'],
    ['a reading after the last session window closed opens a session', morning, [local('2025-01-15T13:11:00Z', 130, 80)], 'updated'],
    ['a reading at the window edge joins the last session (its mean changes)', morning, [local('2025-01-15T13:10:00Z', 130, 80)], 'updated'],
    ['a reading inside the last session', morning, [local('2025-01-15T13:05:00Z', 122, 70)], 'updated'],
    ['a reading at the last session\'s start', [...morning, ...evening], [local('2025-01-16T02:00:00Z', 128, 80)], 'updated'],
    ['an evening session joined (evening sums change, morning ones do not)', [...morning, ...evening], [local('2025-01-16T02:04:00Z', 150, 96)], 'updated'],
    ['one joins the last session, two open new ones', morning, [local('2025-01-15T13:04:00Z', 130, 80), local('2025-01-15T18:00:00Z', 126, 79), local('2025-01-16T03:00:00Z', 124, 77)], 'updated'],
    ['a reading before the last session started', [...morning, ...evening], [local('2025-01-15T13:05:00Z', 130, 80)], 'summarize again'],
    ['a reading before the day\'s sessions', morning, [local('2025-01-15T12:00:00Z', 130, 80)], 'summarize again'],
  ])('%s: %s', (_name, stored, later, expected) => {
    const updated = addLaterReadings(summarizeDayWithAnchor(stored, rules), later, rules);
    if (expected === 'summarize again') {
      expect(updated).toBeNull();
      return;
    }
    // The same as summarizing every reading of the day.
    const whole = summarizeDayWithAnchor([...stored, ...later], rules);
    expect(updated?.lastSession?.startedAt).toEqual(whole.lastSession?.startedAt);
    expect(updated?.lastSession?.readings).toBe(whole.lastSession?.readings);
    expect(updated?.lastSession?.sumSbp).toBeCloseTo(whole.lastSession?.sumSbp ?? Number.NaN, 9);
    for (const key of Object.keys(whole.totals) as (keyof DailyBpTotals)[]) expect(updated?.totals[key], key).toBeCloseTo(whole.totals[key], 9);
  });

  it('summarizes a day again when it has sessions but no known last session (stored before it was kept)', () => {
    const day = summarizeDayWithAnchor(morning, rules);
    expect(addLaterReadings({ totals: day.totals, lastSession: null }, [local('2030-01-01T00:00:00Z', 120, 80)], rules)).toBeNull();
  });

  it('keeps the last session: its start, offset, count and sums', () => {
    expect(summarizeDayWithAnchor([...morning, ...evening], rules).lastSession).toEqual({
      startedAt: new Date('2025-01-16T02:00:00Z'),
      utcOffsetMinutes: CST,
      readings: 1,
      sumSbp: 132,
      sumDbp: 84,
    });
    expect(summarizeDayWithAnchor(morning, rules).lastSession).toMatchObject({ readings: 2, sumSbp: 290, sumDbp: 176 });
    expect(summarizeDayWithAnchor([], rules).lastSession).toBeNull();
  });
});

describe('swapping a changed day into a window', () => {
  const before = day([150, 95], null);
  const after = day([150, 95], [130, 80]);
  const others = [
    { index: -6, totals: day([140, 90], [138, 88]) },
    { index: -4, totals: day(null, [128, 79]) },
    { index: -1, totals: day([145, 91], [135, 84]) },
  ];
  const windowOf = (days: readonly { index: number; totals: DailyBpTotals }[]) =>
    days.reduce((window, entry) => addDayToWindow(window, entry.totals, entry.index), EMPTY_WINDOW);

  it.each<[string, DailyBpTotals, DailyBpTotals, number]>([
    ['a day gains its evening session', before, after, -2],
    ['a new day (empty before)', EMPTY_DAY, after, 0],
    ['a day loses its sessions (empty after)', before, EMPTY_DAY, -3],
    ['a day that did not change', after, after, -5],
  ])('%s: the same statistics as the window built with the new day', (_name, old, changed, index) => {
    const swapped = featureWindowOf(replaceDayInWindow(windowOf([...others, { index, totals: old }]), old, changed, index), 7, rules);
    const built = featureWindowOf(windowOf([...others, { index, totals: changed }]), 7, rules);
    expect(swapped.readings).toBe(built.readings);
    expect(swapped.sessions).toBe(built.sessions);
    expect(swapped.daysWithSessions).toBe(built.daysWithSessions);
    expect(swapped.adherence).toBe(built.adherence);
    expect(swapped.sessionMean?.sbp).toBeCloseTo(built.sessionMean?.sbp ?? Number.NaN, 9);
    expect(swapped.sessionMeanSd?.dbp).toBeCloseTo(built.sessionMeanSd?.dbp ?? Number.NaN, 9);
    expect(swapped.eveningMean?.sbp).toBeCloseTo(built.eveningMean?.sbp ?? Number.NaN, 9);
    expect(swapped.slopePerWeek?.sbp).toBeCloseTo(built.slopePerWeek?.sbp ?? Number.NaN, 9);
    expect(swapped.readingSd?.sbp).toBeCloseTo(built.readingSd?.sbp ?? Number.NaN, 9);
  });

  it('takes a day out exactly as it was added', () => {
    const window = windowOf(others);
    const removed = removeDayFromWindow(addDayToWindow(window, after, -2), after, -2);
    expect(removed.daysWithSessions).toBe(window.daysWithSessions);
    expect(removed.daysWithMorningAndEvening).toBe(window.daysWithMorningAndEvening);
    expect(removed.dailyMeanSbp.n).toBe(window.dailyMeanSbp.n);
    expect(removed.sessionSumSbp).toBeCloseTo(window.sessionSumSbp, 9);
    expect(removed.dailyMeanDbp.sumXY).toBeCloseTo(window.dailyMeanDbp.sumXY, 9);
  });
});
