import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationRoleUrl, AuditService } from '@clinloop/audit';
import { ObservationPartitionsService, partitionName } from '@clinloop/observations';
import { createAppDataSource } from '@clinloop/persistence';
import { PartitionMaintenance, PartitionMetrics, type PartitionLog } from '@clinloop/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { counterValue, countRows, eventually } from '../support/ingestion-fixtures';

/**
 * The scheduled partition job against real PostgreSQL, as the application role the worker runs as
 * (it may not CREATE in the schema: partitions come from the SECURITY DEFINER function). The clock is
 * injected: "now" is years after the migration's six months ahead, so every month it sees is new.
 */
describe('observation partition job', () => {
  let database: TestDatabase;
  let app: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = createAppDataSource(applicationRoleUrl(database.url), { databasePoolSize: 2 }, 'partition-test');
    await app.initialize();
  });

  afterAll(async () => {
    if (app.isInitialized) await app.destroy();
    await (database as TestDatabase | undefined)?.drop();
  });

  function job(clock: () => Date, logs: { level: string; message: string }[], registry = new Registry()) {
    const log: PartitionLog = (level, message) => logs.push({ level, message });
    return {
      registry,
      maintenance: new PartitionMaintenance({
        service: new ObservationPartitionsService(app, new AuditService(), {
          component: 'worker.partitions',
        }),
        metrics: new PartitionMetrics(registry),
        log,
        clock,
        intervalMs: 50,
      }),
    };
  }

  const partitionExists = async (name: string): Promise<boolean> =>
    (await countRows(
      database.dataSource,
      `SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'observations'::regclass AND c.relname = $1`,
      [name],
    )) === 1;

  const auditEntries = async (): Promise<{ payload: { partitions: string[] }; actor_id: string }[]> =>
    database.dataSource.query(
      `SELECT payload, actor_id FROM audit_entries WHERE action = 'observations.partitions.create' ORDER BY seq`,
    );

  /** A reading straight into the table (the partition job is under test, not ingestion). */
  const storeReading = (measuredAt: string): Promise<unknown> =>
    database.dataSource.query(
      `INSERT INTO observations (patient_id, device_id, device_seq, measured_at, utc_offset_minutes, received_at, source, sbp, dbp, counts_toward_decisions, late)
       VALUES ($1, $2, 1, $3, 0, now(), 'device', 130, 80, false, true)`,
      [randomUUID(), randomUUID(), measuredAt],
    );

  it('creates the missing months ahead once, audited as a system action, and nothing on the next round', async () => {
    const logs: { level: string; message: string }[] = [];
    const { maintenance, registry } = job(() => new Date('2031-03-17T10:00:00Z'), logs);
    const wanted = ['observations_y2031m03', 'observations_y2031m04', 'observations_y2031m05'];
    for (const name of wanted) expect(await partitionExists(name)).toBe(false);

    const first = await maintenance.runOnce();
    expect(first.created).toEqual(wanted);
    for (const name of wanted) expect(await partitionExists(name)).toBe(true);
    expect(await partitionExists('observations_y2031m06')).toBe(false);
    const entries = await auditEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.payload.partitions).toEqual(wanted);
    expect(entries[0]?.actor_id).toBe('worker.partitions');
    expect(await counterValue(registry, 'clinloop_observations_partitions_created_total')).toBe(3);
    expect(
      logs.some((entry) => entry.level === 'info' && entry.message.includes('observations_y2031m05')),
    ).toBe(true);

    const second = await maintenance.runOnce();
    expect(second.created).toEqual([]);
    expect(await auditEntries()).toHaveLength(1);
    expect(await counterValue(registry, 'clinloop_observations_partitions_created_total')).toBe(3);
  });

  it('keeps creating partitions while it runs, as the clock moves into later months', async () => {
    let now = new Date('2032-01-20T00:00:00Z');
    const { maintenance } = job(() => now, []);
    await maintenance.runOnce();
    expect(await partitionExists('observations_y2032m03')).toBe(true);
    expect(await partitionExists('observations_y2032m04')).toBe(false);
    maintenance.start();
    try {
      now = new Date('2032-02-02T00:00:00Z');
      await eventually(async () => {
        expect(await partitionExists('observations_y2032m04')).toBe(true);
      });
    } finally {
      await maintenance.stop();
    }
  });

  it('reports readings that land in DEFAULT, and a month DEFAULT blocks instead of failing the round', async () => {
    const logs: { level: string; message: string }[] = [];
    let now = new Date('2033-06-10T00:00:00Z');
    const { maintenance, registry } = job(() => now, logs);
    const gauge = (name: string) => counterValue(registry, name);
    const first = await maintenance.runOnce();
    expect(first.created).toEqual([
      'observations_y2033m06',
      'observations_y2033m07',
      'observations_y2033m08',
    ]);
    const before = first.defaultRows;

    // A reading older than every partition (a late upload years back) and one of a month ahead that
    // has no partition yet (2033-09): both land in DEFAULT.
    await storeReading('2019-05-01T08:00:00Z');
    await storeReading('2033-09-03T08:00:00Z');
    expect(await countRows(database.dataSource, 'SELECT count(*) FROM observations_default')).toBe(
      before + 2,
    );

    now = new Date('2033-07-10T00:00:00Z');
    const outcome = await maintenance.runOnce();
    expect(outcome.defaultRows).toBe(before + 2);
    expect(outcome.created).toEqual([]);
    expect(outcome.blocked).toEqual([
      { partition: partitionName(new Date('2033-09-01T00:00:00Z')), rowsInDefault: 1 },
    ]);
    expect(await partitionExists('observations_y2033m09')).toBe(false);
    expect(await gauge('clinloop_observations_default_partition_rows')).toBe(before + 2);
    expect(await gauge('clinloop_observations_partitions_blocked_months')).toBe(1);
    expect(
      logs.some(
        (entry) =>
          entry.level === 'warn' && entry.message.startsWith('2 reading(s) landed in observations_default'),
      ),
    ).toBe(true);
    expect(
      logs.some((entry) => entry.level === 'error' && entry.message.includes('observations_y2033m09')),
    ).toBe(true);
  });
});
