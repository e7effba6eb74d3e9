import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { describeError } from '@clinloop/errors';
import { MessagingError, MessagingErrorCode } from './errors';
import {
  backoffDelayMs,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_RETRY_BACKOFF,
  silentMessagingLogger,
  type IncomingMessage,
  type MessagingLogger,
  type MessagingLogLevel,
  type OutgoingMessage,
  type RetryBackoff,
  type StreamTransport,
  type SubscribeOptions,
  type Subscription,
  type TopicSpec,
} from './stream-transport';
import { assertValidTopicName } from './topics';

export interface KafkaStreamTransportOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Receives the transport's own logs and kafkajs's. Without one, both stay silent. */
  readonly logger?: MessagingLogger;
  /** Lowest kafkajs level passed to `logger` (default warn: kafkajs is chatty at info). */
  readonly clientLogLevel?: MessagingLogLevel;
  /** Time limit of a readiness ping (default 5 s). */
  readonly pingTimeoutMs?: number;
}

/**
 * StreamTransport on Apache Kafka through kafkajs 2.2.4. kafkajs is unmaintained upstream; nothing
 * outside this file imports it, so replacing the client means rewriting this file only.
 */
export class KafkaStreamTransport implements StreamTransport {
  private readonly kafka: Kafka;
  private readonly log: MessagingLogger;
  private readonly pingTimeoutMs: number;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly givenUpGroups = new Set<string>();
  private closing: Promise<void> | undefined;

