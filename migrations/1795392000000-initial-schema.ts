import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organizations, users, care teams, patients (time zone, optional fairness demographics, the clinical
 * facts the safety rules need), devices and their bindings, versioned regimens, and the formulary's
 * hard limits seeded from clinical-rules.md (ACC/AHA 2017 and US drug labels).
 */
export class InitialSchema1795392000000 implements MigrationInterface {
  name = 'InitialSchema1795392000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "formulary_drugs" ("drug" text NOT NULL, "version" integer NOT NULL, "drug_class" text NOT NULL, "steps_mg" numeric array NOT NULL, "max_daily_mg" numeric NOT NULL, "note" text NOT NULL, "source" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2d24dc4e5d41ea1752566ef569d" PRIMARY KEY ("drug", "version"))`);
    await queryRunner.query(`CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_963693341bd612aa01ddf3a4b68" UNIQUE ("slug"), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TYPE "public"."user_role" AS ENUM('patient', 'clinician', 'auditor', 'admin')`);
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "email" text NOT NULL, "display_name" text NOT NULL, "role" "public"."user_role" NOT NULL, "patient_id" uuid, "formulary_permission" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_04402eb4cf7be16f6cc5e5f078" ON "users"("organization_id", "email") `);
    await queryRunner.query(`CREATE TABLE "care_teams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a7ac6b60c4356b964e52f760943" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "care_team_members" ("care_team_id" uuid NOT NULL, "user_id" uuid NOT NULL, "escalation_order" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_037983e803dd97c0c74e54218ad" PRIMARY KEY ("care_team_id", "user_id"))`);
    await queryRunner.query(`CREATE TYPE "public"."patient_sex" AS ENUM('female', 'male', 'other', 'unknown')`);
    await queryRunner.query(`CREATE TYPE "public"."pregnancy_status" AS ENUM('pregnant', 'not_pregnant', 'unknown')`);
    await queryRunner.query(`CREATE TABLE "patients" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "mrn" text NOT NULL, "given_name" text NOT NULL, "family_name" text NOT NULL, "time_zone" text NOT NULL, "sex" "public"."patient_sex", "birth_year" smallint, "race_ethnicity" text, "fitzpatrick_skin_type" smallint, "pregnancy_status" "public"."pregnancy_status" NOT NULL DEFAULT 'unknown', "ace_inhibitor_angioedema_history" boolean NOT NULL DEFAULT false, "sulfonamide_allergy" boolean NOT NULL DEFAULT false, "anuria" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a7f0b9fcbb3469d5ec0b0aceaa7" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ebb3c3fdb630f49e3018a12567" ON "patients"("organization_id", "mrn") `);
    await queryRunner.query(`CREATE TABLE "care_team_patients" ("care_team_id" uuid NOT NULL, "patient_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_eee34f8ad3eeea84484895d8556" PRIMARY KEY ("care_team_id", "patient_id"))`);
    await queryRunner.query(`CREATE TYPE "public"."device_kind" AS ENUM('upper_arm_cuff', 'wrist_cuff', 'cuffless_wearable')`);
    await queryRunner.query(`CREATE TABLE "devices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "serial" text NOT NULL, "kind" "public"."device_kind" NOT NULL, "model" text NOT NULL, "validated" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b1514758245c12daf43486dd1f0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_c303fc5fc8f93e8039288efc3a" ON "devices"("organization_id", "serial") `);
    await queryRunner.query(`CREATE TABLE "device_bindings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_id" uuid NOT NULL, "patient_id" uuid NOT NULL, "bound_at" TIMESTAMP WITH TIME ZONE NOT NULL, "unbound_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_da3216f06e41850a9334b6541a3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "device_bindings_one_open_per_device" ON "device_bindings"("device_id") WHERE "unbound_at" IS NULL`);
    await queryRunner.query(`CREATE TABLE "regimen_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "patient_id" uuid NOT NULL, "version" integer NOT NULL, "effective_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_by" uuid, "reason" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ca9eb8e9cd4318ac93256688bbf" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_288ccadbf827ac5f6d402bfd42" ON "regimen_versions"("patient_id", "version") `);
    await queryRunner.query(`CREATE TABLE "regimen_items" ("regimen_version_id" uuid NOT NULL, "drug" text NOT NULL, "daily_dose_mg" numeric NOT NULL, CONSTRAINT "PK_3d1b248f44d16e40f0d1dbdb32e" PRIMARY KEY ("regimen_version_id", "drug"))`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_21a659804ed7bf61eb91688dea7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_825cacf21791a38ce4bfc6a7d65" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "care_teams" ADD CONSTRAINT "FK_2581bb0ddd4279694749e11c7ac" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "care_team_members" ADD CONSTRAINT "FK_ddfaabe72067e1d2ac307b6eee5" FOREIGN KEY ("care_team_id") REFERENCES "care_teams"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "care_team_members" ADD CONSTRAINT "FK_7ea63fa3fe4c05c58aefc56cb58" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "patients" ADD CONSTRAINT "FK_231c2a4693ed4edb7ccf29d9111" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "care_team_patients" ADD CONSTRAINT "FK_4b188fd76e1a76e5bd90a8b8f98" FOREIGN KEY ("care_team_id") REFERENCES "care_teams"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "care_team_patients" ADD CONSTRAINT "FK_a2ce7c8deb92a0cf1abac073d71" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "devices" ADD CONSTRAINT "FK_3f8418d0a8ce1e08098d37c9b67" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "device_bindings" ADD CONSTRAINT "FK_d4815cb727bcf89d8f504c338de" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "device_bindings" ADD CONSTRAINT "FK_b7ddcd852dad37c6b3c6aacf5a3" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "regimen_versions" ADD CONSTRAINT "FK_c34c54fe1ab8ceeb14c9d36e809" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "regimen_versions" ADD CONSTRAINT "FK_e35b119bb8090feebc1a234ad27" FOREIGN KEY ("recorded_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "regimen_items" ADD CONSTRAINT "FK_753edaa4f78e642b8eb80a2bb65" FOREIGN KEY ("regimen_version_id") REFERENCES "regimen_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(
      `INSERT INTO "formulary_drugs" ("drug", "version", "drug_class", "steps_mg", "max_daily_mg", "note", "source") VALUES
        ('lisinopril', 1, 'ACE inhibitor', ARRAY[5, 10, 20, 40]::numeric[], 40, 'ACC/AHA usual 10-40; label: up to 80 gives no greater effect', $1),
        ('losartan', 1, 'ARB', ARRAY[25, 50, 100]::numeric[], 100, '', $1),
        ('amlodipine', 1, 'calcium-channel blocker', ARRAY[2.5, 5, 10]::numeric[], 10, '', $1),
        ('hydrochlorothiazide', 1, 'thiazide', ARRAY[12.5, 25, 50]::numeric[], 50, '', $1),
        ('chlorthalidone', 1, 'thiazide-like', ARRAY[12.5, 25]::numeric[], 25, 'ACC/AHA usual 12.5-25', $1)`,
      [FORMULARY_SOURCE],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "regimen_items" DROP CONSTRAINT "FK_753edaa4f78e642b8eb80a2bb65"`);
    await queryRunner.query(`ALTER TABLE "regimen_versions" DROP CONSTRAINT "FK_e35b119bb8090feebc1a234ad27"`);
    await queryRunner.query(`ALTER TABLE "regimen_versions" DROP CONSTRAINT "FK_c34c54fe1ab8ceeb14c9d36e809"`);
    await queryRunner.query(`ALTER TABLE "device_bindings" DROP CONSTRAINT "FK_b7ddcd852dad37c6b3c6aacf5a3"`);
    await queryRunner.query(`ALTER TABLE "device_bindings" DROP CONSTRAINT "FK_d4815cb727bcf89d8f504c338de"`);
    await queryRunner.query(`ALTER TABLE "devices" DROP CONSTRAINT "FK_3f8418d0a8ce1e08098d37c9b67"`);
    await queryRunner.query(`ALTER TABLE "care_team_patients" DROP CONSTRAINT "FK_a2ce7c8deb92a0cf1abac073d71"`);
    await queryRunner.query(`ALTER TABLE "care_team_patients" DROP CONSTRAINT "FK_4b188fd76e1a76e5bd90a8b8f98"`);
    await queryRunner.query(`ALTER TABLE "patients" DROP CONSTRAINT "FK_231c2a4693ed4edb7ccf29d9111"`);
    await queryRunner.query(`ALTER TABLE "care_team_members" DROP CONSTRAINT "FK_7ea63fa3fe4c05c58aefc56cb58"`);
    await queryRunner.query(`ALTER TABLE "care_team_members" DROP CONSTRAINT "FK_ddfaabe72067e1d2ac307b6eee5"`);
    await queryRunner.query(`ALTER TABLE "care_teams" DROP CONSTRAINT "FK_2581bb0ddd4279694749e11c7ac"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_825cacf21791a38ce4bfc6a7d65"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_21a659804ed7bf61eb91688dea7"`);
    await queryRunner.query(`DROP TABLE "regimen_items"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_288ccadbf827ac5f6d402bfd42"`);
    await queryRunner.query(`DROP TABLE "regimen_versions"`);
    await queryRunner.query(`DROP INDEX "public"."device_bindings_one_open_per_device"`);
    await queryRunner.query(`DROP TABLE "device_bindings"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c303fc5fc8f93e8039288efc3a"`);
    await queryRunner.query(`DROP TABLE "devices"`);
    await queryRunner.query(`DROP TYPE "public"."device_kind"`);
    await queryRunner.query(`DROP TABLE "care_team_patients"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ebb3c3fdb630f49e3018a12567"`);
    await queryRunner.query(`DROP TABLE "patients"`);
    await queryRunner.query(`DROP TYPE "public"."pregnancy_status"`);
    await queryRunner.query(`DROP TYPE "public"."patient_sex"`);
    await queryRunner.query(`DROP TABLE "care_team_members"`);
    await queryRunner.query(`DROP TABLE "care_teams"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_04402eb4cf7be16f6cc5e5f078"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TYPE "public"."user_role"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
    await queryRunner.query(`DROP TABLE "formulary_drugs"`);
  }
}

const FORMULARY_SOURCE =
  'ClinLoop clinical-rules.md formulary v1: ACC/AHA 2017 (Whelton et al., Hypertension 2018;71:e13-e115) usual doses; US drug labels';
