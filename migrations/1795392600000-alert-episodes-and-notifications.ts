import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts raised from ingested readings (libs/observations reading-alerts, libs/alerts):
 * - alerts: who resolved an alert and why (resolving frees the de-duplication slot and stops escalation).
 * - alert_episodes: one row per hypertensive-crisis episode, keyed by its triggering reading, so an
 *   episode raises at most one alert however often ingestion or the sweep looks at it - even after that
 *   alert was acknowledged or resolved. Open (decided_at null) until confirmed, not confirmed, or due.
 * - alert_notifications: the notification outbox. Written in the alert's transaction, delivered after
 *   commit by the worker through the configured channel; a failed delivery is retried and never rolls
 *   the alert back. Holds identifiers and codes only, no readings.
 */
export class AlertEpisodesAndNotifications1795392600000 implements MigrationInterface {
  name = 'AlertEpisodesAndNotifications1795392600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "alerts" ADD "resolved_by" uuid`);
    await queryRunner.query(`ALTER TABLE "alerts" ADD "resolution_reason" text`);
    await queryRunner.query(`CREATE TABLE "alert_episodes" (
      "condition" text NOT NULL,
      "episode_key" text NOT NULL,
      "patient_id" uuid NOT NULL,
      "opened_at" timestamptz NOT NULL,
      "remeasure_from" timestamptz NOT NULL,
      "due_at" timestamptz NOT NULL,
      "status" text NOT NULL,
      "remeasure_count" integer NOT NULL DEFAULT 0,
      "decided_at" timestamptz,
      "alert_id" uuid,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "alert_episodes_pkey" PRIMARY KEY ("condition", "episode_key"),
      CONSTRAINT "alert_episodes_status" CHECK ("status" IN ('AWAITING_REMEASURE', 'CONFIRMED', 'NOT_CONFIRMED', 'NO_REMEASURE', 'WITHDRAWN'))
    )`);
    await queryRunner.query(`CREATE INDEX "alert_episodes_due" ON "alert_episodes" ("due_at") WHERE "decided_at" IS NULL`);
    await queryRunner.query(`CREATE INDEX "alert_episodes_patient_opened" ON "alert_episodes" ("patient_id", "opened_at")`);
    await queryRunner.query(`CREATE TABLE "alert_notifications" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "alert_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "organization_id" uuid NOT NULL,
      "patient_id" uuid NOT NULL,
      "recipient_user_id" uuid NOT NULL,
      "condition" text NOT NULL,
      "severity" text NOT NULL,
      "created_at" timestamptz NOT NULL,
      "next_attempt_at" timestamptz NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "delivered_at" timestamptz,
      "channel" text,
      "last_error" text,
      CONSTRAINT "alert_notifications_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "alert_notifications_kind" CHECK ("kind" IN ('RAISED', 'WORSENED', 'ESCALATED'))
    )`);
    await queryRunner.query(`CREATE INDEX "alert_notifications_pending" ON "alert_notifications" ("next_attempt_at") WHERE "delivered_at" IS NULL`);
    await queryRunner.query(`CREATE INDEX "alert_notifications_alert" ON "alert_notifications" ("alert_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "alert_notifications"`);
    await queryRunner.query(`DROP TABLE "alert_episodes"`);
    await queryRunner.query(`ALTER TABLE "alerts" DROP COLUMN "resolution_reason"`);
    await queryRunner.query(`ALTER TABLE "alerts" DROP COLUMN "resolved_by"`);
  }
}
