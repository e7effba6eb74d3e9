import { ClinicalRules, LocalHourRange } from '../rules';
import { addDays, elapsedDays } from '../time';
import { BloodPressure, HomeBpCategory } from '../vocabulary';
import { classifyHomeMean, isAtTarget } from './bp-category';
import { BpReading } from './reading';
import { addPoint, EMPTY_LINEAR_SUMS, sampleSdOfSums, slopeOfSums } from './linear-sums';
import { BpSession, countsTowardDecisions, groupIntoSessions } from './sessions';

export interface HomeWindowSummary {
  readonly days: number;
  readonly sessionCount: number;
  readonly readingCount: number;
  /** Mean of the session means. */
  readonly mean: BloodPressure | null;
  /** The mean judged with the home-equivalent thresholds. */
  readonly category: HomeBpCategory | null;
  readonly atTarget: boolean | null;
  readonly morningMean: BloodPressure | null;
  readonly morningSessionCount: number;
  readonly eveningMean: BloodPressure | null;
  readonly eveningSessionCount: number;
  /** Least-squares slope of session means over time, mm[Hg] per day; null below 2 distinct times. */
  readonly slopePerDay: BloodPressure | null;
  /** Sample standard deviation of the session means; null below 2 sessions. */
  readonly sessionMeanSd: BloodPressure | null;
  readonly percentSessionsAtTarget: number | null;
}

export interface EnoughDataResult {
  readonly enough: boolean;
  readonly validCuffReadings: number;
  readonly required: number;
  readonly windowDays: number;
}

export interface HomeBpSummary {
  readonly now: Date;
  readonly target: BloodPressure;
  readonly windows: readonly HomeWindowSummary[];
  readonly enoughData: EnoughDataResult;
}

export interface HomeSummaryInput {
  /** One patient's readings; those that do not count toward decisions are left out here. */
  readonly readings: readonly BpReading[];
  readonly now: Date;
  /** The patient's offset from UTC in minutes (e.g. +60 for CET), for morning and evening. */
  readonly utcOffsetMinutes: number;
  /** Per-patient target from the signed bounds; the rules' default home target otherwise. */
  readonly target?: BloodPressure;
}

/** Half-open window (now - days, now]: a reading exactly `days` old belongs to the older period. */
function isWithinLastDays(at: Date, now: Date, days: number): boolean {
  return at <= now && at > addDays(now, -days);
}

function average(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function meanOfSessions(sessions: readonly BpSession[]): BloodPressure | null {
  const sbp = average(sessions.map((session) => session.meanSbp));
  const dbp = average(sessions.map((session) => session.meanDbp));
  return sbp === null || dbp === null ? null : { sbp, dbp };
}

function sampleSd(values: readonly number[]): number | null {
  return sampleSdOfSums(
    values.length,
    values.reduce((sum, value) => sum + value, 0),
    values.reduce((sum, value) => sum + value * value, 0),
  );
}

function leastSquaresSlope(points: readonly { readonly x: number; readonly y: number }[]): number | null {
  return slopeOfSums(points.reduce(addPoint, EMPTY_LINEAR_SUMS));
}

/** The hour of the day (0-23) on the patient's clock. */
export function localHour(at: Date, utcOffsetMinutes: number): number {
  return new Date(at.getTime() + utcOffsetMinutes * 60_000).getUTCHours();
}

export function isInHourRange(hour: number, range: LocalHourRange): boolean {
  return hour >= range.fromHour && hour < range.toHourExclusive;
}

function summarizeWindow(
  sessions: readonly BpSession[],
  input: HomeSummaryInput,
  target: BloodPressure,
  days: number,
  rules: ClinicalRules,
): HomeWindowSummary {
  const inWindow = sessions.filter((session) => isWithinLastDays(session.startedAt, input.now, days));
  const mean = meanOfSessions(inWindow);
  const morning = inWindow.filter((session) =>
    isInHourRange(localHour(session.startedAt, input.utcOffsetMinutes), rules.homeSummary.morning),
  );
  const evening = inWindow.filter((session) =>
    isInHourRange(localHour(session.startedAt, input.utcOffsetMinutes), rules.homeSummary.evening),
  );
  const windowStart = addDays(input.now, -days);
  const slopeOf = (pick: (session: BpSession) => number): number | null =>
    leastSquaresSlope(
      inWindow.map((session) => ({ x: elapsedDays(windowStart, session.startedAt), y: pick(session) })),
    );
  const sbpSlope = slopeOf((session) => session.meanSbp);
  const dbpSlope = slopeOf((session) => session.meanDbp);
  const sbpSd = sampleSd(inWindow.map((session) => session.meanSbp));
  const dbpSd = sampleSd(inWindow.map((session) => session.meanDbp));
  const sessionsAtTarget = inWindow.filter((session) =>
    isAtTarget({ sbp: session.meanSbp, dbp: session.meanDbp }, target),
  ).length;
  return {
    days,
    sessionCount: inWindow.length,
    readingCount: inWindow.reduce((sum, session) => sum + session.readingIds.length, 0),
    mean,
    category: mean ? classifyHomeMean(mean, rules) : null,
    atTarget: mean ? isAtTarget(mean, target) : null,
    morningMean: meanOfSessions(morning),
    morningSessionCount: morning.length,
    eveningMean: meanOfSessions(evening),
    eveningSessionCount: evening.length,
    slopePerDay: sbpSlope === null || dbpSlope === null ? null : { sbp: sbpSlope, dbp: dbpSlope },
    sessionMeanSd: sbpSd === null || dbpSd === null ? null : { sbp: sbpSd, dbp: dbpSd },
    percentSessionsAtTarget: inWindow.length > 0 ? (100 * sessionsAtTarget) / inWindow.length : null,
  };
}

/** Enough data for a titration decision: enough valid cuff readings over the recent window. */
export function assessEnoughData(
  readings: readonly BpReading[],
  now: Date,
  rules: ClinicalRules,
): EnoughDataResult {
  const { minValidCuffReadings, windowDays } = rules.enoughData;
  const validCuffReadings = readings.filter(
    (reading) => isWithinLastDays(reading.takenAt, now, windowDays) && countsTowardDecisions(reading, rules),
  ).length;
  return {
    enough: validCuffReadings >= minValidCuffReadings,
    validCuffReadings,
    required: minValidCuffReadings,
    windowDays,
  };
}

/**
 * Home blood-pressure summary over the 7/14/30-day windows (from the rules), built from the
 * sessions of the readings that count toward decisions. Sessions are placed in windows and in
 * morning/evening by their first reading.
 */
export function summarizeHomeBp(input: HomeSummaryInput, rules: ClinicalRules): HomeBpSummary {
  const target = input.target ?? rules.homeThresholds.defaultTarget;
  const { sessions } = groupIntoSessions(
    input.readings.filter((reading) => reading.takenAt <= input.now),
    rules,
  );
  return {
    now: input.now,
    target,
    windows: rules.homeSummary.windowsDays.map((days) =>
      summarizeWindow(sessions, input, target, days, rules),
    ),
    enoughData: assessEnoughData(input.readings, input.now, rules),
  };
}
