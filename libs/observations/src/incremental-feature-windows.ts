import { EntityManager } from 'typeorm';
import { binaryArray } from '@clinloop/database';
import {
  EMPTY_DAY,
  EMPTY_WINDOW,
  addLaterReadings,
  replaceDayInWindow,
  summarizeDayWithAnchor,
  type ClinicalRules,
  type DaySummary,
  type LocalBpReading,
} from '@clinloop/clinical';
import {
  DAILY_COLUMNS,
  LAST_SESSION_COLUMNS,
  FEATURE_WINDOW_DAYS,
  dailyTotalsOfRow,
  lockFeatureWindows,
  readDayReadings,
  storedDecisionReading,
  updateFeatureWindows,
  writeDayRows,
  writeWindowRows,
  type FeatureWindowDays,
  type StoredDay,
  type WindowRow,
} from './feature-windows';

/** A decision reading an ingest batch just inserted, with its day and UTC offset on the patient's calendar. */
export interface NewDecisionReading {
  readonly id: string;
  readonly patientId: string;
  readonly measuredAt: Date;
  readonly sbp: number;
  readonly dbp: number;
  /** YYYY-MM-DD on the patient's calendar. */
  readonly day: string;
  readonly utcOffsetMinutes: number;
}

const DAY_MS = 86_400_000;

/** What an update did: how many window rows it wrote, and how much of that took the long way. */
export interface FeatureWindowUpdate {
  readonly windowsWritten: number;
  /** Patients whose days were summed anew (new local day, another calendar, no stored sums yet). */
  readonly patientsSummedAnew: number;
  /** Days summarized again from all their readings (a reading arrived before the day's last session). */
  readonly daysReread: number;
}

export const NO_UPDATE: FeatureWindowUpdate = { windowsWritten: 0, patientsSummedAnew: 0, daysReread: 0 };

/**
 * Brings the feature windows of the patients in an ingest batch up to date from the batch's new
 * decision readings alone, in the batch's transaction:
 *
 * - a changed day takes the new readings from its sums and its last session alone: they join that
 *   session or open new ones after it (`addLaterReadings`); only a reading taken before the day's
 *   last session started makes the day be summarized again from all its readings;
 * - each window row keeps the sums of its parts (days 0-6, 7-13, 14-29 ago), so a changed day is
 *   swapped into its part (old day out, new day in) and the statistics follow from the sums. Nothing
 *   else of the patient's history is read.
 *
 * Patients whose row was cut on another day or calendar, or was stored before the parts' sums were
 * kept, go through `updateFeatureWindows` (sums their days anew), once a day at most each.
 */
export async function applyNewReadings(
  manager: EntityManager,
  readings: readonly NewDecisionReading[],
  rules: ClinicalRules,
): Promise<FeatureWindowUpdate> {
  if (readings.length === 0) return NO_UPDATE;
  const byPatient = groupBy(readings, (reading) => reading.patientId);
  const locked = await lockFeatureWindows(manager, [...byPatient.keys()]);
  const incremental = new Map(
    locked.flatMap((row) => (row.current && row.parts !== null ? [[row.patientId, { ...row, parts: row.parts }] as const] : [])),
  );
  const resummed = [...byPatient.keys()].filter((patientId) => !incremental.has(patientId));
  let written = 0;
  if (resummed.length > 0) {
    written += await updateFeatureWindows(manager, resummed, {
      rules,
      changed: resummed.flatMap((patientId) => byPatient.get(patientId) ?? []),
    });
  }
  if (incremental.size === 0) return { windowsWritten: written, patientsSummedAnew: resummed.length, daysReread: 0 };

  const changed = readings.filter((reading) => incremental.has(reading.patientId));
  const byDay = groupBy(changed, (reading) => `${reading.patientId}/${reading.day}`);
  const stored = await readDays(manager, [...byDay.values()].map((dayReadings) => dayReadings[0] as NewDecisionReading));
  const days: { key: string; patientId: string; day: string; before: DaySummary; after: DaySummary }[] = [];
  const reread: { key: string; patientId: string; day: string; before: DaySummary }[] = [];
  for (const [key, dayReadings] of byDay) {
    const first = dayReadings[0] as NewDecisionReading;
    const before = stored.get(key) ?? { totals: EMPTY_DAY, lastSession: null, stale: false };
    const after = before.stale ? null : addLaterReadings(before, dayReadings.map(toLocalReading), rules);
    if (after) days.push({ key, patientId: first.patientId, day: first.day, before, after });
    else reread.push({ key, patientId: first.patientId, day: first.day, before });
  }
  if (reread.length > 0) {
    // A reading before the day's last session: the day is summarized again from all its readings.
    const readingsOf = await readDayReadings(manager, reread);
    for (const entry of reread) days.push({ ...entry, after: summarizeDayWithAnchor(readingsOf.get(entry.key) ?? [], rules) });
  }
  await writeDayRows(
    manager,
    days.map((entry): StoredDay => ({ patientId: entry.patientId, day: entry.day, summary: entry.after })),
  );

  const changedByPatient = groupBy(days, (entry) => entry.patientId);
  const windowRows: WindowRow[] = [];
  for (const [patientId, row] of incremental) {
    const parts = new Map(row.parts);
    const today = Date.parse(`${row.asOfDay}T00:00:00Z`);
    for (const entry of changedByPatient.get(patientId) ?? []) {
      const x = Math.round((Date.parse(`${entry.day}T00:00:00Z`) - today) / DAY_MS);
      const part = partOf(-x);
      // Days after today (clock skew at midnight) or before the longest window are in no window yet.
      if (part === null) continue;
      parts.set(part, replaceDayInWindow(parts.get(part) ?? EMPTY_WINDOW, entry.before.totals, entry.after.totals, x));
    }
    windowRows.push({ patientId, timeZone: row.timeZone, today: row.asOfDay, parts: parts });
  }
  written += await writeWindowRows(manager, windowRows, rules);
  return { windowsWritten: written, patientsSummedAnew: resummed.length, daysReread: reread.length };
}

