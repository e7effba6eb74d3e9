import { ClinicalRules } from '../rules';
import { BloodPressure, HomeBpCategory } from '../vocabulary';
import { classifyHomeMean } from './bp-category';
import { isInHourRange, localHour } from './home-summary';
import { addPoint, EMPTY_LINEAR_SUMS, LinearSums, removePoint, sampleSdOfSums, slopeOfSums } from './linear-sums';
import { addMinutes } from '../time';
import { BpReading } from './reading';
import { groupIntoSessions } from './sessions';

/**
 * Feature windows kept incrementally: each local day of a patient is reduced once to sums
 * (`summarizeDay`), a window adds up at most its days' sums (`addDayToWindow`), and the statistics
 * come from those sums (`featureWindowOf`). The database stores the daily sums and adds them up per
 * window; the definitions are the ones of `summarizeHomeBp` (session means, morning and evening by
 * the session's first reading on the patient's clock), so a window equals the home summary of the
 * same sessions.
 */

/** A reading that counts toward decisions, with the patient's UTC offset at that instant (their time zone). */
export interface LocalBpReading extends BpReading {
  readonly utcOffsetMinutes: number;
}

/** One patient's local day reduced to sums. Sessions belong to the day they start in. */
export interface DailyBpTotals {
  readonly readings: number;
  readonly sumSbp: number;
  readonly sumDbp: number;
  readonly sumSbpSquares: number;
  readonly sumDbpSquares: number;
  readonly sessions: number;
  /** Sums (and sums of squares) of the session means. */
  readonly sessionSumSbp: number;
  readonly sessionSumDbp: number;
  readonly sessionSumSbpSquares: number;
  readonly sessionSumDbpSquares: number;
  readonly morningSessions: number;
  readonly morningSumSbp: number;
  readonly morningSumDbp: number;
  readonly eveningSessions: number;
  readonly eveningSumSbp: number;
  readonly eveningSumDbp: number;
}

export const EMPTY_DAY: DailyBpTotals = {
  readings: 0,
  sumSbp: 0,
  sumDbp: 0,
  sumSbpSquares: 0,
  sumDbpSquares: 0,
  sessions: 0,
  sessionSumSbp: 0,
  sessionSumDbp: 0,
  sessionSumSbpSquares: 0,
  sessionSumDbpSquares: 0,
  morningSessions: 0,
  morningSumSbp: 0,
  morningSumDbp: 0,
  eveningSessions: 0,
  eveningSumSbp: 0,
  eveningSumDbp: 0,
};

/**
 * A DailyBpTotals with each field read from `field`, written out in one order (the shape every
 * DailyBpTotals here has, so the additions over them stay fast; see `windowTotals`).
 */
export function dailyTotalsFrom(field: (name: keyof DailyBpTotals) => number): DailyBpTotals {
  return {
    readings: field('readings'),
    sumSbp: field('sumSbp'),
    sumDbp: field('sumDbp'),
    sumSbpSquares: field('sumSbpSquares'),
    sumDbpSquares: field('sumDbpSquares'),
    sessions: field('sessions'),
    sessionSumSbp: field('sessionSumSbp'),
    sessionSumDbp: field('sessionSumDbp'),
    sessionSumSbpSquares: field('sessionSumSbpSquares'),
    sessionSumDbpSquares: field('sessionSumDbpSquares'),
    morningSessions: field('morningSessions'),
    morningSumSbp: field('morningSumSbp'),
    morningSumDbp: field('morningSumDbp'),
    eveningSessions: field('eveningSessions'),
    eveningSumSbp: field('eveningSumSbp'),
    eveningSumDbp: field('eveningSumDbp'),
  };
}

/**
 * Reduces the decision readings of one patient's local day to its sums. Readings that do not count
 * (entered in error, implausible, not a validated cuff) are left out, as in every summary.
 */
export function summarizeDay(readings: readonly LocalBpReading[], rules: ClinicalRules): DailyBpTotals {
  return summarizeDayWithAnchor(readings, rules).totals;
}

/**
 * A day's sums and the instant its last session started: readings taken after that session's
 * window closed cannot join any of the day's sessions, so they extend the day by their own sums
 * (`extendsDay`) without reading the day again.
 */
