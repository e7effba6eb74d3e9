import { EntityManager } from 'typeorm';
import { binaryArray } from '@clinloop/database';
import {
  DEFAULT_RULES,
  EMPTY_WINDOW,
  featureWindowOf,
  mergeWindowTotals,
  summarizeDayWithAnchor,
  windowTotals,
  dailyTotalsFrom,
  type ClinicalRules,
  type DailyBpTotals,
  type DaySummary,
  type LinearSums,
  type FeatureWindow,
  type LocalBpReading,
  type WindowTotals,
} from '@clinloop/clinical';

/** The windows patient_feature_windows has columns for (rules.homeSummary.windowsDays by default). */
export const FEATURE_WINDOW_DAYS = [7, 14, 30] as const;
export type FeatureWindowDays = (typeof FEATURE_WINDOW_DAYS)[number];

/** Daily sums as stored, in the order of DailyBpTotals. */
export const DAILY_COLUMNS: readonly (readonly [keyof DailyBpTotals, string, 'int4' | 'float8'])[] = [
  ['readings', 'readings', 'int4'],
  ['sumSbp', 'sum_sbp', 'float8'],
  ['sumDbp', 'sum_dbp', 'float8'],
  ['sumSbpSquares', 'sum_sbp_sq', 'float8'],
  ['sumDbpSquares', 'sum_dbp_sq', 'float8'],
  ['sessions', 'sessions', 'int4'],
  ['sessionSumSbp', 'session_sum_sbp', 'float8'],
  ['sessionSumDbp', 'session_sum_dbp', 'float8'],
  ['sessionSumSbpSquares', 'session_sum_sbp_sq', 'float8'],
  ['sessionSumDbpSquares', 'session_sum_dbp_sq', 'float8'],
  ['morningSessions', 'morning_sessions', 'int4'],
  ['morningSumSbp', 'morning_sum_sbp', 'float8'],
  ['morningSumDbp', 'morning_sum_dbp', 'float8'],
  ['eveningSessions', 'evening_sessions', 'int4'],
  ['eveningSumSbp', 'evening_sum_sbp', 'float8'],
  ['eveningSumDbp', 'evening_sum_dbp', 'float8'],
];

/** Window statistics as stored (suffix `_<days>d`). */
const WINDOW_COLUMNS: readonly (readonly [string, 'int4' | 'float8', (window: FeatureWindow) => number | null])[] = [
  ['readings', 'int4', (w) => w.readings],
  ['mean_sbp', 'float8', (w) => w.readingMean?.sbp ?? null],
  ['mean_dbp', 'float8', (w) => w.readingMean?.dbp ?? null],
  ['sd_sbp', 'float8', (w) => w.readingSd?.sbp ?? null],
  ['sd_dbp', 'float8', (w) => w.readingSd?.dbp ?? null],
  ['sessions', 'int4', (w) => w.sessions],
  ['session_mean_sbp', 'float8', (w) => w.sessionMean?.sbp ?? null],
  ['session_mean_dbp', 'float8', (w) => w.sessionMean?.dbp ?? null],
  ['session_sd_sbp', 'float8', (w) => w.sessionMeanSd?.sbp ?? null],
  ['session_sd_dbp', 'float8', (w) => w.sessionMeanSd?.dbp ?? null],
  ['morning_sessions', 'int4', (w) => w.morningSessions],
  ['morning_mean_sbp', 'float8', (w) => w.morningMean?.sbp ?? null],
  ['morning_mean_dbp', 'float8', (w) => w.morningMean?.dbp ?? null],
  ['evening_sessions', 'int4', (w) => w.eveningSessions],
  ['evening_mean_sbp', 'float8', (w) => w.eveningMean?.sbp ?? null],
  ['evening_mean_dbp', 'float8', (w) => w.eveningMean?.dbp ?? null],
  ['slope_sbp_per_week', 'float8', (w) => w.slopePerWeek?.sbp ?? null],
  ['slope_dbp_per_week', 'float8', (w) => w.slopePerWeek?.dbp ?? null],
  ['adherence', 'float8', (w) => w.adherence],
  ['days_with_sessions', 'int4', (w) => w.daysWithSessions],
];

