import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '@clinloop/database';
import { MIGRATIONS } from '@clinloop/migrations';
import { createAppDataSource } from '@clinloop/persistence';
import { createEmptyDatabase } from '../support/database';

const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');
const MIGRATION_FILE = /^(\d{13})-[a-z0-9]+(-[a-z0-9]+)*\.ts$/;

describe('migrations', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const dataSource = () => createAppDataSource(database.url, { databasePoolSize: 2 }, 'schema-test');

  beforeAll(async () => {
    database = await createEmptyDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('are all listed, named <timestamp>-<kebab-name>.ts, oldest first', () => {
    const files = readdirSync(MIGRATIONS_DIR).filter((file) => file !== 'index.ts' && file.endsWith('.ts') && !file.endsWith('.spec.ts'));
    for (const file of files) expect(file).toMatch(MIGRATION_FILE);
    const timestamps = files.map((file) => file.slice(0, 13)).sort();
    expect(MIGRATIONS.map((migration) => /(\d{13})$/.exec(migration.name)?.[1])).toEqual(timestamps);
  });

  it('take a fresh database to a schema that matches the entities exactly', async () => {
    const source = dataSource();
    await source.initialize();
    try {
      const applied = await runMigrations(source);
      expect(applied).toHaveLength(MIGRATIONS.length);
      const pending = await source.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
      expect(await runMigrations(source)).toEqual([]);
    } finally {
      await source.destroy();
    }
  });

  it('seed the formulary hard limits from clinical-rules.md', async () => {
    const source = dataSource();
    await source.initialize();
    try {
      const rows = await source.query<{ drug: string; max_daily_mg: string; steps_mg: string[] }[]>(
        'SELECT drug, max_daily_mg, steps_mg FROM formulary_drugs ORDER BY drug',
      );
      expect(rows.map((row) => [row.drug, Number(row.max_daily_mg), row.steps_mg.map(Number)])).toEqual([
        ['amlodipine', 10, [2.5, 5, 10]],
        ['chlorthalidone', 25, [12.5, 25]],
        ['hydrochlorothiazide', 50, [12.5, 25, 50]],
        ['lisinopril', 40, [5, 10, 20, 40]],
        ['losartan', 100, [25, 50, 100]],
      ]);
    } finally {
      await source.destroy();
    }
  });

  it('revert cleanly, newest first', async () => {
    const source = dataSource();
    await source.initialize();
    try {
      for (let i = 0; i < MIGRATIONS.length; i++) await source.undoLastMigration({ transaction: 'each' });
      const tables = await source.query<{ tablename: string }[]>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
      );
      expect(tables).toEqual([]);
    } finally {
      await source.destroy();
    }
  });
});
