/**
 * Reading ingestion benchmark (issue 7).
 *
 * 1. Throughput: READINGS (default 1,000,000) pre-encoded wearable-reading.v1 messages are produced
 *    to a fresh 6-partition topic first; then the production consumer (IngestionConsumer +
 *    ObservationIngestService: validation, device lookup, INSERT ... ON CONFLICT DO NOTHING RETURNING,
 *    daily aggregates, feature windows, inference queue, one audit entry per batch, offsets committed
 *    after the transaction) drains it into PostgreSQL, as the application role. readings/s is
 *    READINGS / (time from the first row inserted to the last transaction committed, by the database's clock).
 * 2. Baseline: the same readings, pre-encoded as COPY text rows, loaded with one server-side
 *    `COPY ... FROM '<file>'` into an identical table with identical partitions and indexes.
 *    Goal: ingestion >= 40% of the COPY rate.
 * 3. Latency: readings stamped with the current time are produced at half the measured maximum rate
 *    for LATENCY_SECONDS, from a worker thread of their own (bench/support/latency-load.ts: devices,
 *    not the worker, produce readings); p50/p99 of commit time - measured_at (the commit time of each
 *    row's transaction, track_commit_timestamp; stored_at, the earlier insert time, on a shared server). Goal: p99 < 1 s.
 *
 * PostgreSQL: a server of its own with production-like settings (bench/support/bench-postgres.ts), or
 * with INGEST_BENCH_SERVER=shared DATABASE_URL (superuser), else the local server on 5432, else embedded. Kafka:
 * KAFKA_BROKERS, else a local KRaft broker (test/support/kafka-broker.ts).
 * Knobs: INGEST_BENCH_READINGS (1000000), INGEST_BENCH_PATIENTS (2000), INGEST_BENCH_LATENCY_SECONDS (20),
 * INGEST_BENCH_MEMBERS (3: consumer-group members in the process, like INGEST_CONSUMERS),
 * INGEST_BENCH_PARTITIONS_CONCURRENTLY (2: partitions each member handles at once, like INGEST_PARTITIONS_CONCURRENTLY).
 * Profiling: every run prints where the time went (bench/support/ingest-profiler.ts);
 * INGEST_BENCH_EXPLAIN_MS=200 logs slower statements' plans to the server log (auto_explain),
 * INGEST_BENCH_KEEP_DATABASE=1 keeps the database for a look afterwards.
 * Run: npm run bench -- ingestion   (or: node -r @swc-node/register bench/ingestion.bench.ts)
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, createWriteStream, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { applicationRoleUrl, AuditService } from '@clinloop/audit';
import { runMigrations } from '@clinloop/database';
import { KafkaStreamTransport, topicFor, Topics } from '@clinloop/messaging';
import { ObservationIngestService } from '@clinloop/observations';
import { createAppDataSource } from '@clinloop/persistence';
import { IngestionConsumer, IngestionMetrics } from '@clinloop/worker';
import { ensureKafkaBroker } from '../test/support/kafka-broker';
import { encodeReading, type BenchPatient, type BenchReading } from './support/bench-readings';
import { formatProfile, IngestProfiler } from './support/ingest-profiler';
import { produceLatencyLoad } from './support/latency-load';
import { databaseUrl } from '../test/support/postgres-server';
import { startBenchPostgres } from './support/bench-postgres';

const READINGS = Number(process.env.INGEST_BENCH_READINGS ?? 1_000_000);
const PATIENTS = Number(process.env.INGEST_BENCH_PATIENTS ?? 2_000);
const LATENCY_SECONDS = Number(process.env.INGEST_BENCH_LATENCY_SECONDS ?? 20);
/** Consumer group members in the worker process (INGEST_CONSUMERS in production). */
const MEMBERS = Number(process.env.INGEST_BENCH_MEMBERS ?? 3);
/** Partitions each member handles at once (INGEST_PARTITIONS_CONCURRENTLY in production). */
const PARTITIONS_CONCURRENTLY = Number(process.env.INGEST_BENCH_PARTITIONS_CONCURRENTLY ?? 2);
/** Bytes of messages per batch (INGEST_MAX_BATCH_BYTES in production); unset: the transport default. */
const MAX_BATCH_BYTES = process.env.INGEST_BENCH_MAX_BATCH_BYTES
  ? Number(process.env.INGEST_BENCH_MAX_BATCH_BYTES)
  : undefined;