export interface FeatureWindowOptions {
  readonly rules?: ClinicalRules;
  /** Readings whose days changed (new, or entered in error): their days are marked stale, after the lock. */
  readonly changed?: readonly { readonly patientId: string; readonly measuredAt: Date }[];
  /** The instant whose local day is "today" for the windows; default: the database's now(). */
  readonly asOf?: Date;
}

/**
 * Brings the given patients' feature windows up to date, in the caller's transaction:
 *
 * 1. after their window rows are locked, the days of `options.changed` are marked stale; each of their
 *    stale days (those, and any left by earlier versions) is recomputed from that day's readings
 *    alone (`summarizeDay`: sessions, morning/evening on the patient's clock);
 * 2. each window is added up from at most 30 daily rows in the database and its statistics are
 *    computed from those sums (`featureWindowOf`).
 *
 * Bounded work per patient, whatever their history; days are the patient's own (patients.time_zone).
 * Ingest batches take the cheaper way of `applyNewReadings` (incremental-feature-windows.ts) when
 * they can; this is the way for corrections, a new local day, and whatever that one cannot extend.
 */
export async function updateFeatureWindows(
  manager: EntityManager,
  patientIds: readonly string[],
  options: FeatureWindowOptions = {},
): Promise<number> {
  if (patientIds.length === 0) return 0;
  const rules = options.rules ?? DEFAULT_RULES;
  await lockFeatureWindows(manager, patientIds);
  await markDaysStale(manager, options.changed ?? []);
  // These are short index-range queries over a partitioned table whose row estimates (20 partitions,
  // young statistics) cross the JIT threshold: compiling them took 2.5 s per query in a measurement,
  // running them milliseconds. Off for the rest of this transaction only.
  await manager.query('SET LOCAL jit = off');
  await recomputeStaleDays(manager, patientIds, rules);
  return writeWindows(manager, patientIds, rules, options.asOf ?? null);
}

/**
 * Serializes everyone who writes a patient's daily rows or windows (ingest batches, corrections):
 * each locks the patient's window row first, in patient order, so an incremental update never
 * reads a day another transaction is rewriting. A patient without a row yet has nothing to read
 * incrementally; their first writers meet on the daily rows they mark stale.
 */
export async function lockFeatureWindows(manager: EntityManager, patientIds: readonly string[]): Promise<StoredWindowTotals[]> {
  const rows = await manager.query<
    { patient_id: string; as_of_day: string; time_zone: string; current_zone: string; today: string; window_totals: Buffer | null }[]
  >(
    `SELECT w.patient_id, w.as_of_day::text AS as_of_day, w.time_zone, coalesce(p.time_zone, 'UTC') AS current_zone,
            (now() AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date::text AS today, w.window_totals
       FROM patient_feature_windows w LEFT JOIN patients p ON p.id = w.patient_id
      WHERE w.patient_id = ANY($1::uuid[])
      ORDER BY w.patient_id
        FOR UPDATE OF w`,
    [binaryArray('uuid', [...patientIds].sort())],
  );
  return rows.map((row) => ({
    patientId: row.patient_id,
    asOfDay: row.as_of_day,
    // Windows cut on another calendar (the patient moved) or on another day are summed anew.
    current: row.as_of_day === row.today && row.time_zone === row.current_zone,
    timeZone: row.time_zone,
    parts: row.window_totals === null ? null : decodeWindowParts(row.window_totals),
  }));
}

/** A patient's window row as locked: the parts' sums it was computed from, when stored. */
export interface StoredWindowTotals {
  readonly patientId: string;
  readonly asOfDay: string;
  /** Cut today on the patient's current calendar: a changed day can be swapped into it. */
  readonly current: boolean;
  readonly timeZone: string;
  /** Null for rows written before the sums were kept. */
  readonly parts: Map<FeatureWindowDays, WindowTotals> | null;
}

