import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topicFor, Topics, type Subscription } from '@clinloop/messaging';
import { createAppDataSource } from '@clinloop/persistence';
import { IngestionConsumer, IngestionMetrics } from '@clinloop/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/free-port';
import {
  brokersFromSetup,
  collectTopic,
  counterValue,
  countRows,
  createBoundPatients,
  CuttableTcpProxy,
  eventually,
  ingestService,
  nativeReading,
  testTransport,
  type BoundPatient,
} from '../support/ingestion-fixtures';
import { defined } from '../support/ingestion-assertions';

/**
 * Failures that are not bad input: PostgreSQL going away for a while, and the worker dying between
 * the database commit and the offset commit. Neither may lose, duplicate or dead-letter a reading.
 */
const ROOT = path.resolve(__dirname, '../..');
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

function topicsFor(name: string) {
  return {
    readings: topicFor(Topics.wearableReadings.name, `${name}-${runId}`),
    fhirObservations: topicFor(Topics.fhirObservations.name, `${name}-${runId}`),
    deadLetter: topicFor(Topics.wearableReadingsDeadLetter.name, `${name}-${runId}`),
  };
}

function readings(patient: BoundPatient, fromSequence: number, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    key: patient.patientId,
    value: nativeReading({
      patient,
      sequence: fromSequence + index,
      measuredAt: new Date(Date.now() - (index + 1) * 60_000),
    }),
  }));
}

describe('ingestion under failures', () => {
  const brokers = brokersFromSetup(inject('kafkaBrokers'));
  const transport = testTransport(brokers, `ingest-failures-${runId}`);
  let database: TestDatabase;
  let patients: BoundPatient[];

  beforeAll(async () => {
    database = await createTestDatabase();
    patients = await createBoundPatients(database.dataSource, 2);
  });

  afterAll(async () => {
    await transport.close();
    await (database as TestDatabase | undefined)?.drop();
  });

  it('pauses while PostgreSQL is unreachable and stores everything once it is back, with nothing dead-lettered', async () => {
    const topics = topicsFor('ingest-outage');
    await transport.ensureTopics([
      { topic: topics.readings, partitions: 2 },
      { topic: topics.fhirObservations, partitions: 1 },
      { topic: topics.deadLetter, partitions: 1 },
    ]);
    const patient = defined(patients[0], 'a patient');
    const target = new URL(database.url);
    const proxy = new CuttableTcpProxy(await freePort(), {
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    await proxy.open();
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const proxiedSource: DataSource = createAppDataSource(
      proxied.toString(),
      { databasePoolSize: 2 },
      'ingest-outage',
    );
    await proxiedSource.initialize();
    const registry = new Registry();
    const consumer = new IngestionConsumer({
      transport,
      service: ingestService(proxiedSource),
      topics,
      groupId: `ingest-outage-${runId}`,
      metrics: new IngestionMetrics(registry),
      retryBackoff: { initialMs: 200, maxMs: 1_000 },
      // As production runs (INGEST_PARTITIONS_CONCURRENTLY): each partition fails, pauses and resumes on its own.
      partitionsConcurrently: 2,
    });
    let deadLetters: { messages: unknown[]; subscription: Subscription } | undefined;
    try {
      await consumer.start();
      deadLetters = await collectTopic(transport, topics.deadLetter, `ingest-outage-dlq-${runId}`);
      const count = (): Promise<number> =>
        countRows(database.dataSource, 'SELECT count(*) FROM observations WHERE patient_id = $1', [
          patient.patientId,
        ]);

      await transport.produce(topics.readings, readings(patient, 0, 10));
      await eventually(async () => expect(await count()).toBe(10));

      await proxy.cut();
      await transport.produce(topics.readings, readings(patient, 10, 20));
      // The consumer must have tried (and failed) at least twice while the database was away.
      await eventually(async () =>
        expect(await counterValue(registry, 'clinloop_ingest_batch_failures_total')).toBeGreaterThanOrEqual(
          2,
        ),
      );
      expect(await count()).toBe(10);

      await proxy.open();
      await eventually(async () => expect(await count()).toBe(30));
      const distinct = await countRows(
        database.dataSource,
        'SELECT count(DISTINCT device_seq) FROM observations WHERE patient_id = $1',
        [patient.patientId],
      );
      expect(distinct).toBe(30);
      // Let any stray dead letter arrive before asserting there is none.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(deadLetters.messages).toHaveLength(0);
      expect(await counterValue(registry, 'clinloop_ingest_dead_lettered_total')).toBe(0);
    } finally {
      await deadLetters?.subscription.stop();
      await consumer.stop();
      await proxiedSource.destroy().catch(() => undefined);
      await proxy.cut();
    }
  }, 120_000);

  it('loses and duplicates nothing when killed between the database commit and the offset commit', async () => {
    const topics = topicsFor('ingest-crash');
    await transport.ensureTopics([
      { topic: topics.readings, partitions: 1 },
      { topic: topics.fhirObservations, partitions: 1 },
      { topic: topics.deadLetter, partitions: 1 },
    ]);
    const patient = defined(patients[1], 'a patient');
    const groupId = `ingest-crash-${runId}`;
    const env = {
      ...process.env,
      SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      INGEST_TEST_TOPICS: JSON.stringify(topics),
      INGEST_CONSUMER_GROUP: groupId,
    };
    const startWorker = (extra: Record<string, string>): ChildProcess =>
      spawn(
        process.execPath,
        ['-r', '@swc-node/register', path.join(ROOT, 'test/support/ingestion-worker-process.ts')],
        {
          cwd: ROOT,
          env: { ...env, ...extra },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
      new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const count = (): Promise<number> =>
      countRows(database.dataSource, 'SELECT count(*) FROM observations WHERE patient_id = $1', [
        patient.patientId,
      ]);

    await transport.produce(topics.readings, readings(patient, 0, 60));
    const doomed = startWorker({ INGEST_FAILPOINT: 'kill-after-db-commit' });
    let doomedErr = '';
    doomed.stderr?.on('data', (chunk: Buffer) => (doomedErr += chunk.toString()));
    const death = await exited(doomed);
    expect(death.signal, doomedErr).toBe('SIGKILL');
    const committedBeforeDeath = await count();
    expect(committedBeforeDeath).toBeGreaterThan(0);

    await transport.produce(topics.readings, readings(patient, 60, 40));
    const survivor = startWorker({});
    try {
      await eventually(async () => expect(await count()).toBe(100), 90_000);
      expect(
        await countRows(
          database.dataSource,
          'SELECT count(DISTINCT device_seq) FROM observations WHERE patient_id = $1',
          [patient.patientId],
        ),
      ).toBe(100);
      // The audit trail lists each stored reading exactly once, across the crash.
      const [audited] = await database.dataSource.query<{ total: string }[]>(
        `SELECT coalesce(sum((payload->>'count')::int), 0) AS total FROM audit_entries WHERE action = 'observations.ingest' AND resource_id LIKE $1`,
        [`${topics.readings}:%`],
      );
      expect(Number(audited?.total)).toBe(100);
    } finally {
      survivor.kill('SIGTERM');
      await exited(survivor);
    }
  }, 180_000);
});