/** Profiling: log the plans of statements slower than this many ms to the PostgreSQL server log. */
const EXPLAIN_SLOWER_THAN_MS = process.env.INGEST_BENCH_EXPLAIN_MS
  ? Number(process.env.INGEST_BENCH_EXPLAIN_MS)
  : undefined;
/** Profiling: leave the bench database in place for a look afterwards (its name is printed). */
const KEEP_DATABASE = process.env.INGEST_BENCH_KEEP_DATABASE === '1';
const PRODUCE_CHUNK = 5_000;
/** Device sequences of the latency phase's readings start here (the throughput phase's stay below). */
const LATENCY_FIRST_SEQUENCE = 10_000_000;
const POLICY = { futureSkewMs: 300_000, lateAfterMs: 86_400_000 };

/** test/support/database.ts has the same helper, but it imports vitest, which a plain process cannot. */
async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function createPatients(dataSource: DataSource): Promise<BenchPatient[]> {
  const [organization] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id`,
  );
  if (!organization) throw new Error('no organization');
  const rows = await dataSource.query<{ patient_id: string; device_id: string }[]>(
    `WITH p AS (
       INSERT INTO patients (organization_id, mrn, given_name, family_name, time_zone)
       SELECT $1, 'BENCH-' || n, 'Bench', 'Patient', 'UTC' FROM generate_series(1, $2) n RETURNING id, mrn
     ), d AS (
       INSERT INTO devices (organization_id, serial, kind, model, validated)
       SELECT $1, 'BENCH-CUFF-' || substr(mrn, 7), 'upper_arm_cuff', 'Bench cuff', true FROM p RETURNING id, serial
     ), b AS (
       INSERT INTO device_bindings (device_id, patient_id, bound_at)
       SELECT d.id, p.id, now() - interval '400 days' FROM p JOIN d ON substr(d.serial, 12) = substr(p.mrn, 7)
       RETURNING device_id, patient_id
     )
     SELECT patient_id, device_id FROM b`,
    [organization.id, PATIENTS],
  );
  return rows.map((row) => ({ patientId: row.patient_id, deviceId: row.device_id }));
}

/** READINGS readings spread over the last 28 days, round-robin over patients, sequences per device. */
function makeReadings(patients: readonly BenchPatient[], now: number): BenchReading[] {
  const readings: BenchReading[] = [];
  const span = 28 * 86_400_000;
  for (let index = 0; index < READINGS; index++) {
    const patient = patients[index % patients.length];
    if (!patient) throw new Error('no patients');
    const sequence = Math.floor(index / patients.length);
    readings.push({
      patient,
      sequence,
      measuredAt: new Date(now - span + Math.floor((index / READINGS) * span)),
      sbp: 120 + (index % 40),
      dbp: 75 + (index % 20),
      heartRate: 60 + (index % 30),
    });
  }
  return readings;
}

/** A copy of the observations table: same columns, partitions and indexes. */
async function createCopyTable(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `CREATE TABLE bench_copy (LIKE observations INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (measured_at)`,
  );
  await dataSource.query(`ALTER TABLE bench_copy ADD PRIMARY KEY (id, measured_at)`);
  await dataSource.query(`CREATE UNIQUE INDEX ON bench_copy (device_id, device_seq, measured_at)`);
  await dataSource.query(`CREATE INDEX ON bench_copy (patient_id, measured_at)`);
  await dataSource.query(`CREATE INDEX ON bench_copy USING brin (measured_at)`);
  const partitions = await dataSource.query<{ name: string; bound: string }[]>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'observations'::regclass`,
  );
  for (const partition of partitions) {
    await dataSource.query(
      `CREATE TABLE "bench_copy_${partition.name}" PARTITION OF bench_copy ${partition.bound}`,
    );
  }
}