/** Marks the local day of each (patient, instant) stale, creating the day row when missing. */
async function markDaysStale(
  manager: EntityManager,
  readings: readonly { readonly patientId: string; readonly measuredAt: Date }[],
): Promise<void> {
  if (readings.length === 0) return;
  await manager.query(
    `INSERT INTO observation_daily_aggregates AS a (patient_id, day, stale)
     SELECT DISTINCT r.patient_id, (r.measured_at AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date, true
       FROM unnest($1::uuid[], $2::timestamptz[]) AS r(patient_id, measured_at)
       LEFT JOIN patients p ON p.id = r.patient_id
      ORDER BY 1, 2
     ON CONFLICT (patient_id, day) DO UPDATE SET stale = true`,
    [readings.map((reading) => reading.patientId), readings.map((reading) => reading.measuredAt.toISOString())],
  );
}

interface StaleDayReading {
  patient_id: string;
  day: string;
  id: string | null;
  measured_at: Date | null;
  sbp: number | null;
  dbp: number | null;
  utc_offset_minutes: number | null;
}

async function recomputeStaleDays(
  manager: EntityManager,
  patientIds: readonly string[],
  rules: ClinicalRules,
): Promise<void> {
  const days = await queryDayReadings(
    manager,
    `SELECT a.patient_id, a.day FROM observation_daily_aggregates a WHERE a.patient_id = ANY($1::uuid[]) AND a.stale`,
    [patientIds],
  );
  await writeDayRows(
    manager,
    [...days.values()].map((entry) => ({ patientId: entry.patientId, day: entry.day, summary: summarizeDayWithAnchor(entry.readings, rules) })),
  );
}

/** The decision readings of the given patients' days (key `patient/day`; a day without any is there, empty). */
export async function readDayReadings(
  manager: EntityManager,
  days: readonly { readonly patientId: string; readonly day: string }[],
): Promise<Map<string, LocalBpReading[]>> {
  const read = await queryDayReadings(
    manager,
    `SELECT t.patient_id, t.day FROM unnest($1::uuid[], $2::date[]) AS t(patient_id, day)`,
    [binaryArray('uuid', days.map((day) => day.patientId)), binaryArray('date', days.map((day) => day.day))],
  );
  return new Map([...read.entries()].map(([key, entry]) => [key, entry.readings]));
}

/** Runs the day-readings query over the (patient_id, day) rows `daysSql` selects. */
async function queryDayReadings(
  manager: EntityManager,
  daysSql: string,
  parameters: unknown[],
): Promise<Map<string, { patientId: string; day: string; readings: LocalBpReading[] }>> {
  const rows = await manager.query<StaleDayReading[]>(
    `WITH days AS (
       SELECT d.patient_id, d.day, coalesce(p.time_zone, 'UTC') AS tz
         FROM (${daysSql}) d LEFT JOIN patients p ON p.id = d.patient_id
     )
     SELECT s.patient_id, s.day::text AS day, o.id, o.measured_at, o.sbp, o.dbp,
            extract(epoch FROM (o.measured_at AT TIME ZONE s.tz) - (o.measured_at AT TIME ZONE 'UTC'))::float8 / 60 AS utc_offset_minutes
       FROM days s
       -- LATERAL with OFFSET 0 (not flattened into a join): one (patient_id, measured_at) index range per
       -- day, never a scan of the patients' whole history.
       LEFT JOIN LATERAL (
         SELECT o.id, o.measured_at, o.sbp, o.dbp FROM observations o
          WHERE o.patient_id = s.patient_id
            AND o.measured_at >= (s.day::timestamp AT TIME ZONE s.tz) AND o.measured_at < ((s.day + 1)::timestamp AT TIME ZONE s.tz)
            AND o.counts_toward_decisions AND o.sbp IS NOT NULL AND o.dbp IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM observation_corrections c WHERE c.observation_id = o.id AND c.kind = 'entered_in_error')
         OFFSET 0
       ) o ON true`,
    parameters,
  );
  const days = new Map<string, { patientId: string; day: string; readings: LocalBpReading[] }>();
  for (const row of rows) {
    const key = `${row.patient_id}/${row.day}`;
    const entry = days.get(key) ?? { patientId: row.patient_id, day: row.day, readings: [] };
    if (row.id !== null && row.measured_at !== null && row.sbp !== null && row.dbp !== null) {
      entry.readings.push(
        storedDecisionReading({
          id: row.id,
          patientId: row.patient_id,
          takenAt: new Date(row.measured_at),
          sbp: row.sbp,
          dbp: row.dbp,
          utcOffsetMinutes: row.utc_offset_minutes ?? 0,
        }),
      );
    }
    days.set(key, entry);
  }
  return days;
}

