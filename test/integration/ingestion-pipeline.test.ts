import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topicFor, Topics, type MessageBatch, type Subscription } from '@clinloop/messaging';
import { DEAD_LETTER_HEADERS, ObservationErrorCode, type DeadLetterRecord } from '@clinloop/observations';
import { IngestionConsumer, IngestionMetrics } from '@clinloop/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  brokersFromSetup,
  collectTopic,
  counterValue,
  countRows,
  createBoundPatients,
  eventually,
  fhirReading,
  ingestService,
  nativeReading,
  testTransport,
  type BoundPatient,
} from '../support/ingestion-fixtures';
import { defined } from '../support/ingestion-assertions';

/**
 * The ingestion consumer against a real broker and a real PostgreSQL: idempotent batches, poison
 * messages dead-lettered with their reason, FHIR and native copies of one reading stored once.
 */
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const topics = {
  readings: topicFor(Topics.wearableReadings.name, `ingest-pipeline-${runId}`),
  fhirObservations: topicFor(Topics.fhirObservations.name, `ingest-pipeline-${runId}`),
  deadLetter: topicFor(Topics.wearableReadingsDeadLetter.name, `ingest-pipeline-${runId}`),
};

describe('reading ingestion over Kafka into PostgreSQL', () => {
  const brokers = brokersFromSetup(inject('kafkaBrokers'));
  const transport = testTransport(brokers, `ingest-pipeline-${runId}`);
  const registry = new Registry();
  let database: TestDatabase;
  let consumer: IngestionConsumer;
  let deadLetters: {
    messages: { value: Buffer; headers: Readonly<Record<string, string>>; key: string | null }[];
    subscription: Subscription;
  };
  let patients: BoundPatient[];
  const hourAgo = (minutes: number): Date => new Date(Date.now() - 60 * 60_000 + minutes * 60_000);

  beforeAll(async () => {
    database = await createTestDatabase();
    patients = await createBoundPatients(database.dataSource, 3);
    await transport.ensureTopics([
      { topic: topics.readings, partitions: 3 },
      { topic: topics.fhirObservations, partitions: 3 },
      { topic: topics.deadLetter, partitions: 1 },
    ]);
    consumer = new IngestionConsumer({
      transport,
      service: ingestService(database.dataSource),
      topics,
      groupId: `ingest-pipeline-${runId}`,
      metrics: new IngestionMetrics(registry),
      retryBackoff: { initialMs: 100, maxMs: 1_000 },
      // Two members, as production runs several: partitions split between them, two at a time each.
      members: 2,
      partitionsConcurrently: 2,
    });
    await consumer.start();
    deadLetters = await collectTopic(transport, topics.deadLetter, `ingest-pipeline-dlq-${runId}`);
  });

  afterAll(async () => {
    // Each step may not have been reached if beforeAll failed part-way.
    await (consumer as IngestionConsumer | undefined)?.stop();
    await (deadLetters as typeof deadLetters | undefined)?.subscription.stop();
    await transport.close();
    await (database as TestDatabase | undefined)?.drop();
  });

  it('stores good readings and dead-letters each poison message with its code, reason and original bytes', async () => {
    const [alice, bob, carol] = [
      defined(patients[0], 'alice'),
      defined(patients[1], 'bob'),
      defined(patients[2], 'carol'),
    ];
    const good = [0, 1, 2, 3].map((sequence) => ({
      key: alice.patientId,
      value: nativeReading({ patient: alice, sequence, measuredAt: hourAgo(sequence) }),
    }));
    const unparseable = Buffer.from('{"schemaVersion": 1, "deviceId": ');
    const poison = [
      { key: alice.patientId, value: unparseable, code: ObservationErrorCode.UNPARSEABLE },
      {
        key: alice.patientId,
        value: Buffer.from(JSON.stringify({ schemaVersion: 1, deviceId: alice.deviceId })),
        code: ObservationErrorCode.SCHEMA_INVALID,
      },
      {
        key: alice.patientId,
        value: nativeReading({ patient: alice, sequence: 90, measuredAt: hourAgo(10), sbp: 400, dbp: 80 }),
        code: ObservationErrorCode.IMPLAUSIBLE,
      },
      {
        key: alice.patientId,
        value: nativeReading({ patient: alice, sequence: 91, measuredAt: hourAgo(11), unit: 'psi' }),
        code: ObservationErrorCode.WRONG_UNIT,
      },
      {
        key: alice.patientId,
        value: nativeReading({
          patient: { patientId: alice.patientId, deviceId: '00000000-0000-4000-8000-000000000000' },
          sequence: 1,
          measuredAt: hourAgo(12),
        }),
        code: ObservationErrorCode.UNKNOWN_DEVICE,
      },
      // Bob's device, claimed for Carol: keyed by Carol so only the binding check can refuse it.
      {
        key: carol.patientId,
        value: nativeReading({
          patient: { patientId: carol.patientId, deviceId: bob.deviceId },
          sequence: 92,
          measuredAt: hourAgo(13),
        }),
        code: ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT,
      },
      {
        key: alice.patientId,
        value: nativeReading({ patient: alice, sequence: 93, measuredAt: new Date(Date.now() + 3_600_000) }),
        code: ObservationErrorCode.FUTURE_TIMESTAMP,
      },
    ];
    // Poison interleaved with good messages on one key (one partition): it must not hold them back.
    const interleaved = [
      good.slice(0, 1),
      poison.slice(0, 1),
      good.slice(1, 2),
      poison.slice(1, 4),
      good.slice(2, 3),
      poison.slice(4),
      good.slice(3),
    ].flat();
    await transport.produce(
      topics.readings,
      interleaved.map(({ key, value }) => ({ key, value })),
    );

    await eventually(async () => {
      expect(
        await countRows(database.dataSource, 'SELECT count(*) FROM observations WHERE patient_id = $1', [
          alice.patientId,
        ]),
      ).toBe(4);
      expect(deadLetters.messages).toHaveLength(poison.length);
    });
    const byCode = new Map(
      deadLetters.messages.map((message) => [message.headers[DEAD_LETTER_HEADERS.code], message]),
    );
    for (const expected of poison) {
      const letter = defined(byCode.get(expected.code), `a dead letter with ${expected.code}`);
      const record = JSON.parse(letter.value.toString()) as DeadLetterRecord;
      expect(record.code).toBe(expected.code);
      expect(record.reason.length).toBeGreaterThan(5);
      expect(Buffer.from(record.originalBase64, 'base64').equals(expected.value)).toBe(true);
      expect(record.source.topic).toBe(topics.readings);
      expect(letter.headers[DEAD_LETTER_HEADERS.reason]).toBe(record.reason);
    }
    const implausible = JSON.parse(
      defined(byCode.get(ObservationErrorCode.IMPLAUSIBLE), 'the implausible letter').value.toString(),
    ) as DeadLetterRecord;
    expect(implausible.reason).toContain('systolic 400');
    const metrics = await registry.getSingleMetricAsString('clinloop_ingest_dead_lettered_total');
    expect(metrics).toContain(`code="${ObservationErrorCode.UNPARSEABLE}"`);
  });

  it('stores a batch delivered twice once: no second audit entry, feature update or queue entry', async () => {
    const patient = defined(patients[1], 'a patient');
    // 14 validated cuff readings in the last 7 days: enough data, so the patient is queued once.
    const messages = Array.from({ length: 14 }, (_, sequence) => ({
      offset: String(sequence),
      key: patient.patientId,
      value: nativeReading({
        patient,
        sequence: 1000 + sequence,
        measuredAt: new Date(Date.now() - (sequence + 1) * 6 * 3_600_000),
        sbp: 130 + sequence,
      }),
      headers: {},
      timestamp: new Date(),
    }));
    const batch: MessageBatch = { topic: topics.readings, partition: 0, messages, highWatermark: String(messages.length) };
    const snapshot = async () => ({
      observations: await countRows(
        database.dataSource,
        'SELECT count(*) FROM observations WHERE patient_id = $1',
        [patient.patientId],
      ),
      audit: await countRows(
        database.dataSource,
        `SELECT count(*) FROM audit_entries WHERE action = 'observations.ingest' AND resource_id = $1`,
        [`${topics.readings}:0:0-13`],
      ),
      featureUpdates: await countRows(
        database.dataSource,
        'SELECT coalesce(sum(updates), 0) AS count FROM patient_feature_windows WHERE patient_id = $1',
        [patient.patientId],
      ),
      queued: await countRows(
        database.dataSource,
        'SELECT count(*) FROM inference_queue WHERE patient_id = $1',
        [patient.patientId],
      ),
    });

    const duplicatesBefore = await counterValue(registry, 'clinloop_ingest_readings_duplicate_total');
    await consumer.handleBatch(batch);
    const first = await snapshot();
    expect(first).toEqual({ observations: 14, audit: 1, featureUpdates: 1, queued: 1 });
    const [windows] = await database.dataSource.query<{ readings_7d: number; mean_sbp_7d: number }[]>(
      'SELECT readings_7d, mean_sbp_7d FROM patient_feature_windows WHERE patient_id = $1',
      [patient.patientId],
    );
    expect(windows?.readings_7d).toBe(14);
    expect(windows?.mean_sbp_7d).toBeCloseTo(136.5, 6);

    await consumer.handleBatch(batch);
    expect(await snapshot()).toEqual(first);

    // And the same messages produced again through Kafka: counted as duplicates, nothing stored.
    await transport.produce(
      topics.readings,
      messages.map(({ key, value }) => ({ key, value })),
    );
    await eventually(async () => {
      expect(await counterValue(registry, 'clinloop_ingest_readings_duplicate_total')).toBe(
        duplicatesBefore + 28,
      );
    });
    expect(await snapshot()).toEqual(first);
  });

  it('stores a FHIR Observation and a native message for the same reading once', async () => {
    const patient = defined(patients[2], 'a patient');
    const reading = {
      patient,
      sequence: 5000,
      measuredAt: new Date(Date.now() - 30 * 60_000),
      sbp: 141,
      dbp: 91,
    };
    const duplicatesBefore = await counterValue(registry, 'clinloop_ingest_readings_duplicate_total');
    await transport.produce(topics.fhirObservations, [
      { key: patient.patientId, value: fhirReading(reading) },
    ]);
    await transport.produce(topics.readings, [{ key: patient.patientId, value: nativeReading(reading) }]);
    // A kPa copy of another reading over FHIR: converted, the original kept.
    await transport.produce(topics.fhirObservations, [
      {
        key: patient.patientId,
        value: fhirReading({
          patient,
          sequence: 5001,
          measuredAt: new Date(Date.now() - 20 * 60_000),
          sbp: 17.3,
          dbp: 11.2,
          unit: 'kPa',
        }),
      },
    ]);
    // Both copies of reading 5000 have been judged once one of them counts as a duplicate.
    await eventually(async () => {
      expect(await counterValue(registry, 'clinloop_ingest_readings_duplicate_total')).toBe(
        duplicatesBefore + 1,
      );
      expect(
        await countRows(database.dataSource, 'SELECT count(*) FROM observations WHERE device_id = $1', [
          patient.deviceId,
        ]),
      ).toBe(2);
    });
    expect(
      await countRows(
        database.dataSource,
        'SELECT count(*) FROM observations WHERE device_id = $1 AND device_seq = 5000',
        [patient.deviceId],
      ),
    ).toBe(1);
    const [kpa] = await database.dataSource.query<
      { sbp: number; original_sbp: number; original_pressure_unit: string; source: string }[]
    >(
      'SELECT sbp, original_sbp, original_pressure_unit, source FROM observations WHERE device_id = $1 AND device_seq = 5001',
      [patient.deviceId],
    );
    expect(kpa).toMatchObject({ original_sbp: 17.3, original_pressure_unit: 'kPa', source: 'fhir' });
    expect(kpa?.sbp).toBeCloseTo(17.3 * 7.50062, 1);
  });
});