function copyLine(reading: BenchReading, receivedAt: string): string {
  // Same columns the ingest INSERT writes; id and stored_at come from the defaults in both tables.
  return [
    reading.patient.patientId,
    reading.patient.deviceId,
    reading.sequence,
    reading.measuredAt.toISOString(),
    0,
    receivedAt,
    'device',
    'upper_arm_cuff',
    reading.sbp,
    reading.dbp,
    reading.heartRate,
    '\\N',
    'mm[Hg]',
    reading.sbp,
    reading.dbp,
    'sitting',
    '1.0.0',
    't',
    'f',
  ].join('\t');
}

async function writeCopyFile(readings: readonly BenchReading[]): Promise<string> {
  const file = path.join(tmpdir(), `clinloop-ingest-bench-${randomUUID()}.tsv`);
  const out = createWriteStream(file);
  const receivedAt = new Date().toISOString();
  for (let index = 0; index < readings.length; index += 10_000) {
    const chunk = readings.slice(index, index + 10_000).map((reading) => copyLine(reading, receivedAt));
    if (!out.write(`${chunk.join('\n')}\n`))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  // The server process (another OS user) reads it.
  chmodSync(file, 0o644);
  return file;
}

/** Whether the server keeps commit times (track_commit_timestamp: the bench's own server does). */
async function keepsCommitTimes(dataSource: DataSource): Promise<boolean> {
  const [row] = await dataSource.query<{ on: boolean }[]>(`SELECT current_setting('track_commit_timestamp') = 'on' AS "on"`);
  return row?.on ?? false;
}

/**
 * When a row was stored, in SQL: committed (visible to readers), the commit time of its transaction
 * where the server keeps it, else stored_at (the row's insert, earlier than its commit).
 */
function storedAtExpression(commitTimes: boolean): string {
  return commitTimes ? 'pg_xact_commit_timestamp(xmin)' : 'stored_at';
}

async function storedCount(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM observations');
  return Number(row?.n ?? 0);
}

export default async function run(): Promise<void> {
  const [server, kafka] = await Promise.all([startBenchPostgres(() => undefined), ensureKafkaBroker({})]);
  const name = `clinloop_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `CREATE DATABASE "${name}"`);
  await adminQuery(server.adminUrl, `ALTER DATABASE "${name}" SET synchronous_commit = on`);
  if (EXPLAIN_SLOWER_THAN_MS !== undefined) {
    // The plans of slower statements go to the server's log (auto_explain ships with PostgreSQL).
    for (const setting of [
      `session_preload_libraries = 'auto_explain'`,
      `auto_explain.log_min_duration = ${EXPLAIN_SLOWER_THAN_MS}`,
      `auto_explain.log_analyze = on`,
      `auto_explain.log_buffers = on`,
      `auto_explain.log_timing = off`,
      `auto_explain.log_nested_statements = on`,
    ])
      await adminQuery(server.adminUrl, `ALTER DATABASE "${name}" SET ${setting}`);
  }
  const url = databaseUrl(server.adminUrl, name);
  const owner = createAppDataSource(url, { databasePoolSize: 2 }, 'clinloop-bench-owner');
  const app = createAppDataSource(applicationRoleUrl(url), { databasePoolSize: 4 }, 'clinloop-bench-ingest');
  const transport = new KafkaStreamTransport({ brokers: kafka.brokers, clientId: 'clinloop-ingest-bench' });
  const runId = randomBytes(3).toString('hex');
  const topics = {
    readings: topicFor(Topics.wearableReadings.name, `bench-${runId}`),
    fhirObservations: topicFor(Topics.fhirObservations.name, `bench-${runId}`),
    deadLetter: topicFor(Topics.wearableReadingsDeadLetter.name, `bench-${runId}`),
  };
  const latencyTopics = {
    ...topics,
    readings: topicFor(Topics.wearableReadings.name, `bench-latency-${runId}`),
  };
  let copyFile: string | undefined;
  try {
    await owner.initialize();
    await runMigrations(owner);
    await app.initialize();
    const [settings] = await owner.query<{ version: string; synchronous_commit: string }[]>(
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS synchronous_commit`,
    );
    log(
      `ingestion bench: ${READINGS} readings, ${PATIENTS} patients, ${MEMBERS} consumer(s) x ${PARTITIONS_CONCURRENTLY} partitions at once, batches up to ${MAX_BATCH_BYTES ?? 'the default'} bytes; PostgreSQL ${settings?.version ?? '?'} (${server.source}: ${server.settings}), synchronous_commit=${settings?.synchronous_commit ?? '?'}; ` +
        `Kafka ${kafka.startedHere ? 'started here' : 'KAFKA_BROKERS'}; ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2) ?? '?'}`,
    );
    const patients = await createPatients(owner);
    const now = Date.now();
    const readings = makeReadings(patients, now);
    await createCopyTable(owner);
    copyFile = await writeCopyFile(readings);

    // 1. Through Kafka.
    await transport.ensureTopics([
      { topic: topics.readings, partitions: 6 },
      { topic: topics.fhirObservations, partitions: 1 },
      { topic: topics.deadLetter, partitions: 1 },
      { topic: latencyTopics.readings, partitions: 6 },
    ]);
    const producedAt = Date.now();
    for (let index = 0; index < readings.length; index += PRODUCE_CHUNK) {
      await transport.produce(
        topics.readings,
        readings
          .slice(index, index + PRODUCE_CHUNK)
          .map((reading) => ({ key: reading.patient.patientId, value: encodeReading(reading) })),
      );
    }
    log(
      `produced ${READINGS} messages in ${((Date.now() - producedAt) / 1000).toFixed(1)} s (not part of the measurement)`,
    );

    const registry = new Registry();
    const metrics = new IngestionMetrics(registry);
    const service = new ObservationIngestService(app, new AuditService(), {
      component: 'worker.ingestion',
      policy: POLICY,
    });
    const consumer = new IngestionConsumer({
      transport,
      service,
      topics,
      groupId: `bench-${runId}`,
      metrics,
      members: MEMBERS,
      partitionsConcurrently: PARTITIONS_CONCURRENTLY,
      maxBatchBytes: MAX_BATCH_BYTES,
    });
    const throughputProfiler = await IngestProfiler.attach(app, owner);
    const waitStart = Date.now();
    await consumer.start();
    let stored = 0;
    while (stored < READINGS) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      stored = (await metrics.stored.get()).values.reduce((sum, value) => sum + value.value, 0);
      if (Date.now() - waitStart > 30 * 60_000)
        throw new Error(`only ${stored} of ${READINGS} stored after 30 minutes`);
    }
    await consumer.stop();
    // Timed by the database, from the first row inserted to the last transaction committed: the members
    // join the group one after another, and the first ones consume while the others are joining, so
    // neither the join nor the polling above may set the clock.
    const [span] = await owner.query<{ seconds: number }[]>(
      `SELECT extract(epoch FROM max(${storedAtExpression(await keepsCommitTimes(owner))}) - min(stored_at))::float8 AS seconds FROM observations`,
    );
    const ingestSeconds = span?.seconds ?? Number.NaN;
    const throughputProfile = await throughputProfiler.finish();
    const ingestRate = READINGS / ingestSeconds;
    const batches =
      (await metrics.batchSize.get()).values.find(
        (value) => value.metricName === 'clinloop_ingest_batch_size_count',
      )?.value ?? 0;
    if ((await storedCount(owner)) !== READINGS) throw new Error('stored count does not match');

    // 2. Raw COPY of the same rows into the identical table.
    const copyStart = Date.now();
    await owner.query(`COPY bench_copy (patient_id, device_id, device_seq, measured_at, utc_offset_minutes, received_at, source, device_kind, sbp, dbp, heart_rate, steps,
      original_pressure_unit, original_sbp, original_dbp, body_position, firmware, counts_toward_decisions, late) FROM '${copyFile}'`);
    const copySeconds = (Date.now() - copyStart) / 1000;
    const copyRate = READINGS / copySeconds;
    // The baseline table is not part of the pipeline, but autovacuum would VACUUM ANALYZE its fresh rows
    // during the first seconds of the latency run (pg_stat_activity showed it there, in the run's worst
    // seconds). Done now, outside every measurement. The ingest tables are left to autovacuum, as in production.
    await owner.query('VACUUM ANALYZE bench_copy');

    log('');
    log('| path | readings | seconds | readings/s |');
    log('|---|---|---|---|');
    log(
      `| Kafka -> worker -> PostgreSQL (validated, idempotent, audited, ${batches} batches) | ${READINGS} | ${ingestSeconds.toFixed(1)} | ${Math.round(ingestRate)} |`,
    );
    log(
      `| raw COPY of the same rows, identical table and indexes | ${READINGS} | ${copySeconds.toFixed(1)} | ${Math.round(copyRate)} |`,
    );
    log(`ingestion / COPY = ${((100 * ingestRate) / copyRate).toFixed(1)}% (goal >= 40%)`);
    for (const line of formatProfile('throughput run', throughputProfile)) log(line);

    // 3. Latency at half the maximum rate.
    const latencyRate = Math.max(100, Math.round(ingestRate / 2));
    const latencyConsumer = new IngestionConsumer({
      transport,
      service,
      topics: latencyTopics,
      groupId: `bench-latency-${runId}`,
      members: MEMBERS,
      partitionsConcurrently: PARTITIONS_CONCURRENTLY,
      maxBatchBytes: MAX_BATCH_BYTES,
      metrics: new IngestionMetrics(new Registry()),
    });
    const latencyProfiler = await IngestProfiler.attach(app, owner);
    await latencyConsumer.start();
    const load = await produceLatencyLoad({
      brokers: kafka.brokers,
      topic: latencyTopics.readings,
      patients,
      readingsPerSecond: latencyRate,
      seconds: LATENCY_SECONDS,
      firstSequence: LATENCY_FIRST_SEQUENCE,
    });
    const total = load.sent;
    const latencyStart = load.startedAt;
    const achieved = load.achievedPerSecond;
    while ((await storedCount(owner)) < READINGS + total)
      await new Promise((resolve) => setTimeout(resolve, 250));
    await latencyConsumer.stop();
    const latencyProfile = await latencyProfiler.finish();
    const commitTimes = await keepsCommitTimes(owner);
    const storedAt = storedAtExpression(commitTimes);
    const [latency] = await owner.query<{ p50: number; p99: number; max: number }[]>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
         FROM (SELECT (extract(epoch FROM ${storedAt} - measured_at) * 1000)::float8 AS ms FROM observations WHERE device_seq >= ${LATENCY_FIRST_SEQUENCE}) t`,
    );
    log(
      `latency measured-at -> ${commitTimes ? 'committed' : 'stored_at (insert time, before commit)'} at ${Math.round(achieved)} readings/s (target ${latencyRate}, half of max) for ${LATENCY_SECONDS} s: ` +
        `p50 ${latency?.p50.toFixed(0) ?? '?'} ms, p99 ${latency?.p99.toFixed(0) ?? '?'} ms, max ${latency?.max.toFixed(0) ?? '?'} ms (goal p99 < 1000 ms)`,
    );
    for (const line of formatProfile('latency run', latencyProfile)) log(line);
    const worstSeconds = await owner.query<{ second: number; readings: number; p99: number; max: number }[]>(
      `SELECT extract(epoch FROM date_trunc('second', measured_at) - $1::timestamptz)::int AS second, count(*)::int AS readings,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
         FROM (SELECT measured_at, (extract(epoch FROM ${storedAt} - measured_at) * 1000)::float8 AS ms FROM observations WHERE device_seq >= ${LATENCY_FIRST_SEQUENCE}) t
        GROUP BY 1 ORDER BY p99 DESC LIMIT 5`,
      [new Date(latencyStart).toISOString()],
    );
    log(
      `worst seconds of the latency run (second: readings, p99 / max ms): ${worstSeconds
        .map((row) => `${row.second}: ${row.readings}, ${row.p99.toFixed(0)} / ${row.max.toFixed(0)}`)
        .join('; ')}`,
    );
  } finally {
    if (copyFile) rmSync(copyFile, { force: true });
    await transport.close();
    if (app.isInitialized) await app.destroy();
    if (owner.isInitialized) await owner.destroy();
    if (KEEP_DATABASE) log(`kept database ${name} (INGEST_BENCH_KEEP_DATABASE=1): drop it when done`);
    else
      await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(
        () => undefined,
      );
    await kafka.stop();
    await server.stop();
  }
}

if (require.main === module) {
  run().catch((error: unknown) => {
    process.stderr.write(
      `ingestion bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
