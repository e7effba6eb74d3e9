export interface PollingJobOptions {
  /** Names the job in errors handed to onError. */
  readonly name: string;
  /** Pause between the end of one round and the start of the next. */
  readonly intervalMs: number;
  /** One round of work. A round never overlaps the previous one. */
  readonly run: () => Promise<void>;
  /** A failed round is retried at the next interval; the error goes here (log it). */
  readonly onError: (error: unknown, jobName: string) => void;
}

export interface PollingJob {
  /** Stops scheduling and waits for a round in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` (after the previous round ended) until stopped, for the scheduled
 * jobs of a long-running process: checkpoints, escalation, partitions. Rounds never overlap, a
 * failure never stops the job, and the timer never keeps a process alive that is shutting down.
 */
export function startPollingJob(options: PollingJobOptions): PollingJob {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const round = async (): Promise<void> => {
    try {
      await options.run();
    } catch (error) {
      options.onError(error, options.name);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = round().finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