export interface DaySummary {
  readonly totals: DailyBpTotals;
  /** Null for a day without sessions. */
  readonly lastSessionStartedAt: Date | null;
}

export function summarizeDayWithAnchor(readings: readonly LocalBpReading[], rules: ClinicalRules): DaySummary {
  const offsets = new Map(readings.map((reading) => [reading.id, reading.utcOffsetMinutes]));
  const { sessions } = groupIntoSessions(readings, rules);
  const counted = new Set(sessions.flatMap((session) => session.readingIds));
  // Plain accumulators (this runs for every changed day of every ingest batch); same additions in the
  // same order as adding reading by reading, then session by session.
  const totals: { -readonly [K in keyof DailyBpTotals]: number } = dailyTotalsFrom(() => 0);
  for (const reading of readings) {
    if (!counted.has(reading.id)) continue;
    totals.readings += 1;
    totals.sumSbp += reading.sbp;
    totals.sumDbp += reading.dbp;
    totals.sumSbpSquares += reading.sbp * reading.sbp;
    totals.sumDbpSquares += reading.dbp * reading.dbp;
  }
  let lastSessionStartedAt: Date | null = null;
  for (const session of sessions) {
    const hour = localHour(session.startedAt, offsets.get(session.readingIds[0] ?? '') ?? 0);
    const morning = isInHourRange(hour, rules.homeSummary.morning);
    const evening = isInHourRange(hour, rules.homeSummary.evening);
    totals.sessions += 1;
    totals.sessionSumSbp += session.meanSbp;
    totals.sessionSumDbp += session.meanDbp;
    totals.sessionSumSbpSquares += session.meanSbp * session.meanSbp;
    totals.sessionSumDbpSquares += session.meanDbp * session.meanDbp;
    totals.morningSessions += morning ? 1 : 0;
    totals.morningSumSbp += morning ? session.meanSbp : 0;
    totals.morningSumDbp += morning ? session.meanDbp : 0;
    totals.eveningSessions += evening ? 1 : 0;
    totals.eveningSumSbp += evening ? session.meanSbp : 0;
    totals.eveningSumDbp += evening ? session.meanDbp : 0;
    if (lastSessionStartedAt === null || session.startedAt > lastSessionStartedAt) lastSessionStartedAt = session.startedAt;
  }
  return { totals, lastSessionStartedAt };
}

/**
 * How a stored day takes readings that arrived later, cheapest first:
 * - `EXTEND`: every one is taken after the window of the day's last session closed (sessions are
 *   anchored on their first reading, so none of the day's sessions can take them): the day is
 *   extended by their own sums (`extendDay`);
 * - `REDO_LAST_SESSION`: none is taken before the last session started: only that session can
 *   change, so the readings from its start on are summarized again (`replaceLastSession`);
 * - `REDO_DAY`: one is taken before the last session started (earlier sessions may regroup), or the
 *   day has sessions but no known anchor (stored before anchors were kept): the whole day again.
 */
export type DayUpdate = 'EXTEND' | 'REDO_LAST_SESSION' | 'REDO_DAY';

export function howToUpdateDay(
  day: { readonly sessions: number; readonly lastSessionStartedAt: Date | null },
  later: readonly { readonly takenAt: Date }[],
  rules: ClinicalRules,
): DayUpdate {
  if (day.sessions === 0) return 'EXTEND';
  if (day.lastSessionStartedAt === null) return 'REDO_DAY';
  const opened = day.lastSessionStartedAt.getTime();
  const closes = addMinutes(day.lastSessionStartedAt, rules.sessions.windowMinutes).getTime();
  if (later.every((reading) => reading.takenAt.getTime() > closes)) return 'EXTEND';
  if (later.every((reading) => reading.takenAt.getTime() >= opened)) return 'REDO_LAST_SESSION';
  return 'REDO_DAY';
}

/** A day extended by the summary of later readings (where `howToUpdateDay` says EXTEND). */
export function extendDay(day: DaySummary, later: DaySummary): DaySummary {
  return {
    totals: addDailyTotals(day.totals, later.totals),
    lastSessionStartedAt: later.lastSessionStartedAt ?? day.lastSessionStartedAt,
  };
}

