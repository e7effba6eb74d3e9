import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tamper-evident audit trail (libs/audit, docs/decisions/0003-audit-trail.md): the hash-chained
 * entries, the one-row chain head whose row lock orders appends, the Merkle nodes and the signed
 * checkpoints. All four refuse UPDATE, DELETE and TRUNCATE by trigger (the head may only move
 * forward), and the application role `clinloop_app` gets no UPDATE, DELETE or TRUNCATE on them.
 * Raw SQL on purpose: no TypeORM entity maps these tables, so the entity/migration diff ignores them.
 */
export class AuditTrail1795392100000 implements MigrationInterface {
  name = 'AuditTrail1795392100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Roles are cluster-wide: another database of the same server may have created it already,
    // possibly at this very moment (parallel test databases), hence the two exceptions.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clinloop_app') THEN
          CREATE ROLE clinloop_app NOLOGIN;
        END IF;
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'The migration user may not create the role clinloop_app'
            USING HINT = 'Have an administrator run: CREATE ROLE clinloop_app NOLOGIN; (see docs/decisions/0003-audit-trail.md)';
      END $$`);
    // A migration user that is not a superuser needs membership to SET ROLE clinloop_app.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          EXECUTE format('GRANT clinloop_app TO %I', current_user);
        END IF;
      EXCEPTION WHEN insufficient_privilege OR duplicate_object THEN NULL;
      END $$`);

    await queryRunner.query(`CREATE TABLE "audit_entries" (
      "seq" bigint NOT NULL,
      "recorded_at" timestamptz NOT NULL,
      "actor_type" text NOT NULL,
      "actor_id" text NOT NULL,
      "actor_role" text,
      "actor_organization_id" uuid,
      "action" text NOT NULL,
      "resource_type" text NOT NULL,
      "resource_id" text,
      "patient_id" uuid,
      "outcome" text NOT NULL,
      "reason" text,
      "request_id" text,
      "payload" jsonb NOT NULL,
      "prev_hash" bytea NOT NULL,
      "hash" bytea NOT NULL,
      CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("seq"),
      CONSTRAINT "audit_entries_seq_positive" CHECK ("seq" > 0),
      CONSTRAINT "audit_entries_actor_type" CHECK ("actor_type" IN ('user', 'system')),
      CONSTRAINT "audit_entries_outcome" CHECK ("outcome" IN ('success', 'failure', 'denied')),
      CONSTRAINT "audit_entries_payload_object" CHECK (jsonb_typeof("payload") = 'object'),
      CONSTRAINT "audit_entries_hash_sizes" CHECK (octet_length("hash") = 32 AND octet_length("prev_hash") = 32)
    )`);
    // The export filters: who saw this patient, what did this user do, every use of this action, a time window.
    await queryRunner.query(`CREATE INDEX "audit_entries_patient" ON "audit_entries" ("patient_id", "seq") WHERE "patient_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "audit_entries_actor" ON "audit_entries" ("actor_id", "seq")`);
    await queryRunner.query(`CREATE INDEX "audit_entries_action" ON "audit_entries" ("action", "seq")`);
    await queryRunner.query(`CREATE INDEX "audit_entries_recorded_at" ON "audit_entries" ("recorded_at")`);

    await queryRunner.query(`CREATE TABLE "audit_chain_head" (
      "id" smallint NOT NULL,
      "last_seq" bigint NOT NULL,
      "last_hash" bytea NOT NULL,
      CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "audit_chain_head_single_row" CHECK ("id" = 1),
      CONSTRAINT "audit_chain_head_hash_size" CHECK (octet_length("last_hash") = 32)
    )`);
    await queryRunner.query(`INSERT INTO "audit_chain_head" ("id", "last_seq", "last_hash") VALUES (1, 0, decode(repeat('00', 32), 'hex'))`);

    await queryRunner.query(`CREATE TABLE "audit_merkle_nodes" (
      "level" smallint NOT NULL,
      "idx" bigint NOT NULL,
      "hash" bytea NOT NULL,
      CONSTRAINT "audit_merkle_nodes_pkey" PRIMARY KEY ("level", "idx"),
      CONSTRAINT "audit_merkle_nodes_inner_only" CHECK ("level" BETWEEN 1 AND 62),
      CONSTRAINT "audit_merkle_nodes_hash_size" CHECK (octet_length("hash") = 32)
    )`);

    await queryRunner.query(`CREATE TABLE "audit_checkpoints" (
      "tree_size" bigint NOT NULL,
      "root_hash" bytea NOT NULL,
      "last_seq" bigint NOT NULL,
      "last_entry_hash" bytea NOT NULL,
      "issued_at" timestamptz NOT NULL,
      "key_id" text NOT NULL,
      "signature" bytea NOT NULL,
      CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("tree_size"),
      CONSTRAINT "audit_checkpoints_size" CHECK ("tree_size" >= 0 AND "last_seq" = "tree_size"),
      CONSTRAINT "audit_checkpoints_sizes" CHECK (octet_length("root_hash") = 32 AND octet_length("last_entry_hash") = 32 AND octet_length("signature") = 64)
    )`);

    await queryRunner.query(`CREATE FUNCTION "audit_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit trail table % is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'Audit entries are never changed or removed; record a correcting entry instead.';
      END $$`);
    await queryRunner.query(`CREATE FUNCTION "audit_chain_head_forward_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id <> OLD.id OR NEW.last_seq <= OLD.last_seq THEN
          RAISE EXCEPTION 'the audit chain head only moves forward (from % to % refused)', OLD.last_seq, NEW.last_seq
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    for (const table of APPEND_ONLY_TABLES) {
      await queryRunner.query(`CREATE TRIGGER "${table}_no_update_delete" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "audit_refuse_change"()`);
      await queryRunner.query(`CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`);
    }
    await queryRunner.query(`CREATE TRIGGER "audit_chain_head_no_delete" BEFORE DELETE ON "audit_chain_head" FOR EACH ROW EXECUTE FUNCTION "audit_refuse_change"()`);
    await queryRunner.query(`CREATE TRIGGER "audit_chain_head_no_truncate" BEFORE TRUNCATE ON "audit_chain_head" FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`);
    await queryRunner.query(`CREATE TRIGGER "audit_chain_head_forward" BEFORE UPDATE ON "audit_chain_head" FOR EACH ROW EXECUTE FUNCTION "audit_chain_head_forward_only"()`);

    // The application role: ordinary rights on the product's tables, now and later (tables this
    // migration user creates), append-only rights on the audit trail, nothing on the migrations table.
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO clinloop_app`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clinloop_app`);
    await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO clinloop_app`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO clinloop_app`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO clinloop_app`);
    await queryRunner.query(`REVOKE ALL ON "schema_migrations" FROM clinloop_app`);
    await queryRunner.query(`GRANT SELECT ON "schema_migrations" TO clinloop_app`);
    for (const table of APPEND_ONLY_TABLES) {
      await queryRunner.query(`REVOKE ALL ON "${table}" FROM clinloop_app`);
      await queryRunner.query(`GRANT SELECT, INSERT ON "${table}" TO clinloop_app`);
    }
    await queryRunner.query(`REVOKE ALL ON "audit_chain_head" FROM clinloop_app`);
    await queryRunner.query(`GRANT SELECT, UPDATE ON "audit_chain_head" TO clinloop_app`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM clinloop_app`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM clinloop_app`);
    await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM clinloop_app`);
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM clinloop_app`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM clinloop_app`);
    await queryRunner.query(`DROP TABLE "audit_checkpoints"`);
    await queryRunner.query(`DROP TABLE "audit_merkle_nodes"`);
    await queryRunner.query(`DROP TABLE "audit_chain_head"`);
    await queryRunner.query(`DROP TABLE "audit_entries"`);
    await queryRunner.query(`DROP FUNCTION "audit_chain_head_forward_only"()`);
    await queryRunner.query(`DROP FUNCTION "audit_refuse_change"()`);
    // The role stays: it is cluster-wide and other databases of this server may use it.
  }
}

const APPEND_ONLY_TABLES = ['audit_entries', 'audit_merkle_nodes', 'audit_checkpoints'] as const;
