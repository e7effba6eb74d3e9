import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPollingJob } from './polling-job';

describe('startPollingJob', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a round per interval, never two at once, and keeps going after a failure', async () => {
    vi.useFakeTimers();
    let running = 0;
    let maxConcurrent = 0;
    let rounds = 0;
    const errors: string[] = [];
    const job = startPollingJob({
      name: 'test-job',
      intervalMs: 100,
      run: async () => {
        running++;
        maxConcurrent = Math.max(maxConcurrent, running);
        rounds++;
        await new Promise((resolve) => setTimeout(resolve, 250));
        running--;
        if (rounds === 1) throw new Error('first round fails');
      },
      onError: (error, name) => errors.push(`${name}: ${(error as Error).message}`),
    });
    await vi.advanceTimersByTimeAsync(1_000);
    const stopping = job.stop();
    await vi.advanceTimersByTimeAsync(250);
    await stopping;
    expect(maxConcurrent).toBe(1);
    // 100 ms pause + 250 ms round = one round per 350 ms.
    expect(rounds).toBe(3);
    expect(errors).toEqual(['test-job: first round fails']);
  });

  it('stop waits for the round in progress and schedules no more', async () => {
    vi.useFakeTimers();
    let finished = 0;
    const job = startPollingJob({
      name: 'slow',
      intervalMs: 10,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        finished++;
      },
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(20);
    const stopping = job.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopping;
    expect(finished).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(finished).toBe(1);
  });
});
