import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Feature windows updated from an ingest batch's new readings alone
 * (libs/observations/src/incremental-feature-windows.ts):
 *
 * - observation_daily_aggregates.last_session_*: the day's last session (start, UTC offset there,
 *   reading count and sums), so later readings join it or open sessions after it without reading
 *   the day again. Null on existing rows: such a day is summarized again from its readings the
 *   next time it changes.
 * - patient_feature_windows.window_totals: the sums of the window parts (days 0-6, 7-13, 14-29 ago on
 *   `as_of_day`, little-endian doubles - layout in feature-windows.ts), so a changed day is swapped
 *   into its part. Null on existing rows: the next update sums the patient's days anew and stores them.
 * - Both tables are rewritten in place by every batch for the same patients: free space on each page
 *   (fillfactor) keeps those updates HOT (no index entries written, pages pruned as they go).
 */
export class IncrementalFeatureWindows1795393000000 implements MigrationInterface {
  name = 'IncrementalFeatureWindows1795393000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "observation_daily_aggregates" ADD COLUMN "last_session_started_at" timestamptz,
         ADD COLUMN "last_session_utc_offset_minutes" smallint, ADD COLUMN "last_session_readings" integer,
         ADD COLUMN "last_session_sum_sbp" double precision, ADD COLUMN "last_session_sum_dbp" double precision`,
    );
    await queryRunner.query(`ALTER TABLE "patient_feature_windows" ADD COLUMN "window_totals" bytea`);
    await queryRunner.query(`ALTER TABLE "observation_daily_aggregates" SET (fillfactor = 80)`);
    await queryRunner.query(`ALTER TABLE "patient_feature_windows" SET (fillfactor = 50)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "patient_feature_windows" RESET (fillfactor)`);
    await queryRunner.query(`ALTER TABLE "observation_daily_aggregates" RESET (fillfactor)`);
    await queryRunner.query(`ALTER TABLE "patient_feature_windows" DROP COLUMN "window_totals"`);
    await queryRunner.query(
      `ALTER TABLE "observation_daily_aggregates" DROP COLUMN "last_session_started_at", DROP COLUMN "last_session_utc_offset_minutes",
         DROP COLUMN "last_session_readings", DROP COLUMN "last_session_sum_sbp", DROP COLUMN "last_session_sum_dbp"`,
    );
  }
}
