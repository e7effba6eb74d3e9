import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity and access, second part (issue 5 gaps; docs/decisions/0005-identity-and-access.md):
 * - `download_tickets`: short-lived, single-use links to streamed audit exports (token as SHA-256);
 * - `api_rate_limits`: rate-limit counters shared by all API replicas (UNLOGGED: no WAL, emptied by a
 *   crash, which only resets the windows);
 * - `formulary_drugs`: who changed a version, why, and its e-signature; append-only from now on
 *   (UPDATE, DELETE and TRUNCATE refused by trigger, only SELECT and INSERT for `clinloop_app`).
 * TOTP secrets stay in `user_credentials.totp_secret` but are encrypted by the application (AES-256-GCM,
 * `v1.` prefix); this migration cannot do it - it has no key - so the API seals the old clear ones when
 * it starts (libs/auth/src/totp/totp-secrets.service.ts).
 */
export class IdentityAndAccessGaps1795392700000 implements MigrationInterface {
  name = 'IdentityAndAccessGaps1795392700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "download_tickets" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "token_hash" text NOT NULL,
      "purpose" text NOT NULL,
      "parameters" jsonb NOT NULL,
      "user_id" uuid NOT NULL,
      "organization_id" uuid NOT NULL,
      "session_id" uuid,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "UQ_download_tickets_token_hash" UNIQUE ("token_hash"),
      CONSTRAINT "PK_download_tickets" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_f8ef2ad085b7f6441418ca2d81" ON "download_tickets" ("user_id")`);
    await queryRunner.query(
      `ALTER TABLE "download_tickets" ADD CONSTRAINT "FK_f8ef2ad085b7f6441418ca2d81e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "download_tickets" ADD CONSTRAINT "FK_2f8783a532c81d8ef6ff5222d0f" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    await queryRunner.query(`CREATE UNLOGGED TABLE "api_rate_limits" (
      "key" text NOT NULL,
      "hits" integer NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_api_rate_limits" PRIMARY KEY ("key")
    )`);
    await queryRunner.query(`CREATE INDEX "api_rate_limits_expires_at" ON "api_rate_limits" ("expires_at")`);

    await queryRunner.query(`ALTER TABLE "formulary_drugs" ADD "changed_by" uuid`);
    await queryRunner.query(`ALTER TABLE "formulary_drugs" ADD "change_reason" text`);
    await queryRunner.query(`ALTER TABLE "formulary_drugs" ADD "signature_id" uuid`);
    await queryRunner.query(`CREATE FUNCTION "formulary_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'formulary versions are append-only: % refused', TG_OP;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "formulary_drugs_no_update_delete" BEFORE UPDATE OR DELETE ON "formulary_drugs" FOR EACH ROW EXECUTE FUNCTION "formulary_refuse_change"()`);
    await queryRunner.query(`CREATE TRIGGER "formulary_drugs_no_truncate" BEFORE TRUNCATE ON "formulary_drugs" FOR EACH STATEMENT EXECUTE FUNCTION "formulary_refuse_change"()`);
    await queryRunner.query(`REVOKE ALL ON "formulary_drugs" FROM clinloop_app`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "formulary_drugs" TO clinloop_app`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "formulary_drugs" TO clinloop_app`);
    await queryRunner.query(`DROP TRIGGER "formulary_drugs_no_truncate" ON "formulary_drugs"`);
    await queryRunner.query(`DROP TRIGGER "formulary_drugs_no_update_delete" ON "formulary_drugs"`);
    await queryRunner.query(`DROP FUNCTION "formulary_refuse_change"()`);
    await queryRunner.query(`ALTER TABLE "formulary_drugs" DROP COLUMN "signature_id"`);
    await queryRunner.query(`ALTER TABLE "formulary_drugs" DROP COLUMN "change_reason"`);
    await queryRunner.query(`ALTER TABLE "formulary_drugs" DROP COLUMN "changed_by"`);
    await queryRunner.query(`DROP TABLE "api_rate_limits"`);
    await queryRunner.query(`DROP TABLE "download_tickets"`);
  }
}