/** A stored decision reading for the day summaries: ingest decided it counts, so it came from a validated upper-arm cuff. */
export function storedDecisionReading(reading: Omit<LocalBpReading, 'device'>): LocalBpReading {
  return { ...reading, device: { kind: 'UPPER_ARM_CUFF', validated: true } };
}

/** A day row's sums (DAILY_COLUMNS) as DailyBpTotals. */
export function dailyTotalsOfRow(row: Readonly<Record<string, unknown>>): DailyBpTotals {
  return dailyTotalsFrom((field) => Number(row[COLUMN_OF.get(field) ?? ''] ?? 0));
}

const COLUMN_OF = new Map<keyof DailyBpTotals, string>(DAILY_COLUMNS.map(([key, column]) => [key, column]));

/** A patient's local day as stored: its sums and its last session. */
export interface StoredDay {
  readonly patientId: string;
  readonly day: string;
  readonly summary: DaySummary;
}

/** The day row's columns of its last session (DaySummary.lastSession), in LastSession order. */
export const LAST_SESSION_COLUMNS = [
  ['last_session_started_at', 'timestamptz'],
  ['last_session_utc_offset_minutes', 'int2'],
  ['last_session_readings', 'int4'],
  ['last_session_sum_sbp', 'float8'],
  ['last_session_sum_dbp', 'float8'],
] as const;

/** Upserts day rows with their new sums and last session; they are no longer stale. */
export async function writeDayRows(manager: EntityManager, days: readonly StoredDay[]): Promise<void> {
  if (days.length === 0) return;
  const sorted = [...days].sort((a, b) => a.patientId.localeCompare(b.patientId) || a.day.localeCompare(b.day));
  const columns = [...LAST_SESSION_COLUMNS.map(([column]) => column), ...DAILY_COLUMNS.map(([, column]) => column)];
  const types = [...LAST_SESSION_COLUMNS.map(([, type]) => type), ...DAILY_COLUMNS.map(([, , type]) => type)];
  const last = (entry: StoredDay) => entry.summary.lastSession;
  // Binary arrays (binaryArray): a batch writes a day row for each of its patients, ~20 numbers each.
  await manager.query(
    `INSERT INTO observation_daily_aggregates AS a (patient_id, day, stale, ${columns.join(', ')})
     SELECT u.patient_id, u.day, false, ${columns.map((column) => `u.${column}`).join(', ')}
       FROM unnest($1::uuid[], $2::date[], ${types.map((type, index) => `$${index + 3}::${type}[]`).join(', ')})
            AS u(patient_id, day, ${columns.join(', ')})
     ON CONFLICT (patient_id, day) DO UPDATE SET stale = false, ${columns.map((column) => `${column} = excluded.${column}`).join(', ')}`,
    [
      binaryArray('uuid', sorted.map((entry) => entry.patientId)),
      binaryArray('date', sorted.map((entry) => entry.day)),
      binaryArray('timestamptz', sorted.map((entry) => last(entry)?.startedAt ?? null)),
      binaryArray('int2', sorted.map((entry) => last(entry)?.utcOffsetMinutes ?? null)),
      binaryArray('int4', sorted.map((entry) => last(entry)?.readings ?? null)),
      binaryArray('float8', sorted.map((entry) => last(entry)?.sumSbp ?? null)),
      binaryArray('float8', sorted.map((entry) => last(entry)?.sumDbp ?? null)),
      ...DAILY_COLUMNS.map(([key, , type]) => binaryArray(type, sorted.map((entry) => entry.summary.totals[key]))),
    ],
  );
}

type WindowSumsRow = Record<string, number | string | null> & {
  patient_id: string;
  time_zone: string;
  today: string;
  part: number | null;
};

