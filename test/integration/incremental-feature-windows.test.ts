import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '@clinloop/audit';
import { DEFAULT_RULES, featureWindowsFromDays, summarizeDay, type LocalBpReading } from '@clinloop/clinical';
import { ManualReadingsService, updateFeatureWindows, type IngestOutcome } from '@clinloop/observations';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { defined } from '../support/ingestion-assertions';
import { createBoundPatients, ingestService, nativeReading, TEST_POLICY, type BoundPatient } from '../support/ingestion-fixtures';

/** Tokyo keeps UTC+9 all year, so a local day and offset are plain arithmetic here. */
const ZONE = 'Asia/Tokyo';
const OFFSET_MINUTES = 540;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

interface Sent {
  readonly sequence: number;
  readonly at: Date;
  readonly sbp: number;
  readonly dbp: number;
}

function tokyoDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MINUTES * MINUTE_MS).toISOString().slice(0, 10);
}

/** The instant of hh:mm on the Tokyo day `daysAgo` days before today's. */
function tokyoAt(daysAgo: number, hour: number, minute = 0): Date {
  const today = tokyoDay(new Date());
  return new Date(Date.parse(`${today}T00:00:00Z`) - daysAgo * DAY_MS + (hour * 60 + minute - OFFSET_MINUTES) * MINUTE_MS);
}

/**
 * Ingest batches update the windows from their new readings alone: a day extended by readings after
 * its last session, or summarized again when a reading lands inside or before a stored session, is
 * swapped into the window parts kept on the row. After every batch the stored windows must equal the
 * pure definition (libs/clinical) over every reading stored so far.
 */
