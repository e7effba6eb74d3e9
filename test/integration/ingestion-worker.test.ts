import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '@clinloop/config';
import { Topics } from '@clinloop/messaging';
import { createLogger, createMetricsRegistry } from '@clinloop/observability';
import { createWorker, type Worker } from '@clinloop/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/free-port';
import { defined } from '../support/ingestion-assertions';
import {
  brokersFromSetup,
  countRows,
  createBoundPatients,
  eventually,
  nativeReading,
  testTransport,
} from '../support/ingestion-fixtures';

/**
 * The worker process as `clinloop start` builds it: on start() it ensures the topics and the next
 * partitions and runs the ingestion consumer on the real topic names; /metrics shows the ingest
 * metrics. (The other ingestion tests use topics of their own; this one uses the declared ones with a
 * consumer group of its own.)
 */
describe('worker ingestion wiring', () => {
  const brokers = brokersFromSetup(inject('kafkaBrokers'));
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const transport = testTransport(brokers, `ingest-worker-${runId}`);
  let database: TestDatabase;
  let worker: Worker | undefined;
  let port: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      WORKER_PORT: String(port),
      KAFKA_BROKERS: brokers.join(','),
      INGEST_CONSUMER_GROUP: `ingest-worker-${runId}`,
    });
    worker = createWorker({
      config,
      dataSource: database.dataSource,
      transport,
      logger: createLogger({ level: 'silent', component: 'worker' }),
      metrics: createMetricsRegistry('worker'),
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await transport.close();
    await (database as TestDatabase | undefined)?.drop();
  });

  it('consumes wearable.readings.v1 into PostgreSQL and reports it on /metrics', async () => {
    const patient = defined((await createBoundPatients(database.dataSource, 1))[0], 'a patient');
    await transport.produce(Topics.wearableReadings.name, [
      {
        key: patient.patientId,
        value: nativeReading({ patient, sequence: 1, measuredAt: new Date(Date.now() - 5_000) }),
      },
    ]);
    await eventually(async () => {
      expect(
        await countRows(database.dataSource, 'SELECT count(*) FROM observations WHERE patient_id = $1', [
          patient.patientId,
        ]),
      ).toBe(1);
    });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/clinloop_ingest_readings_stored_total\{[^}]*\} 1/);
    expect(metrics).toContain('clinloop_ingest_measured_to_stored_seconds_bucket');
    expect(metrics).toContain('clinloop_ingest_consumer_lag_seconds');
    // The latency's two parts on the worker's side: waiting for the batch to start, and the batch itself.
    expect(metrics).toMatch(/clinloop_ingest_batch_wait_seconds_count(\{[^}]*\})? [1-9]\d*\n/);
    expect(metrics).toMatch(/clinloop_ingest_batch_seconds_count(\{[^}]*\})? [1-9]\d*\n/);
    // Caught up: the partition that carried the reading has nothing left to read.
    expect(metrics).toMatch(
      /clinloop_ingest_consumer_lag_messages\{[^}]*topic="wearable\.readings\.v1"[^}]*\} 0\n/,
    );
    expect(metrics).toMatch(/clinloop_observations_default_partition_rows\{[^}]*\} \d+/);
    // The worker made sure next months' partitions exist.
    const next = new Date();
    next.setUTCMonth(next.getUTCMonth() + 2, 1);
    const name = `observations_y${next.getUTCFullYear()}m${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(
      await countRows(database.dataSource, 'SELECT count(*) FROM pg_class WHERE relname = $1', [name]),
    ).toBe(1);
  });
});
