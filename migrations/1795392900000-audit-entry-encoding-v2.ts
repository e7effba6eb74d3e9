import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each audit entry records the encoding its hash was computed under (compliance/audit-export-format.md
 * section 3): the rows written so far are encoding 1 and stay so; the application writes encoding 2
 * and must name it (no default for new rows). Adding the column with a constant default rewrites no
 * row and fires no row trigger, so the append-only triggers stay as they are.
 */
export class AuditEntryEncodingV21795392900000 implements MigrationInterface {
  name = 'AuditEntryEncodingV21795392900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_entries" ADD COLUMN "encoding" smallint NOT NULL DEFAULT 1`);
    await queryRunner.query(`ALTER TABLE "audit_entries" ALTER COLUMN "encoding" DROP DEFAULT`);
    await queryRunner.query(`ALTER TABLE "audit_entries" ADD CONSTRAINT "audit_entries_encoding" CHECK ("encoding" IN (1, 2))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_entries" DROP CONSTRAINT "audit_entries_encoding"`);
    await queryRunner.query(`ALTER TABLE "audit_entries" DROP COLUMN "encoding"`);
  }
}
