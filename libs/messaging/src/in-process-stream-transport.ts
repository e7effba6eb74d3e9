import { describeError } from '@clinloop/errors';
import { MessagingError, MessagingErrorCode } from './errors';
import {
  backoffDelayMs,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_RETRY_BACKOFF,
  silentMessagingLogger,
  type IncomingMessage,
  type MessageBatch,
  type MessagingLogger,
  type OutgoingMessage,
  type StreamTransport,
  type SubscribeOptions,
  type Subscription,
  type TopicSpec,
} from './stream-transport';
import { assertValidTopicName } from './topics';

export interface InProcessStreamTransportOptions {
  readonly logger?: MessagingLogger;
  /** Most messages handed to one handleBatch call (Kafka bounds batches by bytes; this is close enough). */
  readonly maxBatchSize?: number;
  /** Clock for message timestamps; injectable so tests can pin it. */
  readonly now?: () => Date;
}

interface StoredMessage {
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: Date;
}

interface Member {
  readonly id: number;
  readonly options: SubscribeOptions;
  active: boolean;
}

/** One consumer group's view of one partition: where it is, and whether a batch is out. */
interface PartitionCursor {
  committed: number;
  inFlight: Promise<void> | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  consecutiveFailures: number;
}

interface GroupState {
  readonly members: Member[];
  /** Keyed by "topic\0partition"; NUL cannot occur in topic names. */
  readonly cursors: Map<string, PartitionCursor>;
}

/**
 * StreamTransport held in this process's memory, for the embedded demo when no broker is configured.
 * It keeps the semantics the consumers rely on - partition by key, order per partition, offsets per
 * consumer group committed only after the handler succeeds, redelivery with backoff - but nothing
 * survives a restart and nothing leaves the process. Tests of the pipeline use a real broker.
 */
export class InProcessStreamTransport implements StreamTransport {
  private readonly log: MessagingLogger;
  private readonly maxBatchSize: number;
  private readonly now: () => Date;
  private readonly topics = new Map<string, StoredMessage[][]>();
  private readonly groups = new Map<string, GroupState>();
  private nextMemberId = 1;
  private closing: Promise<void> | undefined;

