import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-patient safety bounds as data (libs/safety-bounds): one row per version, each e-signed by the
 * clinician who authored it. Append-only like the audit trail: UPDATE, DELETE and TRUNCATE are
 * refused by trigger, and the application role `clinloop_app` may only SELECT and INSERT.
 */
export class SafetyBounds1795392400000 implements MigrationInterface {
  name = 'SafetyBounds1795392400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "safety_bounds_versions" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "organization_id" uuid NOT NULL,
      "patient_id" uuid NOT NULL,
      "version" integer NOT NULL,
      "content" jsonb NOT NULL,
      "rules_version" text NOT NULL,
      "authored_by" uuid NOT NULL,
      "signature_id" uuid NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_safety_bounds_versions" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "safety_bounds_versions_patient_version" ON "safety_bounds_versions" ("patient_id", "version")`);
    await queryRunner.query(`CREATE FUNCTION "safety_bounds_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'safety bounds versions are append-only: % refused', TG_OP;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "safety_bounds_versions_no_update_delete" BEFORE UPDATE OR DELETE ON "safety_bounds_versions" FOR EACH ROW EXECUTE FUNCTION "safety_bounds_refuse_change"()`);
    await queryRunner.query(`CREATE TRIGGER "safety_bounds_versions_no_truncate" BEFORE TRUNCATE ON "safety_bounds_versions" FOR EACH STATEMENT EXECUTE FUNCTION "safety_bounds_refuse_change"()`);
    await queryRunner.query(`REVOKE ALL ON "safety_bounds_versions" FROM clinloop_app`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "safety_bounds_versions" TO clinloop_app`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "safety_bounds_versions"`);
    await queryRunner.query(`DROP FUNCTION "safety_bounds_refuse_change"()`);
  }
}
