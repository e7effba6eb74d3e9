import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '@clinloop/audit';
import { DEFAULT_RULES, featureWindowsFromDays, summarizeDay, type LocalBpReading } from '@clinloop/clinical';
import { withTransaction } from '@clinloop/database';
import { ManualReadingsService, updateFeatureWindows } from '@clinloop/observations';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { defined } from '../support/ingestion-assertions';
import { createBoundPatients, ingestService, nativeReading, TEST_POLICY, type BoundPatient } from '../support/ingestion-fixtures';

const ZONE = 'America/Chicago';
const DAY_MS = 86_400_000;

/** The Chicago calendar date of an instant, YYYY-MM-DD. */
function chicagoDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(at);
}

/** The instant of `hour`:`minute` on a Chicago date (the zone's offset found by trying CST and CDT). */
function chicagoAt(date: string, hour: number, minute = 0): Date {
  for (const offsetHours of [6, 5]) {
    const candidate = new Date(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
    candidate.setTime(candidate.getTime() + offsetHours * 3_600_000);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(candidate);
    if (chicagoDate(candidate) === date && local === `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`) return candidate;
  }
  throw new Error(`no ${hour}:${minute} on ${date} in ${ZONE}`);
}

/** Minutes east of UTC in Chicago at an instant. */
function chicagoOffsetMinutes(at: Date): number {
  const wallClock = new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, dateStyle: 'short', timeStyle: 'medium' }).format(at).replace(' ', 'T');
  return Math.round((new Date(`${wallClock}Z`).getTime() - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * Feature windows on the patient's own calendar (a non-UTC zone where the evening session falls on the
 * next UTC day), recomputed for the affected days and patients only, with a correction recomputing its day.
 */
describe('feature windows in the patient time zone (real PostgreSQL)', () => {
  let database: TestDatabase;
  let chicago: BoundPatient;
  let bystander: BoundPatient;
  const now = new Date();
  const today = chicagoDate(now);
  const yesterday = chicagoDate(new Date(chicagoAt(today, 12).getTime() - DAY_MS));
  const twoDaysAgo = chicagoDate(new Date(chicagoAt(today, 12).getTime() - 2 * DAY_MS));
  // Yesterday: a morning session (150, 140 -> 145/88) and an evening one at 21:00 Chicago, 03:00 UTC the next day (130, 126 -> 128/79).
  // Two days ago: a morning session only. 40 days ago: a late upload, outside every window.
  const readings = [
    { at: chicagoAt(yesterday, 7, 0), sbp: 150, dbp: 90 },
    { at: chicagoAt(yesterday, 7, 1), sbp: 140, dbp: 86 },
    { at: chicagoAt(yesterday, 21, 0), sbp: 130, dbp: 80 },
    { at: chicagoAt(yesterday, 21, 1), sbp: 126, dbp: 78 },
    { at: chicagoAt(twoDaysAgo, 7, 30), sbp: 140, dbp: 88 },
    { at: new Date(now.getTime() - 40 * DAY_MS), sbp: 170, dbp: 100 },
  ];

  beforeAll(async () => {
    database = await createTestDatabase();
    [chicago, bystander] = (await createBoundPatients(database.dataSource, 2)) as [BoundPatient, BoundPatient];
    await database.dataSource.query('UPDATE patients SET time_zone = $1 WHERE id = $2', [ZONE, chicago.patientId]);
  });
  afterAll(async () => {
    await database.drop();
  });

  const windowRow = async (patientId: string) =>
    defined(
      (await database.dataSource.query<Record<string, number | string | null>[]>('SELECT *, as_of_day::text AS as_of_day FROM patient_feature_windows WHERE patient_id = $1', [patientId]))[0],
      'a feature window row',
    );
  const message = (patient: BoundPatient, sequence: number, reading: { at: Date; sbp: number; dbp: number }) => ({
    format: 'wearable-reading.v1' as const,
    key: patient.patientId,
    receivedAt: new Date(),
    value: nativeReading({ patient, sequence, measuredAt: reading.at, sbp: reading.sbp, dbp: reading.dbp }),
  });

  it('cuts days on the patient\'s calendar and computes session means, morning/evening, slope, variability and adherence', async () => {
    await ingestService(database.dataSource).ingestMessages([message(bystander, 1, { at: chicagoAt(yesterday, 8), sbp: 120, dbp: 75 })], { id: 'bystander' });
    const bystanderBefore = await windowRow(bystander.patientId);

    const outcome = await ingestService(database.dataSource).ingestMessages(
      readings.map((reading, index) => message(chicago, index + 1, reading)),
      { id: 'chicago' },
    );
    expect(outcome.stored).toHaveLength(6);
    // Only the patients of the batch are touched.
    expect(await windowRow(bystander.patientId)).toEqual(bystanderBefore);

    const days = await database.dataSource.query<{ day: string; readings: number; sessions: number; morning_sessions: number; evening_sessions: number; stale: boolean }[]>(
      'SELECT day::text AS day, readings, sessions, morning_sessions, evening_sessions, stale FROM observation_daily_aggregates WHERE patient_id = $1 ORDER BY day',
      [chicago.patientId],
    );
    expect(days.slice(-2)).toEqual([
      { day: twoDaysAgo, readings: 1, sessions: 1, morning_sessions: 1, evening_sessions: 0, stale: false },
      { day: yesterday, readings: 4, sessions: 2, morning_sessions: 1, evening_sessions: 1, stale: false },
    ]);

    const row = await windowRow(chicago.patientId);
    expect(row).toMatchObject({ time_zone: ZONE, as_of_day: today, readings_7d: 5, sessions_7d: 3, days_with_sessions_7d: 2, readings_30d: 5 });
    expect(row.session_mean_sbp_7d).toBeCloseTo((145 + 128 + 140) / 3, 9);
    expect(row.morning_mean_sbp_7d).toBeCloseTo((145 + 140) / 2, 9);
    expect(row.evening_mean_sbp_7d).toBeCloseTo(128, 9);
    expect(row.adherence_7d).toBeCloseTo(1 / 7, 9);
    // Daily means 140 (two days ago) then 136.5 (yesterday): -3.5 mm[Hg] a day, -24.5 a week.
    expect(row.slope_sbp_per_week_7d).toBeCloseTo(-24.5, 9);

    // The same figures as the pure definition on the same readings (libs/clinical).
    const local = (reading: (typeof readings)[number], index: number): LocalBpReading => ({
      id: `r${index}`,
      patientId: chicago.patientId,
      takenAt: reading.at,
      sbp: reading.sbp,
      dbp: reading.dbp,
      device: { kind: 'UPPER_ARM_CUFF', validated: true },
      utcOffsetMinutes: chicagoOffsetMinutes(reading.at),
    });
    const oracle = featureWindowsFromDays(
      [
        { daysAgo: 1, totals: summarizeDay(readings.slice(0, 4).map(local), DEFAULT_RULES) },
        { daysAgo: 2, totals: summarizeDay(readings.slice(4, 5).map(local), DEFAULT_RULES) },
      ],
      DEFAULT_RULES,
    );
    for (const window of oracle) {
      expect(row[`sessions_${window.days}d`]).toBe(window.sessions);
      expect(row[`session_sd_sbp_${window.days}d`]).toBeCloseTo(window.sessionMeanSd?.sbp ?? Number.NaN, 9);
      expect(row[`adherence_${window.days}d`]).toBeCloseTo(window.adherence, 9);
    }
  });

  it('recomputes the day of a reading entered in error (and only the windows of its patient)', async () => {
    const bystanderBefore = await windowRow(bystander.patientId);
    const [evening] = await database.dataSource.query<{ id: string }[]>('SELECT id FROM observations WHERE patient_id = $1 AND sbp = 130', [chicago.patientId]);
    const manual = new ManualReadingsService(database.dataSource, new AuditService(), ingestService(database.dataSource), TEST_POLICY);
    await manual.markEnteredInError({ type: 'system', component: 'test' }, { observationId: defined(evening, 'the 130 reading').id, reason: 'wrong arm' });

    const [day] = await database.dataSource.query<{ readings: number; evening_sessions: number; evening_sum_sbp: number }[]>(
      'SELECT readings, evening_sessions, evening_sum_sbp FROM observation_daily_aggregates WHERE patient_id = $1 AND day = $2',
      [chicago.patientId, yesterday],
    );
    expect(day).toEqual({ readings: 3, evening_sessions: 1, evening_sum_sbp: 126 });
    const row = await windowRow(chicago.patientId);
    expect(row.evening_mean_sbp_7d).toBeCloseTo(126, 9);
    expect(row.readings_7d).toBe(4);
    expect(await windowRow(bystander.patientId)).toEqual(bystanderBefore);
  });

  it('moves the windows with "today" on the patient\'s calendar', async () => {
    // A week later the readings have left the 7-day window but are still in the 14-day one.
    const weekLater = new Date(chicagoAt(today, 12).getTime() + 7 * DAY_MS);
    await withTransaction(database.dataSource, (manager) => updateFeatureWindows(manager, [chicago.patientId], { asOf: weekLater }));
    const row = await windowRow(chicago.patientId);
    expect(row).toMatchObject({ as_of_day: chicagoDate(weekLater), readings_7d: 0, sessions_7d: 0, session_mean_sbp_7d: null, adherence_7d: 0, sessions_14d: 3 });
  });
});