/**
 * A day whose readings from its last session's start on were `before` (that session alone) and are
 * now `after` (summarized again with the later readings; REDO_LAST_SESSION).
 */
export function replaceLastSession(day: DaySummary, before: DaySummary, after: DaySummary): DaySummary {
  return {
    totals: addDailyTotals(subtractDailyTotals(day.totals, before.totals), after.totals),
    lastSessionStartedAt: after.lastSessionStartedAt,
  };
}

/** Two days' (or windows') sums added up, field by field. */
function addDailyTotals(a: DailyBpTotals, b: DailyBpTotals): DailyBpTotals {
  return {
    readings: a.readings + b.readings,
    sumSbp: a.sumSbp + b.sumSbp,
    sumDbp: a.sumDbp + b.sumDbp,
    sumSbpSquares: a.sumSbpSquares + b.sumSbpSquares,
    sumDbpSquares: a.sumDbpSquares + b.sumDbpSquares,
    sessions: a.sessions + b.sessions,
    sessionSumSbp: a.sessionSumSbp + b.sessionSumSbp,
    sessionSumDbp: a.sessionSumDbp + b.sessionSumDbp,
    sessionSumSbpSquares: a.sessionSumSbpSquares + b.sessionSumSbpSquares,
    sessionSumDbpSquares: a.sessionSumDbpSquares + b.sessionSumDbpSquares,
    morningSessions: a.morningSessions + b.morningSessions,
    morningSumSbp: a.morningSumSbp + b.morningSumSbp,
    morningSumDbp: a.morningSumDbp + b.morningSumDbp,
    eveningSessions: a.eveningSessions + b.eveningSessions,
    eveningSumSbp: a.eveningSumSbp + b.eveningSumSbp,
    eveningSumDbp: a.eveningSumDbp + b.eveningSumDbp,
  };
}

/** A window's days added up, plus what needs the days one by one: the daily-mean fit and adherence. */
export interface WindowTotals extends DailyBpTotals {
  readonly daysWithSessions: number;
  /** Days with at least one morning and one evening session. */
  readonly daysWithMorningAndEvening: number;
  /** Least-squares sums of the daily mean (of session means) over the day's index in the window. */
  readonly dailyMeanSbp: LinearSums;
  readonly dailyMeanDbp: LinearSums;
}

/**
 * A WindowTotals from its parts, every field written out in one order: ingest batches build many of
 * these per patient, and objects of one shape keep the property reads that add them up fast (objects
 * built by spreading or field by field get other shapes, and those reads slow down).
 */
export function windowTotals(
  sums: DailyBpTotals,
  daysWithSessions: number,
  daysWithMorningAndEvening: number,
  dailyMeanSbp: LinearSums,
  dailyMeanDbp: LinearSums,
): WindowTotals {
  return {
    readings: sums.readings,
    sumSbp: sums.sumSbp,
    sumDbp: sums.sumDbp,
    sumSbpSquares: sums.sumSbpSquares,
    sumDbpSquares: sums.sumDbpSquares,
    sessions: sums.sessions,
    sessionSumSbp: sums.sessionSumSbp,
    sessionSumDbp: sums.sessionSumDbp,
    sessionSumSbpSquares: sums.sessionSumSbpSquares,
    sessionSumDbpSquares: sums.sessionSumDbpSquares,
    morningSessions: sums.morningSessions,
    morningSumSbp: sums.morningSumSbp,
    morningSumDbp: sums.morningSumDbp,
    eveningSessions: sums.eveningSessions,
    eveningSumSbp: sums.eveningSumSbp,
    eveningSumDbp: sums.eveningSumDbp,
    daysWithSessions,
    daysWithMorningAndEvening,
    dailyMeanSbp,
    dailyMeanDbp,
  };
}

export const EMPTY_WINDOW: WindowTotals = windowTotals(EMPTY_DAY, 0, 0, EMPTY_LINEAR_SUMS, EMPTY_LINEAR_SUMS);

