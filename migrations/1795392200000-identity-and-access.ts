import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity and access (issue 5, docs/decisions/0005-identity-and-access.md): credentials (scrypt
 * password hash, lockout, TOTP), sign-in sessions and their rotating refresh tokens, integrator
 * clients, break-glass grants and electronic signatures; users can be deactivated. Generated from
 * the entities with TypeORM's schema builder.
 */
export class IdentityAndAccess1795392200000 implements MigrationInterface {
  name = 'IdentityAndAccess1795392200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "break_glass_grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "user_id" uuid NOT NULL, "patient_id" uuid NOT NULL, "reason" text NOT NULL, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b02d16f7854de523ef0f7ba9799" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_f737edf0d3404568ee1e24021f" ON "break_glass_grants"  ("organization_id", "opened_at")`);
    await queryRunner.query(`CREATE INDEX "IDX_ec969679b3a755bfebce48010a" ON "break_glass_grants"  ("user_id", "expires_at")`);
    await queryRunner.query(`CREATE TABLE "integrator_clients" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" text NOT NULL, "client_id" text NOT NULL, "secret_hash" text NOT NULL, "scopes" text array NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by" uuid, CONSTRAINT "UQ_6d45f1896524b55c9d7267256c1" UNIQUE ("client_id"), CONSTRAINT "PK_b4e8dc940a9c972c295e4f2b3ce" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TYPE "public"."session_end_reason" AS ENUM('signed_out', 'idle_timeout', 'refresh_token_reuse', 'password_changed', 'deactivated', 'unlocked_by_admin')`);
    await queryRunner.query(`CREATE TABLE "auth_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "authentication_methods" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_activity_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "end_reason" "public"."session_end_reason", CONSTRAINT "PK_641507381f32580e8479efc36cd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_b9b3da633a45b24c4d50dd3971" ON "auth_sessions"  ("user_id", "created_at")`);
    await queryRunner.query(`CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "session_id" uuid NOT NULL, "token_hash" text NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_a7838d2ba25be1342091b6695f1" UNIQUE ("token_hash"), CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_3bf308fa93da3966f9e76fcfba" ON "refresh_tokens"  ("session_id")`);
    await queryRunner.query(`CREATE TABLE "user_credentials" ("user_id" uuid NOT NULL, "password_hash" text NOT NULL, "password_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "must_change_password" boolean NOT NULL DEFAULT false, "failed_sign_in_count" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "totp_secret" text, "totp_last_step" integer, "signing_failure_count" integer NOT NULL DEFAULT '0', "signing_locked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_dd0918407944553611bb3eb3ddc" PRIMARY KEY ("user_id"))`);
    await queryRunner.query(`CREATE TYPE "public"."signature_meaning" AS ENUM('approved', 'authored', 'reviewed')`);
    await queryRunner.query(`CREATE TABLE "electronic_signatures" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "signer_id" uuid NOT NULL, "printed_name" text NOT NULL, "meaning" "public"."signature_meaning" NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "record_type" text NOT NULL, "record_id" text NOT NULL, "patient_id" uuid, "content_hash" text NOT NULL, CONSTRAINT "PK_8f8ed6e1bb523e9d18c693e8431" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_e4c615288038336316b648b0f6" ON "electronic_signatures"  ("record_type", "record_id")`);
    await queryRunner.query(`ALTER TABLE "users" ADD "deactivated_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "break_glass_grants" ADD CONSTRAINT "FK_2f113e9e59a0f07228bfa01f7e0" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "break_glass_grants" ADD CONSTRAINT "FK_abf9d468e636561364856a8d24b" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "break_glass_grants" ADD CONSTRAINT "FK_ccfe0e44b67cdace16fb606724d" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "integrator_clients" ADD CONSTRAINT "FK_d3233255bdcedcbd5b245c6d11d" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "integrator_clients" ADD CONSTRAINT "FK_07e70b24ff6b3e14812c4726ef1" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "integrator_clients" ADD CONSTRAINT "FK_6f33d0af98cad098b5605181570" FOREIGN KEY ("revoked_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "auth_sessions" ADD CONSTRAINT "FK_50ccaa6440288a06f0ba693ccc6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "auth_sessions" ADD CONSTRAINT "FK_e673041b9723dc97e7cf88d4052" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4" FOREIGN KEY ("session_id") REFERENCES "auth_sessions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "user_credentials" ADD CONSTRAINT "FK_dd0918407944553611bb3eb3ddc" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "electronic_signatures" ADD CONSTRAINT "FK_23d116954b7182c0e6bf037c283" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "electronic_signatures" ADD CONSTRAINT "FK_28a22fc058da3405eb4b72aa1a8" FOREIGN KEY ("signer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "electronic_signatures" DROP CONSTRAINT "FK_28a22fc058da3405eb4b72aa1a8"`);
    await queryRunner.query(`ALTER TABLE "electronic_signatures" DROP CONSTRAINT "FK_23d116954b7182c0e6bf037c283"`);
    await queryRunner.query(`ALTER TABLE "user_credentials" DROP CONSTRAINT "FK_dd0918407944553611bb3eb3ddc"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4"`);
    await queryRunner.query(`ALTER TABLE "auth_sessions" DROP CONSTRAINT "FK_e673041b9723dc97e7cf88d4052"`);
    await queryRunner.query(`ALTER TABLE "auth_sessions" DROP CONSTRAINT "FK_50ccaa6440288a06f0ba693ccc6"`);
    await queryRunner.query(`ALTER TABLE "integrator_clients" DROP CONSTRAINT "FK_6f33d0af98cad098b5605181570"`);
    await queryRunner.query(`ALTER TABLE "integrator_clients" DROP CONSTRAINT "FK_07e70b24ff6b3e14812c4726ef1"`);
    await queryRunner.query(`ALTER TABLE "integrator_clients" DROP CONSTRAINT "FK_d3233255bdcedcbd5b245c6d11d"`);
    await queryRunner.query(`ALTER TABLE "break_glass_grants" DROP CONSTRAINT "FK_ccfe0e44b67cdace16fb606724d"`);
    await queryRunner.query(`ALTER TABLE "break_glass_grants" DROP CONSTRAINT "FK_abf9d468e636561364856a8d24b"`);
    await queryRunner.query(`ALTER TABLE "break_glass_grants" DROP CONSTRAINT "FK_2f113e9e59a0f07228bfa01f7e0"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "deactivated_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e4c615288038336316b648b0f6"`);
    await queryRunner.query(`DROP TABLE "electronic_signatures"`);
    await queryRunner.query(`DROP TYPE "public"."signature_meaning"`);
    await queryRunner.query(`DROP TABLE "user_credentials"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3bf308fa93da3966f9e76fcfba"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_b9b3da633a45b24c4d50dd3971"`);
    await queryRunner.query(`DROP TABLE "auth_sessions"`);
    await queryRunner.query(`DROP TYPE "public"."session_end_reason"`);
    await queryRunner.query(`DROP TABLE "integrator_clients"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ec969679b3a755bfebce48010a"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_f737edf0d3404568ee1e24021f"`);
    await queryRunner.query(`DROP TABLE "break_glass_grants"`);
  }
}
