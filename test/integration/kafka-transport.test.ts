import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  KafkaStreamTransport,
  lagAfter,
  pingStream,
  topicFor,
  Topics,
  type IncomingMessage,
  type MessageBatch,
  type MessagingLogLevel,
} from '@clinloop/messaging';

/**
 * The Kafka adapter against a real broker (test/global-setup.ts provides it: KAFKA_BROKERS, or a
 * local KRaft broker). Topics and consumer groups carry a run id so reruns against a long-lived
 * broker never see each other's messages.
 *
 * Committed offsets are read with kafkajs's admin client directly, on purpose: the claim under test is
 * what the broker holds, so it is checked from outside the adapter rather than through it.
 */

const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const readTopic = topicFor(Topics.wearableReadings.name, `kafka-transport-${runId}`);
const retryTopic = topicFor(Topics.wearableReadings.name, `kafka-transport-retry-${runId}`);
const lagTopic = topicFor(Topics.wearableReadings.name, `kafka-transport-lag-${runId}`);

function brokersFromSetup(): string[] {
  const provided = inject('kafkaBrokers');
  // Never skip: without a broker this file must fail, in CI and locally alike.
  if (!provided)
    throw new Error('test/global-setup.ts did not provide kafkaBrokers; the Kafka tests need a real broker');
  return provided.split(',');
}