async function writeWindows(
  manager: EntityManager,
  patientIds: readonly string[],
  rules: ClinicalRules,
  asOf: Date | null,
): Promise<number> {
  // Each patient's days of the longest window are read once (primary-key range) and summed in parts:
  // days 0-6 ago, 7-13, 14-29 (one part per window); a window is its parts merged. The daily-mean
  // fit uses x = day - today for every part (the slope does not depend on where x starts).
  const windows = [...FEATURE_WINDOW_DAYS].sort((a, b) => a - b);
  const part = `CASE ${windows.map((days) => `WHEN w.today - a.day < ${days} THEN ${days}`).join(' ')} END`;
  const x = '(a.day - w.today)';
  const fit = (side: 'sbp' | 'dbp'): string => {
    const y = `a.session_sum_${side}::float8 / a.sessions`;
    const having = 'FILTER (WHERE a.sessions > 0)';
    return [
      `count(*) ${having} AS fit_${side}_n`,
      `coalesce(sum(${x}) ${having}, 0)::float8 AS fit_${side}_sum_x`,
      `coalesce(sum(${y}) ${having}, 0)::float8 AS fit_${side}_sum_y`,
      `coalesce(sum(${x} * ${x}) ${having}, 0)::float8 AS fit_${side}_sum_xx`,
      `coalesce(sum(${x} * ${y}) ${having}, 0)::float8 AS fit_${side}_sum_xy`,
    ].join(', ');
  };
  const rows = await manager.query<WindowSumsRow[]>(
    `WITH w AS (
       SELECT q.patient_id, coalesce(p.time_zone, 'UTC') AS time_zone,
              (coalesce($2::timestamptz, now()) AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date AS today
         FROM unnest($1::uuid[]) AS q(patient_id)
         LEFT JOIN patients p ON p.id = q.patient_id
     )
     SELECT w.patient_id, w.time_zone, w.today::text AS today, ${part} AS part,
            ${DAILY_COLUMNS.map(([, column]) => `coalesce(sum(a.${column}), 0)::float8 AS ${column}`).join(', ')},
            count(*) FILTER (WHERE a.sessions > 0) AS days_with_sessions,
            count(*) FILTER (WHERE a.morning_sessions > 0 AND a.evening_sessions > 0) AS days_with_morning_and_evening,
            ${fit('sbp')}, ${fit('dbp')}
       FROM w
       LEFT JOIN LATERAL (
         SELECT * FROM observation_daily_aggregates a
          WHERE a.patient_id = w.patient_id AND a.day > w.today - $3::int AND a.day <= w.today
         OFFSET 0
       ) a ON true
      GROUP BY w.patient_id, w.time_zone, w.today, part`,
    [patientIds, asOf?.toISOString() ?? null, Math.max(...windows)],
  );
  const parts = new Map<string, { timeZone: string; today: string; parts: Map<FeatureWindowDays, WindowTotals> }>();
  for (const row of rows) {
    const entry = parts.get(row.patient_id) ?? { timeZone: row.time_zone, today: row.today, parts: new Map() };
    // A patient without days gives one row with a null part: nothing to add.
    if (row.part !== null) entry.parts.set(row.part, windowTotalsOf(row));
    parts.set(row.patient_id, entry);
  }
  return writeWindowRows(
    manager,
    [...parts.entries()].map(([patientId, entry]) => ({ patientId, timeZone: entry.timeZone, today: entry.today, parts: entry.parts })),
    rules,
  );
}

/** One patient's windows as written: the sums of their parts (days 0-6, 7-13, 14-29 ago) on `today`. */
export interface WindowRow {
  readonly patientId: string;
  readonly timeZone: string;
  readonly today: string;
  readonly parts: ReadonlyMap<FeatureWindowDays, WindowTotals>;
}

