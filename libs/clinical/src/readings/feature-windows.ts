import { ClinicalRules } from '../rules';
import { BloodPressure, HomeBpCategory } from '../vocabulary';
import { classifyHomeMean } from './bp-category';
import { isInHourRange, localHour } from './home-summary';
import { addPoint, EMPTY_LINEAR_SUMS, LinearSums, removePoint, sampleSdOfSums, slopeOfSums } from './linear-sums';
import { addMinutes } from '../time';
import { BpReading } from './reading';
import { BpSession, groupIntoSessions } from './sessions';

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

/** DailyBpTotals being added up in place (a day's summary, a day taking later readings). */
type DailyBpAccumulator = { -readonly [K in keyof DailyBpTotals]: number };

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
 * A day's sums and its last session (the one that started last): readings that arrived later join
 * that session or open new ones after it, so `addLaterReadings` updates the day from these alone.
 */
export interface DaySummary {
  readonly totals: DailyBpTotals;
  /** Null for a day without sessions. */
  readonly lastSession: LastSession | null;
}

export interface LastSession {
  readonly startedAt: Date;
  /** The patient's UTC offset at its start (morning and evening are on the patient's clock). */
  readonly utcOffsetMinutes: number;
  readonly readings: number;
  readonly sumSbp: number;
  readonly sumDbp: number;
}

export function summarizeDayWithAnchor(readings: readonly LocalBpReading[], rules: ClinicalRules): DaySummary {
  const byId = new Map(readings.map((reading) => [reading.id, reading]));
  const { sessions } = groupIntoSessions(readings, rules);
  const counted = new Set(sessions.flatMap((session) => session.readingIds));
  // Plain accumulators (this runs for every changed day of every ingest batch); same additions in the
  // same order as adding reading by reading, then session by session.
  const totals: DailyBpAccumulator = dailyTotalsFrom(() => 0);
  for (const reading of readings) {
    if (!counted.has(reading.id)) continue;
    totals.readings += 1;
    totals.sumSbp += reading.sbp;
    totals.sumDbp += reading.dbp;
    totals.sumSbpSquares += reading.sbp * reading.sbp;
    totals.sumDbpSquares += reading.dbp * reading.dbp;
  }
  let last: BpSession | null = null;
  for (const session of sessions) {
    addSession(totals, session.startedAt, byId.get(session.readingIds[0] ?? '')?.utcOffsetMinutes ?? 0, session.meanSbp, session.meanDbp, 1, rules);
    if (last === null || session.startedAt > last.startedAt) last = session;
  }
  return { totals, lastSession: last === null ? null : lastSessionOf(last, byId) };
}

function lastSessionOf(session: BpSession, byId: ReadonlyMap<string, LocalBpReading>): LastSession {
  let sumSbp = 0;
  let sumDbp = 0;
  for (const id of session.readingIds) {
    sumSbp += byId.get(id)?.sbp ?? 0;
    sumDbp += byId.get(id)?.dbp ?? 0;
  }
  return {
    startedAt: session.startedAt,
    utcOffsetMinutes: byId.get(session.readingIds[0] ?? '')?.utcOffsetMinutes ?? 0,
    readings: session.readingIds.length,
    sumSbp,
    sumDbp,
  };
}

/** Adds (sign 1) or takes out (sign -1) one session's mean in the day's session sums. */
function addSession(
  totals: DailyBpAccumulator,
  startedAt: Date,
  utcOffsetMinutes: number,
  meanSbp: number,
  meanDbp: number,
  sign: 1 | -1,
  rules: ClinicalRules,
): void {
  const hour = localHour(startedAt, utcOffsetMinutes);
  const morning = isInHourRange(hour, rules.homeSummary.morning);
  const evening = isInHourRange(hour, rules.homeSummary.evening);
  totals.sessions += sign;
  totals.sessionSumSbp += sign * meanSbp;
  totals.sessionSumDbp += sign * meanDbp;
  totals.sessionSumSbpSquares += sign * meanSbp * meanSbp;
  totals.sessionSumDbpSquares += sign * meanDbp * meanDbp;
  if (morning) {
    totals.morningSessions += sign;
    totals.morningSumSbp += sign * meanSbp;
    totals.morningSumDbp += sign * meanDbp;
  }
  if (evening) {
    totals.eveningSessions += sign;
    totals.eveningSumSbp += sign * meanSbp;
    totals.eveningSumDbp += sign * meanDbp;
  }
}

/**
 * The day with readings that arrived later added, from the day's sums and its last session alone:
 * sessions are anchored on their first reading, so a later reading taken no later than the last
 * session's window joins that session (its mean changes), and those after it open sessions of their
 * own. Returns null when one is taken before the last session started (earlier sessions may regroup),
 * or the day has sessions but no known last session (stored before it was kept): the day must then
 * be summarized again from all its readings.
 */
export function addLaterReadings(day: DaySummary, later: readonly LocalBpReading[], rules: ClinicalRules): DaySummary | null {
  if (later.length === 0) return day;
  const last = day.lastSession;
  if (last === null) return day.totals.sessions === 0 ? summarizeDayWithAnchor(later, rules) : null;
  const opened = last.startedAt.getTime();
  if (later.some((reading) => reading.takenAt.getTime() < opened)) return null;
  const closes = addMinutes(last.startedAt, rules.sessions.windowMinutes).getTime();
  const joining = later.filter((reading) => reading.takenAt.getTime() <= closes);
  const totals: DailyBpAccumulator = dailyTotalsFrom((field) => day.totals[field]);
  let lastSession = last;
  if (joining.length > 0) {
    let readings = last.readings;
    let sumSbp = last.sumSbp;
    let sumDbp = last.sumDbp;
    for (const reading of joining) {
      readings += 1;
      sumSbp += reading.sbp;
      sumDbp += reading.dbp;
      totals.readings += 1;
      totals.sumSbp += reading.sbp;
      totals.sumDbp += reading.dbp;
      totals.sumSbpSquares += reading.sbp * reading.sbp;
      totals.sumDbpSquares += reading.dbp * reading.dbp;
    }
    addSession(totals, last.startedAt, last.utcOffsetMinutes, last.sumSbp / last.readings, last.sumDbp / last.readings, -1, rules);
    addSession(totals, last.startedAt, last.utcOffsetMinutes, sumSbp / readings, sumDbp / readings, 1, rules);
    lastSession = { ...last, readings, sumSbp, sumDbp };
  }
  const after = later.filter((reading) => reading.takenAt.getTime() > closes);
  if (after.length === 0) return { totals, lastSession };
  const opening = summarizeDayWithAnchor(after, rules);
  return { totals: addDailyTotals(totals, opening.totals), lastSession: opening.lastSession ?? lastSession };
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
