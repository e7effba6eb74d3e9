import { startPollingJob } from '@clinloop/scheduling';
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
  return startPollingJob({
    name: 'audit-checkpoints',
    intervalMs: options.pollMs ?? Math.min(5_000, options.intervalMs),
    onError: (error) => options.onError(error),
    run: async () => {
      const { uncovered, lastIssuedAt } = await service.backlog();
      const intervalPassed = lastIssuedAt === null || clock().getTime() - lastIssuedAt.getTime() >= options.intervalMs;
      if (uncovered >= options.everyEntries || (uncovered > 0 && intervalPassed)) {
        const { checkpoint, created } = await service.createCheckpoint();
        if (created) options.onCheckpoint?.(checkpoint);
      }
    },
  });
}
