import { SignedCheckpoint } from './checkpoint';
import { CheckpointService } from './checkpoint.service';

export interface CheckpointScheduleOptions {
  /** Sign as soon as this many entries are not yet covered (AUDIT_CHECKPOINT_EVERY_ENTRIES). */
  readonly everyEntries: number;
  /** Sign at least this often while entries keep arriving (AUDIT_CHECKPOINT_INTERVAL_SECONDS). */
  readonly intervalMs: number;
  /** How often to look at the backlog; one cheap query. */
  readonly pollMs?: number;
  readonly onCheckpoint?: (checkpoint: SignedCheckpoint) => void;
  /** A failed round is retried at the next poll; the error goes here (log it). */
  readonly onError: (error: unknown) => void;
  readonly clock?: () => Date;
}

export interface CheckpointSchedule {
  /** Stops polling and waits for a checkpoint in progress. */
  stop(): Promise<void>;
}

/**
 * Checkpoints every N entries or every interval, whichever comes first, for a long-running process
 * (apps/worker). Several processes may run it: the service's advisory lock makes them take turns,
 * and a turn with nothing new signs nothing.
 */
export function startCheckpointSchedule(service: CheckpointService, options: CheckpointScheduleOptions): CheckpointSchedule {
  const clock = options.clock ?? (() => new Date());
  const pollMs = options.pollMs ?? Math.min(5_000, options.intervalMs);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const round = async (): Promise<void> => {
    try {
      const { uncovered, lastIssuedAt } = await service.backlog();
      const intervalPassed = lastIssuedAt === null || clock().getTime() - lastIssuedAt.getTime() >= options.intervalMs;
      if (uncovered >= options.everyEntries || (uncovered > 0 && intervalPassed)) {
        const { checkpoint, created } = await service.createCheckpoint();
        if (created) options.onCheckpoint?.(checkpoint);
      }
    } catch (error) {
      options.onError(error);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = round().finally(schedule);
    }, pollMs);
    // A schedule alone must not keep a process alive that is otherwise shutting down.
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
