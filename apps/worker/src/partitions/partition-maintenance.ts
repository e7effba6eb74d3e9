import { Counter, Gauge, type Registry } from 'prom-client';
import { describeError } from '@clinloop/errors';
import type { ObservationPartitionsService, PartitionMaintenanceOutcome } from '@clinloop/observations';
import { startPollingJob, type PollingJob } from '@clinloop/scheduling';

/**
 * How often a running worker checks the partitions. Creating a month takes one round; the months
 * ahead (PARTITION_MONTHS_AHEAD) leave weeks of slack, so the hourly check is about noticing rows in
 * DEFAULT soon, not about creating in time.
 */
export const PARTITION_CHECK_INTERVAL_MS = 60 * 60_000;

export type PartitionLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  details?: Record<string, unknown>,
) => void;

/** Partition metrics, registered on the worker's registry (served at /metrics). */
export class PartitionMetrics {
  readonly defaultRows: Gauge;
  readonly created: Counter;
  readonly blockedMonths: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.defaultRows = new Gauge({
      name: 'clinloop_observations_default_partition_rows',
      help: 'Readings in the DEFAULT partition of observations (outside every monthly partition), at the last check.',
      registers,
    });
    this.created = new Counter({
      name: 'clinloop_observations_partitions_created_total',
      help: 'Monthly partitions of observations this process created.',
      registers,
    });
    this.blockedMonths = new Gauge({
      name: 'clinloop_observations_partitions_blocked_months',
      help: 'Months ahead whose partition cannot be created because DEFAULT already holds readings of them.',
      registers,
    });
  }
}

export interface PartitionMaintenanceOptions {
  readonly service: ObservationPartitionsService;
  readonly metrics?: PartitionMetrics;
  readonly log: PartitionLog;
  readonly clock?: () => Date;
  readonly intervalMs?: number;
}

/**
 * The scheduled partition job of a long-running worker: `runOnce()` at start (ingestion waits for
 * it), then `start()` keeps checking every interval. Each round creates the missing months ahead
 * (audited by the service) and reports the DEFAULT partition: a warning whenever rows arrived there
 * since the previous round, an error for a month that DEFAULT blocks.
 */
export class PartitionMaintenance {
  private lastDefaultRows: number | undefined;
  private job: PollingJob | undefined;

  constructor(private readonly options: PartitionMaintenanceOptions) {}

  async runOnce(): Promise<PartitionMaintenanceOutcome> {
    const now = (this.options.clock ?? (() => new Date()))();
    const outcome = await this.options.service.maintain(now);
    this.report(outcome);
    return outcome;
  }

  start(): void {
    this.job ??= startPollingJob({
      name: 'observation-partitions',
      intervalMs: this.options.intervalMs ?? PARTITION_CHECK_INTERVAL_MS,
      run: async () => {
        await this.runOnce();
      },
      onError: (error) => {
        this.options.log('error', `partition check failed, retried at the next one: ${describeError(error)}`);
      },
    });
  }

  async stop(): Promise<void> {
    await this.job?.stop();
    this.job = undefined;
  }

  private report(outcome: PartitionMaintenanceOutcome): void {
    const { metrics, log } = this.options;
    metrics?.defaultRows.set(outcome.defaultRows);
    metrics?.created.inc(outcome.created.length);
    metrics?.blockedMonths.set(outcome.blocked.length);
    if (outcome.created.length > 0)
      log('info', `created observation partitions ${outcome.created.join(', ')}`, {
        partitions: outcome.created,
      });
    for (const month of outcome.blocked)
      log(
        'error',
        `partition ${month.partition} cannot be created: ${month.rowsInDefault} reading(s) of that month are in observations_default; move them (docs/ingestion.md)`,
        { ...month },
      );
    const previous = this.lastDefaultRows;
    if (outcome.defaultRows > (previous ?? 0))
      log(
        'warn',
        previous === undefined
          ? `observations_default holds ${outcome.defaultRows} reading(s) outside every monthly partition`
          : `${outcome.defaultRows - previous} reading(s) landed in observations_default since the last check (${outcome.defaultRows} in all)`,
        { defaultRows: outcome.defaultRows, previousDefaultRows: previous ?? null },
      );
    this.lastDefaultRows = outcome.defaultRows;
  }
}