/** Upserts window rows: each window's statistics from its parts, and the parts' sums for the next incremental update. */
export async function writeWindowRows(manager: EntityManager, rows: readonly WindowRow[], rules: ClinicalRules): Promise<number> {
  if (rows.length === 0) return 0;
  const patients = [...rows].sort((a, b) => a.patientId.localeCompare(b.patientId));
  const windowsOf = patients.map((row) => {
    const computed = new Map<number, FeatureWindow>();
    let totals = EMPTY_WINDOW;
    for (const days of FEATURE_WINDOW_DAYS) {
      const ofPart = row.parts.get(days);
      if (ofPart) totals = mergeWindowTotals(totals, ofPart);
      computed.set(days, featureWindowOf(totals, days, rules));
    }
    return computed;
  });
  const columns = FEATURE_WINDOW_DAYS.flatMap((days) =>
    WINDOW_COLUMNS.map(([name, type, pick]) => ({ name: `${name}_${days}d`, type, days, pick })),
  );
  // Binary arrays (binaryArray): a batch writes a window row for each of its patients, 60 statistics
  // and the parts' sums (raw bytes, not hex) each.
  const values = columns.map((column) =>
    binaryArray(
      column.type,
      windowsOf.map((windows) => {
        const window = windows.get(column.days);
        return window ? column.pick(window) : null;
      }),
    ),
  );
  const inserted = await manager.query<{ patient_id: string }[]>(
    `INSERT INTO patient_feature_windows AS w (patient_id, as_of_day, time_zone, updated_at, window_totals, ${columns.map((column) => column.name).join(', ')})
     SELECT u.patient_id, u.as_of_day, u.time_zone, now(), u.window_totals, ${columns.map((column) => `u.${column.name}`).join(', ')}
       FROM unnest($1::uuid[], $2::date[], $3::text[], $4::bytea[], ${columns.map((column, index) => `$${index + 5}::${column.type}[]`).join(', ')})
            AS u(patient_id, as_of_day, time_zone, window_totals, ${columns.map((column) => column.name).join(', ')})
     ON CONFLICT (patient_id) DO UPDATE SET
       as_of_day = excluded.as_of_day, time_zone = excluded.time_zone, updated_at = excluded.updated_at, updates = w.updates + 1,
       window_totals = excluded.window_totals, ${columns.map((column) => `${column.name} = excluded.${column.name}`).join(', ')}
     RETURNING patient_id`,
    [
      binaryArray('uuid', patients.map((row) => row.patientId)),
      binaryArray('date', patients.map((row) => row.today)),
      binaryArray('text', patients.map((row) => row.timeZone)),
      binaryArray('bytea', patients.map((row) => encodeWindowParts(row.parts))),
      ...values,
    ],
  );
  return inserted.length;
}

/**
 * `window_totals`: the parts' WindowTotals (parts 7, 14, 30 in that order, 28 numbers each: the daily
 * sums in DAILY_COLUMNS order, days with sessions, days with morning and evening, then the daily-mean
 * fits n, sumX, sumY, sumXX, sumXY for systolic and diastolic) as little-endian IEEE 754 doubles.
 * Binary, because formatting and parsing 84 decimal numbers per patient per batch showed in profiles;
 * the statistics derived from them stay in their own readable columns.
 */
const WINDOW_TOTALS_LENGTH = DAILY_COLUMNS.length + 2 + 5 + 5;
const WINDOW_TOTALS_BYTES = WINDOW_TOTALS_LENGTH * FEATURE_WINDOW_DAYS.length * 8;

export function encodeWindowParts(parts: ReadonlyMap<FeatureWindowDays, WindowTotals>): Buffer {
  const buffer = Buffer.allocUnsafe(WINDOW_TOTALS_BYTES);
  let offset = 0;
  const put = (value: number): void => {
    offset = buffer.writeDoubleLE(value, offset);
  };
  for (const days of FEATURE_WINDOW_DAYS) {
    const totals = parts.get(days) ?? EMPTY_WINDOW;
    for (const [key] of DAILY_COLUMNS) put(totals[key]);
    put(totals.daysWithSessions);
    put(totals.daysWithMorningAndEvening);
    for (const fit of [totals.dailyMeanSbp, totals.dailyMeanDbp]) {
      put(fit.n);
      put(fit.sumX);
      put(fit.sumY);
      put(fit.sumXX);
      put(fit.sumXY);
    }
  }
  return buffer;
}

