import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How far behind "now" readings arrive and are stored: latencies span seconds (live) to days (uploads). */
const LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 86_400];
const BATCH_SIZE_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];
/** One batch's transaction: tens of milliseconds when idle, seconds under backlog. */
const BATCH_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RATE_WINDOW_MS = 10_000;

/** Ingestion metrics, registered on the worker's registry (served at /metrics). */
export class IngestionMetrics {
  readonly batchSize: Histogram;
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly deadLettered: Counter<'code'>;
  readonly storedLatency: Histogram;
  readonly batchWait: Histogram;
  readonly batchDuration: Histogram;
  readonly consumerLagSeconds: Gauge<'topic' | 'partition'>;
  readonly consumerLagMessages: Gauge<'topic' | 'partition'>;
  readonly readingsPerSecond: Gauge;
  readonly batchFailures: Counter;
  private readonly recent: { at: number; count: number }[] = [];

  constructor(registry: Registry) {
    const registers = [registry];
    this.batchSize = new Histogram({
      name: 'clinloop_ingest_batch_size',
      help: 'Messages per consumed batch.',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.stored = new Counter({
      name: 'clinloop_ingest_readings_stored_total',
      help: 'Readings inserted (rate() of this is readings/s).',
      registers,
    });
    this.duplicates = new Counter({
      name: 'clinloop_ingest_readings_duplicate_total',
      help: 'Valid readings that were already stored (redeliveries, FHIR + native copies).',
      registers,
    });
    this.deadLettered = new Counter({
      name: 'clinloop_ingest_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.storedLatency = new Histogram({
      name: 'clinloop_ingest_measured_to_stored_seconds',
      help: "From a reading's measured-at time to its row being stored.",
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    // measured-at -> stored = (device -> broker) + batchWait + batchDuration: where a latency comes from.
    this.batchWait = new Histogram({
      name: 'clinloop_ingest_batch_wait_seconds',
      help: "From the Kafka timestamp of a batch's oldest message to the worker starting on the batch: time in the broker, in the fetch, and behind the member's previous batches.",
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'clinloop_ingest_batch_seconds',
      help: 'From the worker starting on a batch to its transaction committed: parsing, validation, the insert, everything derived from it, and the commit.',
      buckets: BATCH_SECONDS_BUCKETS,
      registers,
    });
    this.consumerLagSeconds = new Gauge({
      name: 'clinloop_ingest_consumer_lag_seconds',
      help: 'Age of the newest message of the last handled batch, per partition (how far behind the consumer is).',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.consumerLagMessages = new Gauge({
      name: 'clinloop_ingest_consumer_lag_messages',
      help: 'Messages of the partition not yet handled, from its high watermark when this process last read a batch of it (0: caught up).',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.readingsPerSecond = new Gauge({
      name: 'clinloop_ingest_readings_per_second',
      help: 'Readings stored per second over the last 10 s.',
      registers,
    });
    this.batchFailures = new Counter({
      name: 'clinloop_ingest_batch_failures_total',
      help: 'Batches that failed (database down) and will be redelivered.',
      registers,
    });
  }

  recordStored(count: number, now: number): void {
    this.stored.inc(count);
    this.recent.push({ at: now, count });
    while (this.recent.length > 0 && (this.recent[0]?.at ?? now) < now - RATE_WINDOW_MS) this.recent.shift();
    const total = this.recent.reduce((sum, entry) => sum + entry.count, 0);
    this.readingsPerSecond.set(total / (RATE_WINDOW_MS / 1000));
  }
}
