import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessagingError, MessagingErrorCode } from './errors';
import { InProcessStreamTransport, partitionForKey } from './in-process-stream-transport';
import {
  lagAfter,
  lagBefore,
  type MessageBatch,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
} from './stream-transport';

const FAST_RETRY = { initialMs: 5, maxMs: 20 };

/** Delivery is asynchronous; a generous limit keeps a busy 2-core CI machine from failing a correct run. */
function eventually(assertion: () => void): Promise<void> {
  return vi.waitFor(assertion, { timeout: 10_000, interval: 10 });
}

function message(key: string | null, text: string, headers?: Record<string, string>): OutgoingMessage {
  return { key, value: Buffer.from(text), headers };
}

function texts(batches: readonly MessageBatch[]): string[] {
  return batches.flatMap((batch) => batch.messages.map((m) => m.value.toString()));
}

describe('InProcessStreamTransport', () => {
  let transport: InProcessStreamTransport;
  const subscriptions: Subscription[] = [];

  async function subscribe(options: Omit<SubscribeOptions, 'retryBackoff'>): Promise<Subscription> {
    const subscription = await transport.subscribe({ ...options, retryBackoff: FAST_RETRY });
    subscriptions.push(subscription);
    return subscription;
  }

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    await transport.close();
  });

  it('delivers what was produced, with key, headers, offsets and timestamp', async () => {
    const at = new Date('2026-01-02T03:04:05Z');
    transport = new InProcessStreamTransport({ now: () => at });
    await transport.ensureTopics([{ topic: 'readings', partitions: 1 }]);
    await transport.produce('readings', [
      message('p-1', 'first', { source: 'cuff' }),
      message('p-1', 'second'),
    ]);

    const received: MessageBatch[] = [];
    await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: (batch) => {
        received.push(batch);
        return Promise.resolve();
      },
    });

    await eventually(() => {
      expect(texts(received)).toEqual(['first', 'second']);
    });
    const [first, second] = received.flatMap((batch) => batch.messages);
    expect(first).toMatchObject({ offset: '0', key: 'p-1', headers: { source: 'cuff' }, timestamp: at });
    expect(second).toMatchObject({ offset: '1', key: 'p-1', headers: {} });
  });

  it('cuts batches at maxBatchBytes and reports the high watermark: lag while behind, 0 once caught up', async () => {
    transport = new InProcessStreamTransport();
    await transport.ensureTopics([{ topic: 'readings', partitions: 1 }]);
    await transport.produce(
      'readings',
      ['aaaa', 'bbbb', 'cccc', 'dddddddddd', 'e'].map((text) => message('p-1', text)),
    );

    const received: MessageBatch[] = [];
    await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: true,
      maxBatchBytes: 8,
      handleBatch: (batch) => {
        received.push(batch);
        return Promise.resolve();
      },
    });

    await eventually(() => {
      expect(texts(received)).toHaveLength(5);
    });
    // 4 + 4 bytes fit; a 10-byte message exceeds the limit alone and still comes, by itself.
    expect(received.map((batch) => batch.messages.map((m) => m.value.toString()))).toEqual([
      ['aaaa', 'bbbb'],
      ['cccc'],
      ['dddddddddd'],
      ['e'],
    ]);
    expect(received.map((batch) => batch.highWatermark)).toEqual(['5', '5', '5', '5']);
    expect(received.map(lagAfter)).toEqual([3, 2, 1, 0]);
    expect(received.map(lagBefore)).toEqual([5, 3, 2, 1]);
  });

  it('commits only after the handler succeeded: a new member of the group resumes after the last success', async () => {
    transport = new InProcessStreamTransport();
    await transport.ensureTopics([{ topic: 'readings', partitions: 1 }]);
    await transport.produce('readings', [message('k', 'a'), message('k', 'b')]);

    const firstRun: MessageBatch[] = [];
    const first = await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: (batch) => {
        firstRun.push(batch);
        return Promise.resolve();
      },
    });
    await eventually(() => {
      expect(texts(firstRun)).toEqual(['a', 'b']);
    });
    await first.stop();

    await transport.produce('readings', [message('k', 'c')]);
    const secondRun: MessageBatch[] = [];
    await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: (batch) => {
        secondRun.push(batch);
        return Promise.resolve();
      },
    });
    await eventually(() => {
      expect(texts(secondRun)).toEqual(['c']);
    });
    expect(secondRun[0]?.messages[0]?.offset).toBe('2');
  });

  it('redelivers the same batch after a failed handler, and commits nothing until it succeeds', async () => {
    const warnings: string[] = [];
    transport = new InProcessStreamTransport({
      logger: (level, text) => {
        if (level === 'warn') warnings.push(text);
      },
    });
    await transport.ensureTopics([{ topic: 'readings', partitions: 1 }]);
    await transport.produce('readings', [message('k', 'a'), message('k', 'b')]);

    const attempts: MessageBatch[] = [];
    let failing = true;
    const failingMember = await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: (batch) => {
        attempts.push(batch);
        return failing ? Promise.reject(new Error('database down')) : Promise.resolve();
      },
    });
    await eventually(() => {
      expect(attempts.length).toBeGreaterThanOrEqual(3);
    });
    for (const attempt of attempts) expect(attempt.messages.map((m) => m.offset)).toEqual(['0', '1']);
    expect(warnings.length).toBeGreaterThanOrEqual(2);

    // Still failing: nothing is committed, so another member of the group starts from offset 0.
    await failingMember.stop();
    const replay: MessageBatch[] = [];
    failing = false;
    await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: false,
      handleBatch: (batch) => {
        replay.push(batch);
        return Promise.resolve();
      },
    });
    await eventually(() => {
      expect(texts(replay)).toEqual(['a', 'b']);
    });
  });

  it('holds back only the failing partition; other partitions keep flowing', async () => {
    transport = new InProcessStreamTransport();
    const keyA = 'patient-a';
    const keyB = [...Array(50).keys()]
      .map((n) => `patient-${n}`)
      .find((key) => partitionForKey(key, 2) !== partitionForKey(keyA, 2));
    if (!keyB) throw new Error('no key on the other partition');
    await transport.ensureTopics([{ topic: 'readings', partitions: 2 }]);

    const delivered: string[] = [];
    await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: (batch) => {
        if (batch.messages.some((m) => m.key === keyA)) return Promise.reject(new Error('poison'));
        delivered.push(...batch.messages.map((m) => m.value.toString()));
        return Promise.resolve();
      },
    });
    await transport.produce('readings', [message(keyA, 'stuck'), message(keyB, 'flows-1')]);
    await transport.produce('readings', [message(keyB, 'flows-2')]);
    await eventually(() => {
      expect(delivered).toEqual(['flows-1', 'flows-2']);
    });
  });

  it('keeps the order of messages with the same key, across produce calls and partitions', async () => {
    transport = new InProcessStreamTransport({ maxBatchSize: 3 });
    await transport.ensureTopics([{ topic: 'readings', partitions: 4 }]);
    const keys = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'];
    for (let round = 0; round < 6; round++) {
      await transport.produce(
        'readings',
        keys.map((key) => message(key, String(round))),
      );
    }

    const seen = new Map<string, { partitions: Set<number>; sequence: number[] }>();
    await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: async (batch) => {
        // Yield mid-batch: ordering must not depend on handlers finishing synchronously.
        await new Promise((resolve) => setTimeout(resolve, 1));
        for (const m of batch.messages) {
          const entry = seen.get(m.key ?? '') ?? { partitions: new Set<number>(), sequence: [] };
          entry.partitions.add(batch.partition);
          entry.sequence.push(Number(m.value.toString()));
          seen.set(m.key ?? '', entry);
        }
      },
    });

    await eventually(() => {
      expect([...seen.values()].reduce((sum, entry) => sum + entry.sequence.length, 0)).toBe(30);
    });
    for (const key of keys) {
      expect(seen.get(key)?.sequence).toEqual([0, 1, 2, 3, 4, 5]);
      expect(seen.get(key)?.partitions.size).toBe(1);
    }
  });

  it('keeps consumer groups independent: each reads everything, one failing does not hold back the other', async () => {
    transport = new InProcessStreamTransport();
    await transport.ensureTopics([{ topic: 'readings', partitions: 1 }]);
    const alwaysFailing: number[] = [];
    const healthy: string[] = [];
    await subscribe({
      groupId: 'alerts',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: (batch) => {
        alwaysFailing.push(batch.messages.length);
        return Promise.reject(new Error('broken'));
      },
    });
    await subscribe({
      groupId: 'persistence',
      topics: ['readings'],
      fromBeginning: true,
      handleBatch: (batch) => {
        healthy.push(...batch.messages.map((m) => m.value.toString()));
        return Promise.resolve();
      },
    });
    await transport.produce('readings', [message('k', 'a'), message('k', 'b')]);

    await eventually(() => {
      expect(healthy).toEqual(['a', 'b']);
      expect(alwaysFailing.length).toBeGreaterThanOrEqual(2);
    });
  });

  it('splits partitions between members of one group without delivering a message twice', async () => {
    transport = new InProcessStreamTransport();
    await transport.ensureTopics([{ topic: 'readings', partitions: 4 }]);
    const byMember = new Map<string, number[]>();
    for (const member of ['worker-1', 'worker-2']) {
      byMember.set(member, []);
      await subscribe({
        groupId: 'g',
        topics: ['readings'],
        fromBeginning: true,
        handleBatch: (batch) => {
          byMember.get(member)?.push(...batch.messages.map((m) => Number(m.value.toString())));
          return Promise.resolve();
        },
      });
    }
    await transport.produce(
      'readings',
      [...Array(40).keys()].map((n) => message(`patient-${n}`, String(n))),
    );

    await eventually(() => {
      const all = [...byMember.values()].flat();
      expect(all.toSorted((a, b) => a - b)).toEqual([...Array(40).keys()]);
    });
    expect(byMember.get('worker-1')?.length).toBeGreaterThan(0);
    expect(byMember.get('worker-2')?.length).toBeGreaterThan(0);
  });

  it('starts a new group at the end when fromBeginning is false', async () => {
    transport = new InProcessStreamTransport();
    await transport.ensureTopics([{ topic: 'readings', partitions: 1 }]);
    await transport.produce('readings', [message('k', 'old')]);
    const received: MessageBatch[] = [];
    await subscribe({
      groupId: 'g',
      topics: ['readings'],
      fromBeginning: false,
      handleBatch: (batch) => {
        received.push(batch);
        return Promise.resolve();
      },
    });
    await transport.produce('readings', [message('k', 'new')]);
    await eventually(() => {
      expect(texts(received)).toEqual(['new']);
    });
  });

  it('rejects a topic that was never set up, and everything after close', async () => {
    transport = new InProcessStreamTransport();
    await expect(transport.produce('nowhere', [message(null, 'x')])).rejects.toMatchObject({
      code: MessagingErrorCode.UNKNOWN_TOPIC,
    });
    await transport.close();
    expect(transport.isHealthy()).toBe(false);
    await expect(transport.ping()).rejects.toBeInstanceOf(MessagingError);
    await expect(transport.ensureTopics([{ topic: 'readings', partitions: 1 }])).rejects.toMatchObject({
      code: MessagingErrorCode.TRANSPORT_CLOSED,
    });
  });
});
