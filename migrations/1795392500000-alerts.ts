import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Persisted clinical alerts (libs/alerts): one row per alert, open while resolved_at is null,
 * de-duplicated per patient and condition by AlertsService under the patient's row lock. Changes
 * (severity raised, acknowledged, escalated) are recorded in the audit trail.
 */
export class Alerts1795392500000 implements MigrationInterface {
  name = 'Alerts1795392500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "alerts" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "organization_id" uuid NOT NULL,
      "patient_id" uuid NOT NULL,
      "condition" text NOT NULL,
      "severity" text NOT NULL,
      "message" text NOT NULL,
      "rules_version" text NOT NULL,
      "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "notified_member_ids" text array NOT NULL,
      "last_notified_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "acknowledged_at" TIMESTAMP WITH TIME ZONE,
      "acknowledged_by" uuid,
      "care_team_exhausted_at" TIMESTAMP WITH TIME ZONE,
      "resolved_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_alerts" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(`CREATE INDEX "alerts_patient_condition" ON "alerts" ("patient_id", "condition")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "alerts"`);
  }
}