describe('KafkaStreamTransport against a real broker', () => {
  const brokers = brokersFromSetup();
  const logs: { level: MessagingLogLevel; message: string }[] = [];
  let transport: KafkaStreamTransport;
  let admin: Admin;

  beforeAll(async () => {
    transport = new KafkaStreamTransport({
      brokers,
      clientId: `kafka-transport-test-${runId}`,
      logger: (level, message) => logs.push({ level, message }),
    });
    admin = new Kafka({
      clientId: `kafka-transport-test-admin-${runId}`,
      brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await transport.ensureTopics([
      { topic: readTopic, partitions: 3 },
      { topic: retryTopic, partitions: 1 },
      { topic: lagTopic, partitions: 1 },
    ]);
  });

  afterAll(async () => {
    await transport.close();
    await admin.deleteTopics({ topics: [readTopic, retryTopic, lagTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function committedOffset(
    groupId: string,
    topic: string,
    partition: number,
  ): Promise<string | undefined> {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry?.partitions.find((p) => p.partition === partition)?.offset;
  }

  it('answers a readiness ping and sets topics up idempotently', async () => {
    await expect(transport.ping()).resolves.toBeUndefined();
    expect(await pingStream(transport)).toBe(true);
    await transport.ensureTopics([{ topic: readTopic, partitions: 3 }]);
    const metadata = await admin.fetchTopicMetadata({ topics: [readTopic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
  });

  it('reads back through the adapter what it produced, in order per key', async () => {
    const producedAt = Date.now();
    const keys = ['patient-1', 'patient-2', 'patient-3'];
    for (let round = 0; round < 3; round++) {
      await transport.produce(
        readTopic,
        keys.map((key) => ({
          key,
          value: Buffer.from(JSON.stringify({ key, round })),
          headers: { 'content-type': 'application/json', round: String(round) },
        })),
      );
    }

    const received: { partition: number; message: IncomingMessage }[] = [];
    const subscription = await transport.subscribe({
      groupId: `kafka-transport-read-${runId}`,
      topics: [readTopic],
      fromBeginning: true,
      handleBatch: (batch) => {
        for (const message of batch.messages) received.push({ partition: batch.partition, message });
        return Promise.resolve();
      },
    });
    try {
      await vi.waitFor(
        () => {
          expect(received).toHaveLength(9);
        },
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      await subscription.stop();
    }

    for (const key of keys) {
      const ofKey = received.filter((entry) => entry.message.key === key);
      expect(ofKey.map((entry) => JSON.parse(entry.message.value.toString()) as unknown)).toEqual([
        { key, round: 0 },
        { key, round: 1 },
        { key, round: 2 },
      ]);
      expect(new Set(ofKey.map((entry) => entry.partition)).size).toBe(1);
      expect(ofKey.map((entry) => entry.message.headers.round)).toEqual(['0', '1', '2']);
      expect(ofKey[0]?.message.headers['content-type']).toBe('application/json');
      expect(ofKey[0]?.message.timestamp.getTime()).toBeGreaterThanOrEqual(producedAt - 5_000);
    }
  });

  it("carries the partition's high watermark: offset lag while behind, 0 once caught up", async () => {
    // Separate produce calls make separate record batches; with a 1-byte fetch limit the broker
    // returns one of them per fetch, so the consumer reads the partition in five steps.
    for (let index = 0; index < 5; index++)
      await transport.produce(lagTopic, [{ key: 'patient-7', value: Buffer.from(`reading-${index}`) }]);

    const batches: MessageBatch[] = [];
    const subscription = await transport.subscribe({
      groupId: `kafka-transport-lag-${runId}`,
      topics: [lagTopic],
      fromBeginning: true,
      maxBatchBytes: 1,
      handleBatch: (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
    });
    try {
      await vi.waitFor(
        () => {
          expect(batches.flatMap((batch) => batch.messages)).toHaveLength(5);
        },
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      await subscription.stop();
    }

    expect(batches.length).toBeGreaterThan(1);
    expect(new Set(batches.map((batch) => batch.highWatermark))).toEqual(new Set(['5']));
    const lags = batches.map(lagAfter);
    expect(lags[0]).toBeGreaterThan(0);
    expect(lags[lags.length - 1]).toBe(0);
    // Lag only shrinks as the consumer reads on.
    expect([...lags].sort((a, b) => b - a)).toEqual(lags);
  });

  it('redelivers a batch whose handler threw, and commits its offsets only after the handler succeeded', async () => {
    const groupId = `kafka-transport-retry-${runId}`;
    await transport.produce(retryTopic, [
      { key: 'patient-9', value: Buffer.from('reading-1') },
      { key: 'patient-9', value: Buffer.from('reading-2') },
    ]);

    const attempts: MessageBatch[] = [];
    const committedDuringAttempts: (string | undefined)[] = [];
    const subscription = await transport.subscribe({
      groupId,
      topics: [retryTopic],
      fromBeginning: true,
      retryBackoff: { initialMs: 200, maxMs: 200 },
      handleBatch: async (batch) => {
        attempts.push(batch);
        committedDuringAttempts.push(await committedOffset(groupId, retryTopic, batch.partition));
        if (attempts.length === 1) throw new Error('transient failure (e.g. database restarting)');
      },
    });
    try {
      await vi.waitFor(
        async () => {
          expect(await committedOffset(groupId, retryTopic, 0)).toBe('2');
        },
        { timeout: 30_000, interval: 200 },
      );
    } finally {
      await subscription.stop();
    }

    expect(attempts).toHaveLength(2);
    const offsets = attempts.map((batch) => batch.messages.map((m) => m.offset));
    expect(offsets[0]).toEqual(['0', '1']);
    expect(offsets[1]).toEqual(offsets[0]);
    expect(attempts[1]?.messages.map((m) => m.value.toString())).toEqual(['reading-1', 'reading-2']);
    // Kafka reports "-1" for a group with no committed offset: nothing was committed before success.
    expect(committedDuringAttempts).toEqual(['-1', '-1']);
    expect(
      logs.some((entry) => entry.level === 'warn' && entry.message.includes('will be redelivered')),
    ).toBe(true);

    // A new member of the group continues after the committed batch instead of reading it again.
    await transport.produce(retryTopic, [{ key: 'patient-9', value: Buffer.from('reading-3') }]);
    const afterRestart: MessageBatch[] = [];
    const restarted = await transport.subscribe({
      groupId,
      topics: [retryTopic],
      fromBeginning: true,
      handleBatch: (batch) => {
        afterRestart.push(batch);
        return Promise.resolve();
      },
    });
    try {
      await vi.waitFor(
        () => {
          expect(afterRestart.flatMap((batch) => batch.messages.map((m) => m.value.toString()))).toEqual([
            'reading-3',
          ]);
        },
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      await restarted.stop();
    }
  });
});
