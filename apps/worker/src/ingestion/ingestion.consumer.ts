import { describeError } from '@clinloop/errors';
import {
  lagAfter,
  lagBefore,
  type MessageBatch,
  type RetryBackoff,
  type StreamTransport,
  type Subscription,
} from '@clinloop/messaging';
import { toDeadLetter, type MessageFormat, type ObservationIngestService } from '@clinloop/observations';
import type { IngestionMetrics } from './ingestion.metrics';

export interface IngestionTopics {
  readonly readings: string;
  readonly fhirObservations: string;
  readonly deadLetter: string;
}

export type IngestionFailpoint = 'kill-after-db-commit';

export interface IngestionConsumerOptions {
  readonly transport: StreamTransport;
  readonly service: ObservationIngestService;
  readonly topics: IngestionTopics;
  readonly groupId: string;
  readonly metrics?: IngestionMetrics;
  readonly log?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    details?: Record<string, unknown>,
  ) => void;
  readonly retryBackoff?: RetryBackoff;
  /** Most bytes of messages per batch, so per transaction (the transport's default: 1 MiB). */
  readonly maxBatchBytes?: number;
  /** Testing only: dies between the database commit and the offset commit. */
  readonly failpoint?: IngestionFailpoint;
  readonly clock?: () => Date;
  /**
   * Group members this process runs (default 1). Each member handles its partitions one batch at a
   * time; with two, one batch's database work overlaps the next batch's decoding and validation.
   */
  readonly members?: number;
  /** Partitions each member handles at the same time (default 1; see SubscribeOptions). */
  readonly partitionsConcurrently?: number;
}

/**
 * The Kafka edge of ingestion: hands each batch to the ingest service (one transaction), sends the
 * rejected messages to the dead-letter topic, and returns - only then does the transport commit the
 * offsets. A database error propagates, so the transport redelivers the batch with backoff and
 * nothing is dead-lettered for it. Dead letters are produced after the commit: a crash between the
 * two redelivers the batch, which stores nothing new and dead-letters the same messages again
 * (at-least-once on the DLQ, exactly-once in the database).
 */
export class IngestionConsumer {
  private subscriptions: Subscription[] = [];

  constructor(private readonly options: IngestionConsumerOptions) {}

  async start(): Promise<void> {
    const { topics } = this.options;
    for (let member = 0; member < (this.options.members ?? 1); member++) {
      this.subscriptions.push(
        await this.options.transport.subscribe({
          groupId: this.options.groupId,
          topics: [topics.readings, topics.fhirObservations],
          fromBeginning: true,
          retryBackoff: this.options.retryBackoff,
          maxBatchBytes: this.options.maxBatchBytes,
          partitionsConcurrently: this.options.partitionsConcurrently,
          handleBatch: (batch) => this.handleBatch(batch),
        }),
      );
    }
  }

  async stop(): Promise<void> {
    const subscriptions = this.subscriptions.splice(0);
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
  }

  async handleBatch(batch: MessageBatch): Promise<void> {
    const { metrics, topics } = this.options;
    const now = this.options.clock ?? (() => new Date());
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    if (!first || !last) return;
    const startedAt = now().getTime();
    metrics?.batchSize.observe(batch.messages.length);
    metrics?.batchWait.observe(Math.max(0, startedAt - first.timestamp.getTime()) / 1000);
    const format: MessageFormat =
      batch.topic === topics.fhirObservations ? 'fhir-r4-observation' : 'wearable-reading.v1';

    let outcome;
    try {
      outcome = await this.options.service.ingestMessages(
        batch.messages.map((message) => ({
          format,
          key: message.key,
          value: message.value,
          receivedAt: message.timestamp,
        })),
        { id: `${batch.topic}:${batch.partition}:${first.offset}-${last.offset}` },
      );
    } catch (error) {
      metrics?.batchFailures.inc();
      // Nothing of this batch counts as consumed: it comes back, and the partition is that far behind.
      metrics?.consumerLagMessages.set(
        { topic: batch.topic, partition: String(batch.partition) },
        lagBefore(batch),
      );
      this.options.log?.('warn', `ingestion batch failed, it will be redelivered: ${describeError(error)}`, {
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: first.offset,
      });
      throw error;
    }

    metrics?.batchDuration.observe(Math.max(0, now().getTime() - startedAt) / 1000);
    const rejectedAt = now();
    const deadLetters = batch.messages.flatMap((message, index) => {
      const rejection = outcome.rejections[index];
      return rejection
        ? [
            {
              rejection,
              letter: toDeadLetter(
                { topic: batch.topic, partition: batch.partition, ...message },
                rejection,
                rejectedAt,
              ),
            },
          ]
        : [];
    });
    if (deadLetters.length > 0) {
      await this.options.transport.produce(
        topics.deadLetter,
        deadLetters.map((entry) => entry.letter),
      );
      for (const { rejection } of deadLetters) metrics?.deadLettered.inc({ code: rejection.code });
    }

    if (metrics) {
      const at = now().getTime();
      metrics.recordStored(outcome.stored.length, at);
      metrics.duplicates.inc(outcome.duplicates);
      for (const row of outcome.stored)
        metrics.storedLatency.observe(
          Math.max(0, (row.storedAt.getTime() - row.measuredAt.getTime()) / 1000),
        );
      const partition = { topic: batch.topic, partition: String(batch.partition) };
      metrics.consumerLagSeconds.set(partition, Math.max(0, (at - last.timestamp.getTime()) / 1000));
      metrics.consumerLagMessages.set(partition, lagAfter(batch));
    }

    if (this.options.failpoint === 'kill-after-db-commit' && outcome.stored.length > 0) {
      // The transaction is committed, the offsets are not: exactly the window the test exercises.
      process.kill(process.pid, 'SIGKILL');
    }
  }
}