/** Null when the stored value is not in this layout (the windows are then summed anew). */
export function decodeWindowParts(stored: Buffer): Map<FeatureWindowDays, WindowTotals> | null {
  if (stored.length !== WINDOW_TOTALS_BYTES) return null;
  const parts = new Map<FeatureWindowDays, WindowTotals>();
  let offset = 0;
  const next = (): number => {
    const value = stored.readDoubleLE(offset);
    offset += 8;
    return value;
  };
  const fit = (): LinearSums => ({ n: next(), sumX: next(), sumY: next(), sumXX: next(), sumXY: next() });
  for (const days of FEATURE_WINDOW_DAYS) {
    // Read in DAILY_COLUMNS order, the order encodeWindowParts writes.
    const read = new Map<keyof DailyBpTotals, number>();
    for (const [key] of DAILY_COLUMNS) read.set(key, next());
    const sums = dailyTotalsFrom((field) => read.get(field) ?? 0);
    const daysWithSessions = next();
    const daysWithMorningAndEvening = next();
    const dailyMeanSbp = fit();
    parts.set(days, windowTotals(sums, daysWithSessions, daysWithMorningAndEvening, dailyMeanSbp, fit()));
  }
  return parts;
}

function windowTotalsOf(row: WindowSumsRow): WindowTotals {
  const number = (column: string): number => Number(row[column] ?? 0);
  const sums = dailyTotalsOfRow(row);
  const fit = (side: 'sbp' | 'dbp') => ({
    n: number(`fit_${side}_n`),
    sumX: number(`fit_${side}_sum_x`),
    sumY: number(`fit_${side}_sum_y`),
    sumXX: number(`fit_${side}_sum_xx`),
    sumXY: number(`fit_${side}_sum_xy`),
  });
  return {
    ...sums,
    daysWithSessions: number('days_with_sessions'),
    daysWithMorningAndEvening: number('days_with_morning_and_evening'),
    dailyMeanSbp: fit('sbp'),
    dailyMeanDbp: fit('dbp'),
  };
}

/** The current windows of one patient as stored, or null before their first decision reading. */
export interface StoredFeatureWindows {
  readonly patientId: string;
  readonly asOfDay: string;
  readonly timeZone: string;
  readonly updatedAt: Date;
  readonly windows: readonly (Omit<FeatureWindow, 'category'> & { readonly days: FeatureWindowDays })[];
}

export async function loadFeatureWindows(manager: EntityManager, patientId: string): Promise<StoredFeatureWindows | null> {
  // Counters come back as numbers, bigints (`updates`) as strings: everything is read through Number().
  const [row] = await manager.query<(Record<string, number | string | null> & { patient_id: string; as_of_day: string; time_zone: string; updated_at: Date })[]>(
    `SELECT *, as_of_day::text AS as_of_day FROM patient_feature_windows WHERE patient_id = $1`,
    [patientId],
  );
  if (!row) return null;
  const pairOf = (sbp: string, dbp: string, days: number) => {
    const s = row[`${sbp}_${days}d`];
    const d = row[`${dbp}_${days}d`];
    return s === null || s === undefined || d === null || d === undefined ? null : { sbp: Number(s), dbp: Number(d) };
  };
  const count = (name: string, days: number): number => Number(row[`${name}_${days}d`] ?? 0);
  return {
    patientId: row.patient_id,
    asOfDay: row.as_of_day,
    timeZone: row.time_zone,
    updatedAt: new Date(row.updated_at),
    windows: FEATURE_WINDOW_DAYS.map((days) => ({
      days,
      readings: count('readings', days),
      sessions: count('sessions', days),
      readingMean: pairOf('mean_sbp', 'mean_dbp', days),
      readingSd: pairOf('sd_sbp', 'sd_dbp', days),
      sessionMean: pairOf('session_mean_sbp', 'session_mean_dbp', days),
      sessionMeanSd: pairOf('session_sd_sbp', 'session_sd_dbp', days),
      morningSessions: count('morning_sessions', days),
      morningMean: pairOf('morning_mean_sbp', 'morning_mean_dbp', days),
      eveningSessions: count('evening_sessions', days),
      eveningMean: pairOf('evening_mean_sbp', 'evening_mean_dbp', days),
      slopePerWeek: pairOf('slope_sbp_per_week', 'slope_dbp_per_week', days),
      adherence: Number(row[`adherence_${days}d`] ?? 0),
      daysWithSessions: count('days_with_sessions', days),
    })),
  };
}