  constructor(options: InProcessStreamTransportOptions = {}) {
    this.log = options.logger ?? silentMessagingLogger;
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.now = options.now ?? (() => new Date());
  }

  ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    return settle(() => {
      this.assertOpen();
      for (const spec of specs) this.createTopic(spec);
    });
  }

  produce(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    return settle(() => {
      this.assertOpen();
      this.append(topic, messages);
    });
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    return settle(() => {
      this.assertOpen();
      return this.join(options);
    });
  }

  isHealthy(): boolean {
    return this.closing === undefined;
  }

  ping(): Promise<void> {
    return settle(() => {
      if (this.closing)
        throw new MessagingError(MessagingErrorCode.BROKER_UNREACHABLE, 'the in-process transport is closed');
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const leaving: Promise<void>[] = [];
      for (const [groupId, group] of this.groups) {
        for (const member of [...group.members]) leaving.push(this.leave(groupId, member));
      }
      await Promise.all(leaving);
    })();
    return this.closing;
  }

  private createTopic(spec: TopicSpec): void {
    assertValidTopicName(spec.topic);
    const existing = this.topics.get(spec.topic);
    if (existing) {
      if (existing.length < spec.partitions) {
        this.log('warn', 'topic has fewer partitions than declared; leaving it as it is', {
          topic: spec.topic,
          partitions: existing.length,
          declared: spec.partitions,
        });
      }
      return;
    }
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw new MessagingError(
        MessagingErrorCode.TOPIC_SETUP_FAILED,
        `topic ${spec.topic} needs at least one partition`,
        {
          topic: spec.topic,
          partitions: spec.partitions,
        },
      );
    }
    this.topics.set(
      spec.topic,
      Array.from({ length: spec.partitions }, () => []),
    );
  }

  private append(topic: string, messages: readonly OutgoingMessage[]): void {
    const partitions = this.partitionsOf(topic);
    let roundRobin = 0;
    const touched = new Set<number>();
    for (const message of messages) {
      const partition =
        message.key === null
          ? roundRobin++ % partitions.length
          : partitionForKey(message.key, partitions.length);
      // Copies, as a broker would: a producer reusing its buffer must not change what consumers read.
      partitions[partition]?.push({
        key: message.key,
        value: Buffer.from(message.value),
        headers: { ...message.headers },
        timestamp: this.now(),
      });
      touched.add(partition);
    }
    for (const partition of touched) this.wakeGroupsReading(topic, partition);
  }

  private join(options: SubscribeOptions): Subscription {
    for (const topic of options.topics) this.partitionsOf(topic);
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = { members: [], cursors: new Map() };
      this.groups.set(options.groupId, group);
    }
    const member: Member = { id: this.nextMemberId++, options, active: true };
    group.members.push(member);
    const joined = group;

    // Like Kafka: a group without a committed offset starts at the oldest message or at the end.
    for (const topic of options.topics) {
      this.partitionsOf(topic).forEach((log, partition) => {
        const key = cursorKey(topic, partition);
        if (!joined.cursors.has(key)) {
          joined.cursors.set(key, {
            committed: options.fromBeginning ? 0 : log.length,
            inFlight: undefined,
            retryTimer: undefined,
            consecutiveFailures: 0,
          });
        }
      });
    }
    // A new member can change who owns which partition; let every partition look again.
    this.wakeGroup(options.groupId);

    let stopping: Promise<void> | undefined;
    return {
      stop: () => {
        stopping ??= this.leave(options.groupId, member);
        return stopping;
      },
    };
  }

  private assertOpen(): void {
    if (this.closing)
      throw new MessagingError(MessagingErrorCode.TRANSPORT_CLOSED, 'the in-process transport is closed');
  }

  private partitionsOf(topic: string): StoredMessage[][] {
    const partitions = this.topics.get(topic);
    if (!partitions) {
      throw new MessagingError(
        MessagingErrorCode.UNKNOWN_TOPIC,
        `topic ${topic} does not exist (call ensureTopics first)`,
        { topic },
      );
    }
    return partitions;
  }

  private async leave(groupId: string, member: Member): Promise<void> {
    const group = this.groups.get(groupId);
    if (!group) return;
    member.active = false;
    const index = group.members.indexOf(member);
    if (index >= 0) group.members.splice(index, 1);
    // Like a Kafka consumer leaving its group: the batch in progress finishes (and commits) first.
    await Promise.all(
      [...group.cursors.values()].flatMap((cursor) => (cursor.inFlight ? [cursor.inFlight] : [])),
    );
    if (group.members.length === 0) {
      for (const cursor of group.cursors.values()) {
        clearTimeout(cursor.retryTimer);
        cursor.retryTimer = undefined;
      }
    } else {
      this.wakeGroup(groupId);
    }
  }

  private wakeGroupsReading(topic: string, partition: number): void {
    for (const [groupId, group] of this.groups) {
      if (group.members.some((member) => member.options.topics.includes(topic)))
        this.pump(groupId, topic, partition);
    }
  }

  private wakeGroup(groupId: string): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    const topics = new Set(group.members.flatMap((member) => member.options.topics));
    for (const topic of topics) {
      this.partitionsOf(topic).forEach((_, partition) => {
        this.pump(groupId, topic, partition);
      });
    }
  }

  /**
   * Delivers the next batch of one partition to the group member that owns it, unless a batch is
   * already out or a retry is pending: at most one batch per partition and group at a time is what
   * keeps messages of one key in order.
   */
  private pump(groupId: string, topic: string, partition: number): void {
    const group = this.groups.get(groupId);
    const cursor = group?.cursors.get(cursorKey(topic, partition));
    if (!group || !cursor || cursor.inFlight || cursor.retryTimer || this.closing) return;
    const owner = ownerOf(group.members, topic, partition);
    const log = this.topics.get(topic)?.[partition];
    if (!owner || !log || cursor.committed >= log.length) return;

    const from = cursor.committed;
    const upTo = batchEnd(
      log,
      from,
      this.maxBatchSize,
      owner.options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
    );
    const batch: MessageBatch = {
      topic,
      partition,
      messages: log.slice(from, upTo).map((stored, index): IncomingMessage => ({
        offset: String(from + index),
        key: stored.key,
        // Each delivery gets its own copy, so a handler that mutates its buffer cannot change a redelivery.
        value: Buffer.from(stored.value),
        headers: stored.headers,
        timestamp: stored.timestamp,
      })),
      highWatermark: String(log.length),
    };

    cursor.inFlight = (async () => {
      // Never run the handler inside the producer's call stack: produce() must return first, as it would with a broker.
      await Promise.resolve();
      try {
        await owner.options.handleBatch(batch);
        cursor.committed = upTo;
        cursor.consecutiveFailures = 0;
      } catch (error) {
        cursor.consecutiveFailures += 1;
        const retryInMs = backoffDelayMs(
          owner.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
          cursor.consecutiveFailures,
        );
        this.log('warn', 'batch handler failed; the batch will be redelivered', {
          groupId,
          topic,
          partition,
          firstOffset: String(from),
          lastOffset: String(upTo - 1),
          consecutiveFailures: cursor.consecutiveFailures,
          retryInMs,
          error: describeError(error),
        });
        cursor.retryTimer = setTimeout(() => {
          cursor.retryTimer = undefined;
          this.pump(groupId, topic, partition);
        }, retryInMs);
        return;
      } finally {
        cursor.inFlight = undefined;
      }
      this.pump(groupId, topic, partition);
    })();
  }
}

/** End (exclusive) of the batch from `from`: at most `maxMessages` and `maxBytes` of values, at least one message. */
function batchEnd(
  log: readonly StoredMessage[],
  from: number,
  maxMessages: number,
  maxBytes: number,
): number {
  let upTo = from;
  let bytes = 0;
  const limit = Math.min(log.length, from + maxMessages);
  while (upTo < limit) {
    bytes += log[upTo]?.value.length ?? 0;
    if (upTo > from && bytes > maxBytes) break;
    upTo++;
  }
  return upTo;
}

/** Runs synchronous work as a promise, so its errors arrive as rejections like the Kafka transport's. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}

/**
 * Range-style assignment: the members reading a topic share its partitions by index. Decided at
 * each delivery, so members joining or leaving simply move partitions on the next batch.
 */
function ownerOf(members: readonly Member[], topic: string, partition: number): Member | undefined {
  const readers = members.filter((member) => member.active && member.options.topics.includes(topic));
  return readers[partition % Math.max(readers.length, 1)];
}

function cursorKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/** FNV-1a: stable across runs and processes, which is all per-key ordering needs here. */
export function partitionForKey(key: string, partitionCount: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitionCount;
}