describe('feature windows updated incrementally by ingest batches (real PostgreSQL)', () => {
  let database: TestDatabase;
  let patient: BoundPatient;
  const sent: Sent[] = [];
  let nextSequence = 1;

  beforeAll(async () => {
    database = await createTestDatabase();
    [patient] = (await createBoundPatients(database.dataSource, 1)) as [BoundPatient];
    await database.dataSource.query('UPDATE patients SET time_zone = $1 WHERE id = $2', [ZONE, patient.patientId]);
  });
  afterAll(async () => {
    await database.drop();
  });

  const ingest = async (readings: readonly Omit<Sent, 'sequence'>[]): Promise<IngestOutcome> => {
    const batch = readings.map((reading) => ({ ...reading, sequence: nextSequence++ }));
    sent.push(...batch);
    const outcome = await ingestService(database.dataSource).ingestMessages(
      batch.map((reading) => ({
        format: 'wearable-reading.v1' as const,
        key: patient.patientId,
        receivedAt: new Date(),
        value: nativeReading({ patient, sequence: reading.sequence, measuredAt: reading.at, sbp: reading.sbp, dbp: reading.dbp }),
      })),
      { id: `batch-${batch[0]?.sequence ?? 0}` },
    );
    expect(outcome.stored).toHaveLength(batch.length);
    return outcome;
  };

  /** Two sessions a day (07:00 and 20:00 Tokyo, two readings each) for the given days ago, oldest first. */
  const sessions = (daysAgo: readonly number[]) =>
    [...daysAgo]
      .sort((a, b) => b - a)
      .flatMap((ago) =>
        [7, 20].flatMap((hour) => [
          { at: tokyoAt(ago, hour, 0), sbp: 120 + ((ago * 7 + hour) % 31), dbp: 70 + ((ago * 3 + hour) % 17) },
          { at: tokyoAt(ago, hour, 2), sbp: 118 + ((ago * 5 + hour) % 29), dbp: 72 + ((ago * 11 + hour) % 13) },
        ]),
      );

  const expectWindowsMatchEveryStoredReading = async (excluded: ReadonlySet<number> = new Set()) => {
    const row = defined(
      (await database.dataSource.query<Record<string, number | string | null>[]>(
        'SELECT *, as_of_day::text AS as_of_day FROM patient_feature_windows WHERE patient_id = $1',
        [patient.patientId],
      ))[0],
      'the window row',
    );
    const today = Date.parse(`${String(row.as_of_day)}T00:00:00Z`);
    const byDay = new Map<string, LocalBpReading[]>();
    for (const reading of sent.filter((candidate) => !excluded.has(candidate.sequence))) {
      const day = tokyoDay(reading.at);
      byDay.set(day, [
        ...(byDay.get(day) ?? []),
        {
          id: `r${reading.sequence}`,
          patientId: patient.patientId,
          takenAt: reading.at,
          sbp: reading.sbp,
          dbp: reading.dbp,
          device: { kind: 'UPPER_ARM_CUFF', validated: true },
          utcOffsetMinutes: OFFSET_MINUTES,
        },
      ]);
    }
    const oracle = featureWindowsFromDays(
      [...byDay.entries()].map(([day, readings]) => ({
        daysAgo: Math.round((today - Date.parse(`${day}T00:00:00Z`)) / DAY_MS),
        totals: summarizeDay(readings, DEFAULT_RULES),
      })),
      DEFAULT_RULES,
    );
    for (const window of oracle) {
      const column = (name: string) => row[`${name}_${window.days}d`];
      expect({ days: window.days, readings: column('readings'), sessions: column('sessions'), daysWithSessions: column('days_with_sessions') }).toEqual({
        days: window.days,
        readings: window.readings,
        sessions: window.sessions,
        daysWithSessions: window.daysWithSessions,
      });
      const close = (name: string, expected: number | null | undefined) => {
        if (expected === null || expected === undefined) expect(column(name), name).toBeNull();
        else expect(column(name), `${name}_${window.days}d`).toBeCloseTo(expected, 9);
      };
      close('mean_sbp', window.readingMean?.sbp);
      close('sd_dbp', window.readingSd?.dbp);
      close('session_mean_sbp', window.sessionMean?.sbp);
      close('session_sd_sbp', window.sessionMeanSd?.sbp);
      close('morning_mean_dbp', window.morningMean?.dbp);
      close('evening_mean_sbp', window.eveningMean?.sbp);
      close('slope_sbp_per_week', window.slopePerWeek?.sbp);
      close('slope_dbp_per_week', window.slopePerWeek?.dbp);
      close('adherence', window.adherence);
    }
    return row;
  };

  it('sums the days anew for a patient without stored window sums, then extends days batch by batch', async () => {
    const first = await ingest(sessions([34, 29, 20, 15]));
    expect(first.featureWindows).toMatchObject({ windowsWritten: 1, patientsSummedAnew: 1 });
    await expectWindowsMatchEveryStoredReading();

    // Later days in order (each part of the windows: 14-29, 7-13, 0-6 days ago), one batch at a time.
    for (const days of [[13, 12], [8, 7], [6, 5, 4], [2, 1]]) {
      const outcome = await ingest(sessions(days));
      expect(outcome.featureWindows).toEqual({ windowsWritten: 1, patientsSummedAnew: 0, daysReread: 0 });
      await expectWindowsMatchEveryStoredReading();
    }
  });

  it('joins a reading to a day\'s last session from the stored sums, and summarizes a day again for one before it', async () => {
    // 07:05 joins the morning session of 5 days ago (07:00 + 10 min), before its evening one: the whole day
    // again; 12:00 two days ago comes before its evening session: the whole day again; 20:05 four days ago
    // joins the evening session, the last one: from the day's stored sums and last session alone.
    const outcome = await ingest([
      { at: tokyoAt(5, 7, 5), sbp: 160, dbp: 99 },
      { at: tokyoAt(2, 12, 0), sbp: 131, dbp: 84 },
      { at: tokyoAt(4, 20, 5), sbp: 142, dbp: 91 },
    ]);
    expect(outcome.featureWindows).toEqual({ windowsWritten: 1, patientsSummedAnew: 0, daysReread: 2 });
    await expectWindowsMatchEveryStoredReading();
  });

  it('keeps extending correctly after a correction summed the windows anew', async () => {
    const wrong = defined(sent.find((reading) => reading.sbp === 160), 'the 160 reading');
    const [stored] = await database.dataSource.query<{ id: string }[]>(
      'SELECT id FROM observations WHERE patient_id = $1 AND device_seq = $2',
      [patient.patientId, wrong.sequence],
    );
    const manual = new ManualReadingsService(database.dataSource, new AuditService(), ingestService(database.dataSource), TEST_POLICY);
    await manual.markEnteredInError({ type: 'system', component: 'test' }, { observationId: defined(stored, 'its row').id, reason: 'cuff slipped' });
    const excluded = new Set([wrong.sequence]);
    await expectWindowsMatchEveryStoredReading(excluded);

    const outcome = await ingest([{ at: tokyoAt(1, 22, 30), sbp: 125, dbp: 80 }]);
    expect(outcome.featureWindows).toEqual({ windowsWritten: 1, patientsSummedAnew: 0, daysReread: 0 });
    await expectWindowsMatchEveryStoredReading(excluded);
  });

  it('waits for a correction in flight on the same patient, then updates from the corrected day (no lost update)', async () => {
    // The correction, as markEnteredInError makes it, held open in its own transaction: the window row
    // locked, the reading marked, its day summed again - not committed yet.
    const wrong = defined(sent.find((reading) => reading.sbp === 142), 'the 142 reading');
    const [row] = await database.dataSource.query<{ id: string; measured_at: Date }[]>(
      'SELECT id, measured_at FROM observations WHERE patient_id = $1 AND device_seq = $2',
      [patient.patientId, wrong.sequence],
    );
    const correction = database.dataSource.createQueryRunner();
    await correction.connect();
    await correction.startTransaction();
    try {
      await correction.query(
        `INSERT INTO observation_corrections (observation_id, observation_measured_at, patient_id, kind, reason, actor_type, actor_id)
         VALUES ($1, $2, $3, 'entered_in_error', 'test: concurrent correction', 'system', 'test')`,
        [defined(row, 'its row').id, new Date(row?.measured_at ?? 0).toISOString(), patient.patientId],
      );
      await updateFeatureWindows(correction.manager, [patient.patientId], { changed: [{ patientId: patient.patientId, measuredAt: wrong.at }] });

      // A batch for the same day arrives meanwhile: it must not read the day before the correction commits.
      const batch = ingest([{ at: tokyoAt(4, 23, 0), sbp: 133, dbp: 83 }]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await correction.commitTransaction();
      expect((await batch).featureWindows).toMatchObject({ windowsWritten: 1 });
    } finally {
      if (correction.isTransactionActive) await correction.rollbackTransaction();
      await correction.release();
    }
    const excluded = new Set([160, 142].map((sbp) => defined(sent.find((reading) => reading.sbp === sbp), `the ${sbp} reading`).sequence));
    await expectWindowsMatchEveryStoredReading(excluded);
  });

  it('falls back to the full way for rows and days stored before the sums and anchors were kept', async () => {
    await database.dataSource.query('UPDATE observation_daily_aggregates SET last_session_started_at = NULL WHERE patient_id = $1', [patient.patientId]);
    const summedAnew = await ingest([{ at: tokyoAt(1, 23, 0), sbp: 127, dbp: 81 }]);
    // A day with sessions but no anchor is summarized again; a later batch extends it again.
    expect(summedAnew.featureWindows).toEqual({ windowsWritten: 1, patientsSummedAnew: 0, daysReread: 1 });

    await database.dataSource.query('UPDATE patient_feature_windows SET window_totals = NULL WHERE patient_id = $1', [patient.patientId]);
    const rebuilt = await ingest([{ at: tokyoAt(1, 23, 30), sbp: 129, dbp: 82 }]);
    expect(rebuilt.featureWindows).toMatchObject({ windowsWritten: 1, patientsSummedAnew: 1 });
    const excluded = new Set([160, 142].map((sbp) => defined(sent.find((reading) => reading.sbp === sbp), `the ${sbp} reading`).sequence));
    const row = await expectWindowsMatchEveryStoredReading(excluded);
    expect(row.window_totals).not.toBeNull();
  });
});
