import { MigrationInterface, QueryRunner } from 'typeorm';

const WINDOWS = [7, 14, 30] as const;

/** Columns added per window (suffix `_<days>d`); means and slopes are null without data. */
const WINDOW_COLUMNS = [
  ['sessions', 'integer NOT NULL DEFAULT 0'],
  ['session_mean_sbp', 'double precision'],
  ['session_mean_dbp', 'double precision'],
  ['session_sd_sbp', 'double precision'],
  ['session_sd_dbp', 'double precision'],
  ['morning_sessions', 'integer NOT NULL DEFAULT 0'],
  ['morning_mean_sbp', 'double precision'],
  ['morning_mean_dbp', 'double precision'],
  ['evening_sessions', 'integer NOT NULL DEFAULT 0'],
  ['evening_mean_sbp', 'double precision'],
  ['evening_mean_dbp', 'double precision'],
  ['slope_sbp_per_week', 'double precision'],
  ['slope_dbp_per_week', 'double precision'],
  ['adherence', 'double precision NOT NULL DEFAULT 0'],
  ['days_with_sessions', 'integer NOT NULL DEFAULT 0'],
] as const;

const DAILY_COLUMNS = [
  'sessions',
  'session_sum_sbp',
  'session_sum_dbp',
  'session_sum_sbp_sq',
  'session_sum_dbp_sq',
  'morning_sessions',
  'morning_sum_sbp',
  'morning_sum_dbp',
  'evening_sessions',
  'evening_sum_sbp',
  'evening_sum_dbp',
] as const;

/**
 * Feature windows on the patient's own calendar, with what clinical-rules.md and the architecture
 * list for them (libs/observations/src/feature-windows.ts):
 *
 * - observation_daily_aggregates: `day` is now the patient's local day (patients.time_zone), and a
 *   day also keeps its sessions' sums - all, morning, evening - so windows add days up without
 *   reading observations. `stale` marks a day whose readings changed (new rows, entered in error);
 *   the next window update recomputes exactly those days from their readings.
 * - patient_feature_windows: per 7/14/30-day window, session means and their SD (variability),
 *   morning and evening means, the least-squares slope of the daily means (mm[Hg] per week) and
 *   adherence (share of days with a morning and an evening session); `time_zone` they were cut in.
 *
 * Existing daily rows were UTC days and are derived data: they are replaced by stale rows for the
 * local days of the last 31 days' decision readings, recomputed on each patient's next update (a
 * patient's older days are no longer in any window). Existing window rows stay until then.
 */
export class LocalDayFeatureWindows1795392800000 implements MigrationInterface {
  name = 'LocalDayFeatureWindows1795392800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['readings', 'sum_sbp', 'sum_dbp', 'sum_sbp_sq', 'sum_dbp_sq']) {
      await queryRunner.query(`ALTER TABLE "observation_daily_aggregates" ALTER COLUMN "${column}" SET DEFAULT 0`);
    }
    const dailyTypes = (column: string): string => (column.endsWith('sessions') ? 'integer' : 'double precision');
    await queryRunner.query(
      `ALTER TABLE "observation_daily_aggregates" ${[
        ...DAILY_COLUMNS.map((column) => `ADD COLUMN "${column}" ${dailyTypes(column)} NOT NULL DEFAULT 0`),
        `ADD COLUMN "stale" boolean NOT NULL DEFAULT false`,
      ].join(', ')}`,
    );
    await queryRunner.query(
      `ALTER TABLE "patient_feature_windows" ${[
        `ADD COLUMN "time_zone" text NOT NULL DEFAULT 'UTC'`,
        ...WINDOWS.flatMap((days) => WINDOW_COLUMNS.map(([name, type]) => `ADD COLUMN "${name}_${days}d" ${type}`)),
      ].join(', ')}`,
    );
    // Window updates look up a patient's stale days; few rows are stale at any time.
    await queryRunner.query(
      `CREATE INDEX "observation_daily_aggregates_stale" ON "observation_daily_aggregates" ("patient_id") WHERE "stale"`,
    );
    await queryRunner.query(`DELETE FROM "observation_daily_aggregates"`);
    await queryRunner.query(`INSERT INTO "observation_daily_aggregates" ("patient_id", "day", "stale")
      SELECT DISTINCT o."patient_id", (o."measured_at" AT TIME ZONE coalesce(p."time_zone", 'UTC'))::date, true
        FROM "observations" o LEFT JOIN "patients" p ON p."id" = o."patient_id"
       WHERE o."counts_toward_decisions" AND o."measured_at" > now() - interval '31 days'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "observation_daily_aggregates_stale"`);
    await queryRunner.query(
      `ALTER TABLE "patient_feature_windows" ${[
        `DROP COLUMN "time_zone"`,
        ...WINDOWS.flatMap((days) => WINDOW_COLUMNS.map(([name]) => `DROP COLUMN "${name}_${days}d"`)),
      ].join(', ')}`,
    );
    await queryRunner.query(
      `ALTER TABLE "observation_daily_aggregates" ${[...DAILY_COLUMNS, 'stale'].map((column) => `DROP COLUMN "${column}"`).join(', ')}`,
    );
    for (const column of ['readings', 'sum_sbp', 'sum_dbp', 'sum_sbp_sq', 'sum_dbp_sq']) {
      await queryRunner.query(`ALTER TABLE "observation_daily_aggregates" ALTER COLUMN "${column}" DROP DEFAULT`);
    }
  }
}