/** Adds one day; `dayIndex` counts days from the window's first day (0) on. */
export function addDayToWindow(window: WindowTotals, day: DailyBpTotals, dayIndex: number): WindowTotals {
  const hasSessions = day.sessions > 0;
  return windowTotals(
    addDailyTotals(window, day),
    window.daysWithSessions + (hasSessions ? 1 : 0),
    window.daysWithMorningAndEvening + (day.morningSessions > 0 && day.eveningSessions > 0 ? 1 : 0),
    hasSessions ? addPoint(window.dailyMeanSbp, { x: dayIndex, y: day.sessionSumSbp / day.sessions }) : window.dailyMeanSbp,
    hasSessions ? addPoint(window.dailyMeanDbp, { x: dayIndex, y: day.sessionSumDbp / day.sessions }) : window.dailyMeanDbp,
  );
}

/** The inverse of `addDayToWindow`: takes out a day added earlier with the same `dayIndex`. */
export function removeDayFromWindow(window: WindowTotals, day: DailyBpTotals, dayIndex: number): WindowTotals {
  const hasSessions = day.sessions > 0;
  return windowTotals(
    subtractDailyTotals(window, day),
    window.daysWithSessions - (hasSessions ? 1 : 0),
    window.daysWithMorningAndEvening - (day.morningSessions > 0 && day.eveningSessions > 0 ? 1 : 0),
    hasSessions ? removePoint(window.dailyMeanSbp, { x: dayIndex, y: day.sessionSumSbp / day.sessions }) : window.dailyMeanSbp,
    hasSessions ? removePoint(window.dailyMeanDbp, { x: dayIndex, y: day.sessionSumDbp / day.sessions }) : window.dailyMeanDbp,
  );
}

/**
 * A window whose day at `dayIndex` changed from `before` to `after` (an ingest batch extended it):
 * the window is updated from the two versions of that day alone, never from its other days.
 */
export function replaceDayInWindow(
  window: WindowTotals,
  before: DailyBpTotals,
  after: DailyBpTotals,
  dayIndex: number,
): WindowTotals {
  return addDayToWindow(removeDayFromWindow(window, before, dayIndex), after, dayIndex);
}

/** `a` less `b`, field by field (written out: this runs for every changed day of every ingest batch). */
function subtractDailyTotals(a: DailyBpTotals, b: DailyBpTotals): DailyBpTotals {
  return {
    readings: a.readings - b.readings,
    sumSbp: a.sumSbp - b.sumSbp,
    sumDbp: a.sumDbp - b.sumDbp,
    sumSbpSquares: a.sumSbpSquares - b.sumSbpSquares,
    sumDbpSquares: a.sumDbpSquares - b.sumDbpSquares,
    sessions: a.sessions - b.sessions,
    sessionSumSbp: a.sessionSumSbp - b.sessionSumSbp,
    sessionSumDbp: a.sessionSumDbp - b.sessionSumDbp,
    sessionSumSbpSquares: a.sessionSumSbpSquares - b.sessionSumSbpSquares,
    sessionSumDbpSquares: a.sessionSumDbpSquares - b.sessionSumDbpSquares,
    morningSessions: a.morningSessions - b.morningSessions,
    morningSumSbp: a.morningSumSbp - b.morningSumSbp,
    morningSumDbp: a.morningSumDbp - b.morningSumDbp,
    eveningSessions: a.eveningSessions - b.eveningSessions,
    eveningSumSbp: a.eveningSumSbp - b.eveningSumSbp,
    eveningSumDbp: a.eveningSumDbp - b.eveningSumDbp,
  };
}

/**
 * Two disjoint sets of days added up: windows can be summed from parts (the database sums the days
 * 0-6, 7-13 and 14-29 days ago once, the 14-day window is the first two). The daily-mean fit's x
 * must be on one scale in both parts; the slope does not depend on where that scale starts.
 */
export function mergeWindowTotals(a: WindowTotals, b: WindowTotals): WindowTotals {
  const sums = addDailyTotals(a, b);
  const fit = (x: LinearSums, y: LinearSums): LinearSums => ({
    n: x.n + y.n,
    sumX: x.sumX + y.sumX,
    sumY: x.sumY + y.sumY,
    sumXX: x.sumXX + y.sumXX,
    sumXY: x.sumXY + y.sumXY,
  });
  return windowTotals(
    sums,
    a.daysWithSessions + b.daysWithSessions,
    a.daysWithMorningAndEvening + b.daysWithMorningAndEvening,
    fit(a.dailyMeanSbp, b.dailyMeanSbp),
    fit(a.dailyMeanDbp, b.dailyMeanDbp),
  );
}