  constructor(options: KafkaStreamTransportOptions) {
    this.log = options.logger ?? silentMessagingLogger;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      connectionTimeout: 3_000,
      // Admin calls (topic setup, ping) should fail within seconds so start-up and /ready report
      // an unreachable broker instead of hanging; producer and consumer set their own retries.
      retry: { initialRetryTime: 300, retries: 3 },
      logLevel: options.logger ? toKafkaLogLevel(options.clientLogLevel ?? 'warn') : KafkaLogLevel.NOTHING,
      logCreator: () => (entry) => {
        this.routeClientLog(entry);
      },
    });
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    this.assertOpen();
    const wanted = new Map<string, TopicSpec>();
    for (const spec of specs) {
      assertValidTopicName(spec.topic);
      wanted.set(spec.topic, spec);
    }
    if (wanted.size === 0) return;
    try {
      const admin = await this.connectedAdmin();
      const existing = new Set(await admin.listTopics());
      const missing = [...wanted.values()].filter((spec) => !existing.has(spec.topic));
      if (missing.length > 0) {
        // Another worker may create the same topics at the same moment; kafkajs treats "already
        // exists" as success, which is what we want.
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.partitions })),
        });
        this.log('info', 'created Kafka topics', { topics: missing.map((spec) => spec.topic) });
      }
      const present = [...wanted.values()].filter((spec) => existing.has(spec.topic));
      if (present.length > 0) {
        const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
        for (const topic of metadata.topics) {
          const spec = wanted.get(topic.name);
          // Adding partitions would move keys to other partitions and break per-patient order for
          // messages in flight, so a smaller topic is reported for an operator to decide, not fixed.
          if (spec && topic.partitions.length < spec.partitions) {
            this.log('warn', 'Kafka topic has fewer partitions than declared; leaving it as it is', {
              topic: topic.name,
              partitions: topic.partitions.length,
              declared: spec.partitions,
            });
          }
        }
      }
    } catch (error) {
      if (error instanceof MessagingError) throw error;
      throw new MessagingError(
        MessagingErrorCode.TOPIC_SETUP_FAILED,
        `could not set up Kafka topics: ${describeError(error)}`,
        { topics: [...wanted.keys()] },
        { cause: error },
      );
    }
  }

  async produce(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    if (messages.length === 0) return;
    const producer = await this.connectedProducer();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((message) => ({
          key: message.key,
          value: message.value,
          headers: message.headers ? { ...message.headers } : undefined,
        })),
      });
    } catch (error) {
      const unknownTopic = kafkaErrorTypes(error).includes('UNKNOWN_TOPIC_OR_PARTITION');
      throw new MessagingError(
        unknownTopic ? MessagingErrorCode.UNKNOWN_TOPIC : MessagingErrorCode.PRODUCE_FAILED,
        unknownTopic
          ? `Kafka topic ${topic} does not exist (call ensureTopics first)`
          : `Kafka did not acknowledge ${messages.length} message(s) to ${topic}: ${describeError(error)}`,
        { topic, count: messages.length },
        { cause: error },
      );
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    for (const topic of options.topics) assertValidTopicName(topic);
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // A paused (failing) partition is left out of fetches; with every partition paused kafkajs
      // sleeps this long before looking again, so it bounds how late a redelivery can be.
      maxWaitTimeInMs: 1_000,
      maxBytesPerPartition: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
    });
    const subscription = new KafkaSubscription(consumer, options, this.log, () => {
      this.subscriptions.delete(subscription);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      if (!restart) this.givenUpGroups.add(options.groupId);
      this.log(
        restart ? 'warn' : 'error',
        restart
          ? 'Kafka consumer crashed; kafkajs restarts it'
          : 'Kafka consumer crashed and will not restart',
        {
          groupId: options.groupId,
          error: describeError(error),
        },
      );
    });
    // Registered before connecting, so close() during a slow join still stops this consumer.
    this.subscriptions.add(subscription);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
      // Resolves once the group is joined and partitions are assigned (kafkajs joins before it
      // returns), so a caller that produces right after subscribing is not racing the assignment.
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Failure state (backoff, pause, seek) is kept per partition, so partitions may overlap.
        partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
        eachBatch: (payload) => subscription.handle(payload),
      });
    } catch (error) {
      this.subscriptions.delete(subscription);
      await consumer.disconnect().catch(() => undefined);
      throw new MessagingError(
        MessagingErrorCode.SUBSCRIBE_FAILED,
        `could not subscribe group ${options.groupId} to ${options.topics.join(', ')}: ${describeError(error)}`,
        { groupId: options.groupId, topics: [...options.topics] },
        { cause: error },
      );
    }
    return subscription;
  }

  isHealthy(): boolean {
    return this.closing === undefined && this.givenUpGroups.size === 0;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${this.pingTimeoutMs} ms`));
      }, this.pingTimeoutMs);
    });
    try {
      await Promise.race([this.connectedAdmin().then((admin) => admin.listTopics()), timeout]);
    } catch (error) {
      throw new MessagingError(
        MessagingErrorCode.BROKER_UNREACHABLE,
        `Kafka broker unreachable: ${describeError(error)}`,
        {},
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
      const [producer, admin] = [this.producer, this.admin];
      await Promise.all([
        producer?.then((connected) => connected.disconnect()).catch(() => undefined),
        admin?.then((connected) => connected.disconnect()).catch(() => undefined),
      ]);
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing)
      throw new MessagingError(MessagingErrorCode.TRANSPORT_CLOSED, 'the Kafka transport is closed');
  }

  private connectedProducer(): Promise<Producer> {
    const attempt = (this.producer ??= this.connectProducer());
    return attempt.catch((error: unknown) => {
      // Forget the failed attempt (unless a newer one replaced it) so the next call tries again.
      if (this.producer === attempt) this.producer = undefined;
      throw new MessagingError(
        MessagingErrorCode.BROKER_UNREACHABLE,
        `could not connect a Kafka producer: ${describeError(error)}`,
        {},
        { cause: error },
      );
    });
  }

  private async connectProducer(): Promise<Producer> {
    const producer = this.kafka.producer({
      // Retried sends are written once per partition, in order.
      idempotent: true,
      // kafkajs's idempotent producer keeps sequence numbers correct only with one request in
      // flight per broker; more can end in OutOfOrderSequence errors and reordered keys.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2 partitioning, so other clients put a patient's messages on the
      // same partition; naming it also silences kafkajs's v2 migration warning.
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs's idempotent default is to retry forever, which would hang produce() on a missing
      // topic or a dead broker. A bounded retry surfaces the error; callers (the outbox relay)
      // retry later and consumers are idempotent, so a duplicate is harmless.
      retry: { initialRetryTime: 300, retries: 6 },
    });
    await producer.connect();
    return producer;
  }

  private connectedAdmin(): Promise<Admin> {
    const attempt = (this.admin ??= this.connectAdmin());
    return attempt.catch((error: unknown) => {
      if (this.admin === attempt) this.admin = undefined;
      throw new MessagingError(
        MessagingErrorCode.BROKER_UNREACHABLE,
        `could not connect to Kafka: ${describeError(error)}`,
        {},
        { cause: error },
      );
    });
  }

  private async connectAdmin(): Promise<Admin> {
    const admin = this.kafka.admin();
    await admin.connect();
    return admin;
  }

  private routeClientLog(entry: LogEntry): void {
    const { message, ...fields } = entry.log as Record<string, unknown>;
    // The logger stamps its own time and names; kafkajs's copies would only repeat them.
    const details = Object.fromEntries(
      Object.entries(fields).filter(([name]) => name !== 'timestamp' && name !== 'logger'),
    );
    this.log(fromKafkaLogLevel(entry.level), `kafkajs ${entry.namespace}: ${String(message)}`, details);
  }
}

class KafkaSubscription implements Subscription {
  private readonly backoff: RetryBackoff;
  /** Consecutive failures per "topic:partition", for the doubling backoff. */
  private readonly failures = new Map<string, number>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: SubscribeOptions,
    private readonly log: MessagingLogger,
    private readonly onStopped: () => void,
  ) {
    this.backoff = options.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
  }

  async handle(payload: EachBatchPayload): Promise<void> {
    // Stale: a seek (our own rewind after a failure) is pending, so these messages will come again.
    if (!payload.isRunning() || payload.isStale() || this.stopping) return;
    const { batch } = payload;
    const { topic, partition } = batch;
    const messages = batch.messages.map(toIncomingMessage);
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (!first || !last) return;
    const partitionKey = `${topic}:${partition}`;

    try {
      await this.options.handleBatch({ topic, partition, messages, highWatermark: batch.highWatermark });
    } catch (error) {
      const failures = (this.failures.get(partitionKey) ?? 0) + 1;
      this.failures.set(partitionKey, failures);
      const retryInMs = backoffDelayMs(this.backoff, failures);
      this.log('warn', 'batch handler failed; the batch will be redelivered', {
        groupId: this.options.groupId,
        topic,
        partition,
        firstOffset: first.offset,
        lastOffset: last.offset,
        consecutiveFailures: failures,
        retryInMs,
        error: describeError(error),
      });
      // Nothing was resolved or committed. Pausing holds back only this partition; the seek rewinds
      // the fetch position to the first message of the batch, so the same batch comes back.
      const topicPartition = [{ topic, partitions: [partition] }];
      this.consumer.pause(topicPartition);
      this.consumer.seek({ topic, partition, offset: first.offset });
      const timer = setTimeout(() => {
        this.resumeTimers.delete(timer);
        if (!this.stopping) this.consumer.resume(topicPartition);
      }, retryInMs);
      this.resumeTimers.add(timer);
      return;
    }

    this.failures.delete(partitionKey);
    // kafkajs maps the last delivered offset to the batch's true last offset (past any filtered
    // transaction control record), so the next fetch starts after the whole batch.
    payload.resolveOffset(last.offset);
    await this.consumer.commitOffsets([
      { topic, partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() },
    ]);
    await payload.heartbeat();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const timer of this.resumeTimers) clearTimeout(timer);
      this.resumeTimers.clear();
      // kafkajs lets the batch in progress finish (and commit) before it leaves the group.
      await this.consumer.disconnect();
      this.onStopped();
    })();
    return this.stopping;
  }
}

function toIncomingMessage(message: KafkaMessage): IncomingMessage {
  return {
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    // A null value is a tombstone; ClinLoop topics are not compacted, so it carries nothing.
    value: message.value ?? Buffer.alloc(0),
    headers: decodeHeaders(message.headers),
    timestamp: new Date(Number(message.timestamp)),
  };
}

/** Kafka allows repeated header names; the interface has one value per name, so the last one wins. */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  if (!headers) return decoded;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return decoded;
}

/** kafkajs wraps protocol errors (retries exceeded -> cause -> ...); collect every `type` on the way. */
function kafkaErrorTypes(error: unknown): string[] {
  const types: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if ('type' in current && typeof current.type === 'string') types.push(current.type);
    current = current.cause;
  }
  return types;
}

function toKafkaLogLevel(level: MessagingLogLevel): KafkaLogLevel {
  switch (level) {
    case 'debug':
      return KafkaLogLevel.DEBUG;
    case 'info':
      return KafkaLogLevel.INFO;
    case 'warn':
      return KafkaLogLevel.WARN;
    case 'error':
      return KafkaLogLevel.ERROR;
  }
}

function fromKafkaLogLevel(level: KafkaLogLevel): MessagingLogLevel {
  switch (level) {
    case KafkaLogLevel.ERROR:
    case KafkaLogLevel.NOTHING:
      return 'error';
    case KafkaLogLevel.WARN:
      return 'warn';
    case KafkaLogLevel.INFO:
      return 'info';
    case KafkaLogLevel.DEBUG:
      return 'debug';
  }
}
