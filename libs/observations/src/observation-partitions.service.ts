import { DataSource, EntityManager } from 'typeorm';
import { withTransaction } from '@clinloop/database';
import type { AuditTrail } from './audit-trail';

/** Months the worker keeps created ahead, from the current one (the migration made six at install). */
export const PARTITION_MONTHS_AHEAD = 3;

/** One advisory-lock key for "someone is changing the partitions of observations" (hashtext of the name). */
const PARTITIONS_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('observations.partitions'))`;

export interface MonthBlockedByDefault {
  /** The partition that could not be created, e.g. `observations_y2027m03`. */
  readonly partition: string;
  /** Readings of that month already in the DEFAULT partition. */
  readonly rowsInDefault: number;
}

export interface PartitionMaintenanceOutcome {
  /** Partitions this round created (empty when they all existed: the usual round). */
  readonly created: readonly string[];
  /**
   * Months that have readings in DEFAULT already: PostgreSQL refuses to create their partition
   * (the rows would violate DEFAULT's new constraint) until an operator moves them (docs/ingestion.md).
   */
  readonly blocked: readonly MonthBlockedByDefault[];
  /** Rows in the DEFAULT partition now. */
  readonly defaultRows: number;
}

export interface ObservationPartitionsOptions {
  readonly monthsAhead?: number;
  /** Names the writer in the audit trail, e.g. `worker.partitions`. */
  readonly component: string;
}

/**
 * Keeps the monthly partitions of `observations` created ahead of time, for a long-running worker,
 * and reports what lands in the DEFAULT partition. Idempotent: a round with every partition in place
 * changes nothing and audits nothing. Creating partitions changes schema state, so a round that
 * creates any appends one audit entry (`observations.partitions.create`, system actor) in the same
 * transaction. Several workers may run it at once: an advisory lock makes them take turns.
 *
 * Partitions are created through `ensure_observation_partitions` (SECURITY DEFINER), because the
 * application role may not CREATE in the schema.
 */
export class ObservationPartitionsService {
  private readonly monthsAhead: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly options: ObservationPartitionsOptions,
  ) {
    this.monthsAhead = options.monthsAhead ?? PARTITION_MONTHS_AHEAD;
  }

  /** One round, for the month of `now` (UTC) and the months after it. */
  async maintain(now: Date): Promise<PartitionMaintenanceOutcome> {
    return withTransaction(this.dataSource, async (manager) => {
      await manager.query(PARTITIONS_LOCK_SQL);
      const existing = new Set(await partitionNames(manager));
      const created: string[] = [];
      const blocked: MonthBlockedByDefault[] = [];
      for (const month of monthsFrom(now, this.monthsAhead)) {
        const partition = partitionName(month);
        if (existing.has(partition)) continue;
        const rowsInDefault = await countDefaultRows(manager, month, nextMonth(month));
        if (rowsInDefault > 0) {
          blocked.push({ partition, rowsInDefault });
          continue;
        }
        await manager.query('SELECT ensure_observation_partitions($1::date, 1)', [isoDay(month)]);
        created.push(partition);
      }
      if (created.length > 0) {
        await this.audit.append(manager, [
          {
            actor: { type: 'system', component: this.options.component },
            action: 'observations.partitions.create',
            resource: { type: 'observation_partitions', id: null },
            patientId: null,
            outcome: 'success',
            requestId: null,
            payload: { partitions: created, monthsAhead: this.monthsAhead, asOf: isoDay(now) },
          },
        ]);
      }
      return { created, blocked, defaultRows: await countDefaultRows(manager, null, null) };
    });
  }
}

/** `observations_yYYYYmMM`, the name ensure_observation_partitions gives a month's partition. */
export function partitionName(monthStart: Date): string {
  const month = String(monthStart.getUTCMonth() + 1).padStart(2, '0');
  return `observations_y${monthStart.getUTCFullYear()}m${month}`;
}

/** The first day (UTC) of the month of `now` and of the `count - 1` months after it. */
export function monthsFrom(now: Date, count: number): Date[] {
  return Array.from(
    { length: count },
    (_, index) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + index, 1)),
  );
}

function nextMonth(monthStart: Date): Date {
  return new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1));
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function partitionNames(manager: EntityManager): Promise<string[]> {
  const rows = await manager.query<{ name: string }[]>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'observations'::regclass`,
  );
  return rows.map((row) => row.name);
}

/** Rows in DEFAULT, all of them or those of one month. Cheap: DEFAULT holds strays only. */
async function countDefaultRows(manager: EntityManager, from: Date | null, to: Date | null): Promise<number> {
  const [row] = await manager.query<{ n: string }[]>(
    from && to
      ? 'SELECT count(*) AS n FROM observations_default WHERE measured_at >= $1 AND measured_at < $2'
      : 'SELECT count(*) AS n FROM observations_default',
    from && to ? [from.toISOString(), to.toISOString()] : [],
  );
  return Number(row?.n ?? 0);
}