export interface FeatureWindow {
  readonly days: number;
  readonly readings: number;
  readonly sessions: number;
  /** Mean of the readings (the figure the windows always had). */
  readonly readingMean: BloodPressure | null;
  readonly readingSd: BloodPressure | null;
  /** Mean of the session means: the figure decisions use. */
  readonly sessionMean: BloodPressure | null;
  /** Variability: sample SD of the session means; null below 2 sessions. */
  readonly sessionMeanSd: BloodPressure | null;
  readonly morningSessions: number;
  readonly morningMean: BloodPressure | null;
  readonly eveningSessions: number;
  readonly eveningMean: BloodPressure | null;
  /** Least-squares slope of the daily means, mm[Hg] per week; null below 2 days with sessions. */
  readonly slopePerWeek: BloodPressure | null;
  /** Share (0-1) of the window's days with a morning and an evening session (AHA home monitoring). */
  readonly adherence: number;
  readonly daysWithSessions: number;
  /** The session mean judged with the home-equivalent thresholds. */
  readonly category: HomeBpCategory | null;
}

function pair(sbp: number | null, dbp: number | null): BloodPressure | null {
  return sbp === null || dbp === null ? null : { sbp, dbp };
}

function ratio(sum: number, count: number): number | null {
  return count > 0 ? sum / count : null;
}

export function featureWindowOf(totals: WindowTotals, days: number, rules: ClinicalRules): FeatureWindow {
  const sessionMean = pair(ratio(totals.sessionSumSbp, totals.sessions), ratio(totals.sessionSumDbp, totals.sessions));
  const slopeSbp = slopeOfSums(totals.dailyMeanSbp);
  const slopeDbp = slopeOfSums(totals.dailyMeanDbp);
  return {
    days,
    readings: totals.readings,
    sessions: totals.sessions,
    readingMean: pair(ratio(totals.sumSbp, totals.readings), ratio(totals.sumDbp, totals.readings)),
    readingSd: pair(
      sampleSdOfSums(totals.readings, totals.sumSbp, totals.sumSbpSquares),
      sampleSdOfSums(totals.readings, totals.sumDbp, totals.sumDbpSquares),
    ),
    sessionMean,
    sessionMeanSd: pair(
      sampleSdOfSums(totals.sessions, totals.sessionSumSbp, totals.sessionSumSbpSquares),
      sampleSdOfSums(totals.sessions, totals.sessionSumDbp, totals.sessionSumDbpSquares),
    ),
    morningSessions: totals.morningSessions,
    morningMean: pair(
      ratio(totals.morningSumSbp, totals.morningSessions),
      ratio(totals.morningSumDbp, totals.morningSessions),
    ),
    eveningSessions: totals.eveningSessions,
    eveningMean: pair(
      ratio(totals.eveningSumSbp, totals.eveningSessions),
      ratio(totals.eveningSumDbp, totals.eveningSessions),
    ),
    slopePerWeek: slopeSbp === null || slopeDbp === null ? null : { sbp: slopeSbp * 7, dbp: slopeDbp * 7 },
    adherence: days > 0 ? totals.daysWithMorningAndEvening / days : 0,
    daysWithSessions: totals.daysWithSessions,
    category: sessionMean ? classifyHomeMean(sessionMean, rules) : null,
  };
}

/**
 * The windows (rules.homeSummary.windowsDays) of one patient from their daily sums, each day given
 * by how many days before today (0 = today, on the patient's calendar) it is.
 */
export function featureWindowsFromDays(
  days: readonly { readonly daysAgo: number; readonly totals: DailyBpTotals }[],
  rules: ClinicalRules,
): FeatureWindow[] {
  return rules.homeSummary.windowsDays.map((windowDays) =>
    featureWindowOf(
      days
        .filter((day) => day.daysAgo >= 0 && day.daysAgo < windowDays)
        .reduce((window, day) => addDayToWindow(window, day.totals, windowDays - 1 - day.daysAgo), EMPTY_WINDOW),
      windowDays,
      rules,
    ),
  );
}
