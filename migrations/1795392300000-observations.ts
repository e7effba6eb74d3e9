import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Readings storage for wearable ingestion (libs/observations, docs/decisions/0006-ingestion.md).
 * Raw SQL without TypeORM entities on purpose: TypeORM cannot describe a partitioned table, and
 * the ingest path writes with one set-based INSERT per batch, not through entities.
 *
 * - observations: monthly RANGE partitions on measured_at (created ahead by
 *   ensure_observation_partitions, which the worker also calls at start) plus a DEFAULT partition
 *   so a reading outside every partition is still stored. Idempotence key (device_id, device_seq,
 *   measured_at): a unique index on a partitioned table must contain the partition column.
 * - observation_corrections: append-only "entered in error" marks with their reason; the reading
 *   itself is never updated or deleted.
 * - observation_daily_aggregates + patient_feature_windows: incremental per-patient sums fed only by
 *   newly inserted rows; windows are recomputed from at most 30 daily rows, never from history.
 * - inference_queue: at most one pending entry per patient.
 * - manual_reading_submissions: idempotency keys of manual entries.
 */
export class Observations1795392300000 implements MigrationInterface {
  name = 'Observations1795392300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "observations" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "patient_id" uuid NOT NULL,
      "device_id" uuid,
      "device_seq" bigint,
      "measured_at" timestamptz NOT NULL,
      "utc_offset_minutes" smallint NOT NULL,
      "received_at" timestamptz NOT NULL,
      "stored_at" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "source" text NOT NULL,
      "device_kind" "public"."device_kind",
      "sbp" double precision,
      "dbp" double precision,
      "heart_rate" double precision,
      "steps" integer,
      "original_pressure_unit" text,
      "original_sbp" double precision,
      "original_dbp" double precision,
      "body_position" text,
      "firmware" text,
      "counts_toward_decisions" boolean NOT NULL,
      "late" boolean NOT NULL,
      CONSTRAINT "observations_pkey" PRIMARY KEY ("id", "measured_at"),
      CONSTRAINT "observations_source" CHECK ("source" IN ('device', 'fhir', 'manual')),
      CONSTRAINT "observations_device_identity" CHECK (("device_id" IS NULL) = ("device_seq" IS NULL) AND ("device_id" IS NOT NULL OR "source" = 'manual')),
      CONSTRAINT "observations_has_value" CHECK ("sbp" IS NOT NULL OR "heart_rate" IS NOT NULL OR "steps" IS NOT NULL)
    ) PARTITION BY RANGE ("measured_at")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "observations_device_reading_key" ON "observations" ("device_id", "device_seq", "measured_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "observations_patient_time" ON "observations" ("patient_id", "measured_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "observations_measured_at_brin" ON "observations" USING brin ("measured_at")`,
    );
    await queryRunner.query(`CREATE TABLE "observations_default" PARTITION OF "observations" DEFAULT`);

    // SECURITY DEFINER: the application role may not CREATE in the schema, yet the worker must be
    // able to add next months' partitions at start. The function only ever creates monthly
    // partitions of this one table, with a fixed search_path.
    await queryRunner.query(`CREATE FUNCTION "ensure_observation_partitions"("from_month" date, "months" integer)
      RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      DECLARE
        month_start date;
        partition_name text;
        created integer := 0;
      BEGIN
        FOR i IN 0 .. months - 1 LOOP
          month_start := (date_trunc('month', from_month) + make_interval(months => i))::date;
          partition_name := format('observations_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
          IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF observations FOR VALUES FROM (%L) TO (%L)',
              partition_name, month_start::timestamp AT TIME ZONE 'UTC', (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC');
            created := created + 1;
          END IF;
        END LOOP;
        RETURN created;
      END $$`);
    // A year back (late uploads, simulations) and six months ahead; older readings land in DEFAULT.
    await queryRunner.query(
      `SELECT "ensure_observation_partitions"((date_trunc('month', now()) - interval '12 months')::date, 19)`,
    );
    await queryRunner.query(
      `REVOKE ALL ON FUNCTION "ensure_observation_partitions"(date, integer) FROM PUBLIC`,
    );
    await queryRunner.query(
      `GRANT EXECUTE ON FUNCTION "ensure_observation_partitions"(date, integer) TO clinloop_app`,
    );

    await queryRunner.query(`CREATE TABLE "observation_corrections" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "observation_id" uuid NOT NULL,
      "observation_measured_at" timestamptz NOT NULL,
      "patient_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "reason" text NOT NULL,
      "actor_type" text NOT NULL,
      "actor_id" text NOT NULL,
      "recorded_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "observation_corrections_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "observation_corrections_kind" CHECK ("kind" IN ('entered_in_error')),
      CONSTRAINT "observation_corrections_reason" CHECK (length(btrim("reason")) > 0),
      CONSTRAINT "observation_corrections_once" UNIQUE ("observation_id", "kind"),
      CONSTRAINT "observation_corrections_observation" FOREIGN KEY ("observation_id", "observation_measured_at") REFERENCES "observations" ("id", "measured_at") ON DELETE RESTRICT
    )`);
    await queryRunner.query(`CREATE FUNCTION "observation_corrections_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'observation_corrections is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "observation_corrections_no_update_delete" BEFORE UPDATE OR DELETE ON "observation_corrections" FOR EACH ROW EXECUTE FUNCTION "observation_corrections_refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "observation_corrections_no_truncate" BEFORE TRUNCATE ON "observation_corrections" FOR EACH STATEMENT EXECUTE FUNCTION "observation_corrections_refuse_change"()`,
    );
    await queryRunner.query(`CREATE VIEW "observations_current" AS
      SELECT o.*, (c.id IS NOT NULL) AS "entered_in_error", c.reason AS "entered_in_error_reason"
      FROM "observations" o LEFT JOIN "observation_corrections" c ON c.observation_id = o.id AND c.kind = 'entered_in_error'`);

    await queryRunner.query(`CREATE TABLE "observation_daily_aggregates" (
      "patient_id" uuid NOT NULL,
      "day" date NOT NULL,
      "readings" integer NOT NULL,
      "sum_sbp" double precision NOT NULL,
      "sum_dbp" double precision NOT NULL,
      "sum_sbp_sq" double precision NOT NULL,
      "sum_dbp_sq" double precision NOT NULL,
      CONSTRAINT "observation_daily_aggregates_pkey" PRIMARY KEY ("patient_id", "day")
    )`);
    await queryRunner.query(`CREATE TABLE "patient_feature_windows" (
      "patient_id" uuid NOT NULL,
      "as_of_day" date NOT NULL,
      "updated_at" timestamptz NOT NULL,
      "updates" bigint NOT NULL DEFAULT 1,
      "readings_7d" integer NOT NULL, "mean_sbp_7d" double precision, "mean_dbp_7d" double precision, "sd_sbp_7d" double precision, "sd_dbp_7d" double precision,
      "readings_14d" integer NOT NULL, "mean_sbp_14d" double precision, "mean_dbp_14d" double precision, "sd_sbp_14d" double precision, "sd_dbp_14d" double precision,
      "readings_30d" integer NOT NULL, "mean_sbp_30d" double precision, "mean_dbp_30d" double precision, "sd_sbp_30d" double precision, "sd_dbp_30d" double precision,
      CONSTRAINT "patient_feature_windows_pkey" PRIMARY KEY ("patient_id")
    )`);
    await queryRunner.query(`CREATE TABLE "inference_queue" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "patient_id" uuid NOT NULL,
      "reason" text NOT NULL,
      "enqueued_at" timestamptz NOT NULL DEFAULT now(),
      "completed_at" timestamptz,
      CONSTRAINT "inference_queue_pkey" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "inference_queue_one_pending_per_patient" ON "inference_queue" ("patient_id") WHERE "completed_at" IS NULL`,
    );
    await queryRunner.query(`CREATE TABLE "manual_reading_submissions" (
      "patient_id" uuid NOT NULL,
      "idempotency_key" text NOT NULL,
      "request_hash" text NOT NULL,
      "observation_id" uuid NOT NULL,
      "observation_measured_at" timestamptz NOT NULL,
      "submitted_by" text NOT NULL,
      "submitted_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "manual_reading_submissions_pkey" PRIMARY KEY ("patient_id", "idempotency_key")
    )`);
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "observation_corrections" FROM clinloop_app`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "manual_reading_submissions"`);
    await queryRunner.query(`DROP TABLE "inference_queue"`);
    await queryRunner.query(`DROP TABLE "patient_feature_windows"`);
    await queryRunner.query(`DROP TABLE "observation_daily_aggregates"`);
    await queryRunner.query(`DROP VIEW "observations_current"`);
    await queryRunner.query(`DROP TABLE "observation_corrections"`);
    await queryRunner.query(`DROP FUNCTION "observation_corrections_refuse_change"()`);
    await queryRunner.query(`DROP FUNCTION "ensure_observation_partitions"(date, integer)`);
    await queryRunner.query(`DROP TABLE "observations"`);
  }
}
