/**
 * The stream the rest of ClinLoop talks to. Two implementations sit behind it: Kafka (kafkajs) for
 * real runs and tests, and an in-process one for the no-broker demo. No client-library type may leak
 * into this file: kafkajs is unmaintained upstream and must stay replaceable.
 */

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
}

export interface OutgoingMessage {
  /** Messages with the same key keep their order (same partition); null spreads them. */
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface IncomingMessage {
  /** Kafka offsets are 64-bit; a decimal string keeps them exact. */
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** When the producer (or broker) stamped the message. */
  readonly timestamp: Date;
}

/** Consecutive messages of one partition, in order. */
export interface MessageBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly IncomingMessage[];
  /**
   * The partition's high watermark when the batch was read: the offset its next message will get.
   * Messages still to read after this batch (consumer lag in offsets) = highWatermark - last offset - 1.
   */
  readonly highWatermark: string;
}

/** Messages of the partition behind this batch once it is handled (0: caught up when it was read). */
export function lagAfter(batch: MessageBatch): number {
  const last = batch.messages[batch.messages.length - 1];
  if (!last) return 0;
  return Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
}

/** Messages of the partition not yet handled while this batch is not (it failed and comes back). */
export function lagBefore(batch: MessageBatch): number {
  const first = batch.messages[0];
  if (!first) return 0;
  return Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(first.offset)));
}

/**
 * Resolving means the whole batch is done: its offsets are committed right after. Throwing commits
 * nothing; the same batch comes back after a backoff, so handlers must be idempotent.
 */
export type BatchHandler = (batch: MessageBatch) => Promise<void>;

export interface RetryBackoff {
  /** Wait before the first redelivery of a failed batch. */
  readonly initialMs: number;
  /** Cap of the doubling wait while the same partition keeps failing. */
  readonly maxMs: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { initialMs: 500, maxMs: 30_000 };

export interface SubscribeOptions {
  /** Consumers sharing a group id split the partitions and share committed offsets. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts: the oldest message, or only new ones. */
  readonly fromBeginning: boolean;
  readonly handleBatch: BatchHandler;
  readonly retryBackoff?: RetryBackoff;
  /**
   * Most bytes of messages one batch of a partition holds (default DEFAULT_MAX_BATCH_BYTES). Smaller
   * batches make shorter handler transactions, so less waiting behind them, at the cost of more
   * per-batch work. A single larger message (with Kafka: a larger record batch of the producer) still
   * comes, alone, so nothing gets stuck.
   */
  readonly maxBatchBytes?: number;
  /**
   * Partitions of this subscriber whose batches are handled at the same time (default 1). Each
   * partition's batches still come one after another, in order; with more than one, a batch of one
   * partition does not wait behind another partition's transaction.
   */
  readonly partitionsConcurrently?: number;
}

/** Kafka's own default for the bytes fetched per partition (1 MiB). */
export const DEFAULT_MAX_BATCH_BYTES = 1_048_576;

export interface Subscription {
  /** Leaves the group after the batch in progress (if any) finished and was committed. */
  stop(): Promise<void>;
}

export interface StreamTransport {
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  /** Resolves once the broker has acknowledged every message (all in-sync replicas). */
  produce(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /**
   * Starts consuming. Offsets are committed only after `handleBatch` resolves; a failing batch is
   * redelivered after a backoff and holds back only its own partition. Handler errors never escape.
   */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Cheap, synchronous: false once the transport is closed or a consumer gave up for good. */
  isHealthy(): boolean;
  /** Round trip to the broker for a readiness probe; rejects with MessagingError BROKER_UNREACHABLE. */
  ping(): Promise<void>;
  /** Stops every subscription and disconnects. Safe to call twice. */
  close(): Promise<void>;
}

export type MessagingLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the transports (and the client library under them) write their logs; adapt pino or a test sink. */
export type MessagingLogger = (
  level: MessagingLogLevel,
  message: string,
  details?: Readonly<Record<string, unknown>>,
) => void;

export const silentMessagingLogger: MessagingLogger = () => undefined;

/**
 * For /ready endpoints: true when the transport is healthy and its broker answered. Never throws, so
 * a probe reports "down" instead of failing.
 */
export async function pingStream(transport: StreamTransport): Promise<boolean> {
  if (!transport.isHealthy()) return false;
  try {
    await transport.ping();
    return true;
  } catch {
    return false;
  }
}

/** Doubling backoff for the n-th consecutive failure (1-based), capped. */
export function backoffDelayMs(backoff: RetryBackoff, consecutiveFailures: number): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(exponent, 30));
}