/** The part (the shortest window) a day `daysAgo` before today belongs to, or null outside every window. */
function partOf(daysAgo: number): FeatureWindowDays | null {
  if (daysAgo < 0) return null;
  return FEATURE_WINDOW_DAYS.find((days) => daysAgo < days) ?? null;
}

interface StoredDaySummary extends DaySummary {
  readonly stale: boolean;
}

/** The stored sums of the given patients' days (key `patient/day`); missing days are not in the map. */
async function readDays(manager: EntityManager, days: readonly NewDecisionReading[]): Promise<Map<string, StoredDaySummary>> {
  const rows = await manager.query<
    (Record<string, number> & {
      patient_id: string;
      day: string;
      stale: boolean;
      last_session_started_at: Date | null;
      last_session_utc_offset_minutes: number | null;
      last_session_readings: number | null;
      last_session_sum_sbp: number | null;
      last_session_sum_dbp: number | null;
    })[]
  >(
    `SELECT a.patient_id, a.day::text AS day, a.stale, ${LAST_SESSION_COLUMNS.map(([column]) => `a.${column}`).join(', ')},
            ${DAILY_COLUMNS.map(([, column]) => `a.${column}`).join(', ')}
       FROM observation_daily_aggregates a
       JOIN unnest($1::uuid[], $2::date[]) AS t(patient_id, day) ON a.patient_id = t.patient_id AND a.day = t.day`,
    [binaryArray('uuid', days.map((day) => day.patientId)), binaryArray('date', days.map((day) => day.day))],
  );
  return new Map(
    rows.map((row) => [
      `${row.patient_id}/${row.day}`,
      {
        stale: row.stale,
        // Rows written before the last session was kept have none: their day is summarized again.
        lastSession:
          row.last_session_started_at === null ||
          row.last_session_utc_offset_minutes === null ||
          row.last_session_readings === null ||
          row.last_session_sum_sbp === null ||
          row.last_session_sum_dbp === null
            ? null
            : {
                startedAt: new Date(row.last_session_started_at),
                utcOffsetMinutes: row.last_session_utc_offset_minutes,
                readings: row.last_session_readings,
                sumSbp: row.last_session_sum_sbp,
                sumDbp: row.last_session_sum_dbp,
              },
        totals: dailyTotalsOfRow(row),
      },
    ]),
  );
}

function toLocalReading(reading: NewDecisionReading): LocalBpReading {
  const { id, patientId, measuredAt, sbp, dbp, utcOffsetMinutes } = reading;
  return storedDecisionReading({ id, patientId, takenAt: measuredAt, sbp, dbp, utcOffsetMinutes });
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
