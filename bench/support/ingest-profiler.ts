/**
 * Where an ingestion run spends its time, for bench/ingestion.bench.ts: every SQL statement of the
 * ingesting data source (timed by TypeORM itself through `maxQueryExecutionTime` + `logQuerySlow`,
 * so the service under test is not touched), whole transactions (BEGIN -> COMMIT wall time, with
 * the Node-side gaps), GC pauses, event-loop delay, and the server's WAL / checkpoint counters.
 * The WAL and checkpoint counters are server-wide: on a shared server they include other databases.
 */
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { DataSource, Logger, QueryRunner } from 'typeorm';
import { binaryArrayLength } from '@clinloop/database';

/** What a statement is, from its text: the stages of one ingest transaction. */
const STAGES: readonly (readonly [stage: string, matches: (sql: string) => boolean])[] = [
  ['begin', (sql) => sql.startsWith('START TRANSACTION') || sql.startsWith('SET TRANSACTION')],
  ['device lookup', (sql) => sql.includes('FROM devices d LEFT JOIN device_bindings')],
  ['insert', (sql) => sql.includes('INSERT INTO observations ')],
  ['feature windows: lock rows', (sql) => sql.includes('FOR UPDATE OF w')],
  ['feature windows: read changed days', (sql) => sql.includes('AS t(patient_id, day) ON a.patient_id = t.patient_id')],
  ['feature windows: mark days stale', (sql) => sql.includes('DO UPDATE SET stale = true')],
  ['feature windows: day readings', (sql) => sql.includes('WITH days AS')],
  ['feature windows: write days', (sql) => sql.includes('INSERT INTO observation_daily_aggregates AS a (patient_id, day, stale, last_session_started_at')],
  ['feature windows: sum days anew', (sql) => sql.includes('WITH w AS')],
  ['feature windows: write windows', (sql) => sql.includes('INSERT INTO patient_feature_windows')],
  ['jit off', (sql) => sql.includes('SET LOCAL jit')],
  ['alert rules', (sql) => /\balert/.test(sql)],
  ['inference queue', (sql) => sql.includes('INSERT INTO inference_queue')],
  ['audit lock', (sql) => sql.includes('FROM audit_chain_head WHERE id = 1 FOR UPDATE')],
  ['audit insert', (sql) => sql.includes('INSERT INTO audit_entries')],
  ['commit', (sql) => sql === 'COMMIT'],
];

export interface TimingSummary {
  readonly count: number;
  readonly totalMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarize(values: readonly number[]): TimingSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (quantile: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
  return {
    count: sorted.length,
    totalMs: sorted.reduce((sum, value) => sum + value, 0),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}

interface ServerCounters {
  readonly walBytes: number;
  readonly walFpi: number;
  readonly checkpointsTimed: number;
  readonly checkpointsRequested: number;
  readonly buffersBackend: number;
}

export interface IngestProfile {
  readonly stages: ReadonlyMap<string, TimingSummary>;
  readonly transactions: TimingSummary;
  /** Valid readings per INSERT (the batch size the database sees). */
  readonly insertSizes: TimingSummary;
  readonly gc: TimingSummary;
  readonly eventLoopDelayP99Ms: number;
  readonly server: ServerCounters;
}

/** Attach before the run, `finish()` after it; one profiler per phase. */
export class IngestProfiler {
  private readonly statements = new Map<string, number[]>();
  private readonly transactions: number[] = [];
  private readonly insertSizes: number[] = [];
  private readonly gcPauses: number[] = [];
  private readonly openTransactions = new WeakMap<QueryRunner, number>();
  private readonly gcObserver: PerformanceObserver;
  private readonly loopDelay: IntervalHistogram;
  private serverBefore: ServerCounters | undefined;

  private constructor(private readonly observer: DataSource) {
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.gcPauses.push(entry.duration);
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
  }

  /**
   * `ingesting`: the data source whose statements are timed. `observer`: a superuser connection that
   * reads the server counters (the application role may not read pg_stat_wal).
   */
  static async attach(ingesting: DataSource, observer: DataSource): Promise<IngestProfiler> {
    const profiler = new IngestProfiler(observer);
    // TypeORM times every statement and reports those slower than this: the smallest positive number.
    ingesting.setOptions({ maxQueryExecutionTime: Number.MIN_VALUE, logger: profiler.logger() });
    profiler.gcObserver.observe({ entryTypes: ['gc'] });
    profiler.loopDelay.enable();
    profiler.serverBefore = await profiler.serverCounters();
    return profiler;
  }

  async finish(): Promise<IngestProfile> {
    this.gcObserver.disconnect();
    this.loopDelay.disable();
    const after = await this.serverCounters();
    const before = this.serverBefore ?? after;
    return {
      stages: new Map([...this.statements].map(([stage, values]) => [stage, summarize(values)])),
      transactions: summarize(this.transactions),
      insertSizes: summarize(this.insertSizes),
      gc: summarize(this.gcPauses),
      eventLoopDelayP99Ms: this.loopDelay.percentile(99) / 1e6,
      server: {
        walBytes: after.walBytes - before.walBytes,
        walFpi: after.walFpi - before.walFpi,
        checkpointsTimed: after.checkpointsTimed - before.checkpointsTimed,
        checkpointsRequested: after.checkpointsRequested - before.checkpointsRequested,
        buffersBackend: after.buffersBackend - before.buffersBackend,
      },
    };
  }

  private logger(): Logger {
    const ignore = (): void => undefined;
    return {
      logQuery: ignore,
      logQueryError: ignore,
      logSchemaBuild: ignore,
      logMigration: ignore,
      log: ignore,
      logQuerySlow: (time, query, parameters, queryRunner) => {
        this.record(time, query.trim(), parameters, queryRunner);
      },
    };
  }

  private record(time: number, sql: string, parameters: unknown, queryRunner: QueryRunner | undefined): void {
    const stage = STAGES.find(([, matches]) => matches(sql))?.[0] ?? 'other';
    const values = this.statements.get(stage) ?? [];
    values.push(time);
    this.statements.set(stage, values);
    const firstParameter: unknown = Array.isArray(parameters) ? parameters[0] : undefined;
    // The insert's columns go as binary arrays (binaryArray), which carry their length.
    if (stage === 'insert' && Buffer.isBuffer(firstParameter)) this.insertSizes.push(binaryArrayLength(firstParameter));
    if (!queryRunner) return;
    const now = performance.now();
    // TypeORM reports statements of 0 ms to nobody, so a transaction starts at its first reported one.
    if (!this.openTransactions.has(queryRunner)) this.openTransactions.set(queryRunner, now - time);
    if (sql === 'COMMIT') {
      const began = this.openTransactions.get(queryRunner);
      if (began !== undefined) this.transactions.push(now - began);
      this.openTransactions.delete(queryRunner);
    }
  }

  private async serverCounters(): Promise<ServerCounters> {
    const [row] = await this.observer.query<
      {
        wal_bytes: string;
        wal_fpi: string;
        checkpoints_timed: string;
        checkpoints_req: string;
        buffers_backend: string;
      }[]
    >(
      `SELECT w.wal_bytes::text, w.wal_fpi::text, b.checkpoints_timed::text, b.checkpoints_req::text, b.buffers_backend::text
         FROM pg_stat_wal w, pg_stat_bgwriter b`,
    );
    return {
      walBytes: Number(row?.wal_bytes ?? 0),
      walFpi: Number(row?.wal_fpi ?? 0),
      checkpointsTimed: Number(row?.checkpoints_timed ?? 0),
      checkpointsRequested: Number(row?.checkpoints_req ?? 0),
      buffersBackend: Number(row?.buffers_backend ?? 0),
    };
  }
}

/** Markdown lines for the bench output. */
export function formatProfile(title: string, profile: IngestProfile): string[] {
  const ms = (value: number): string => value.toFixed(1);
  const row = (name: string, timing: TimingSummary): string =>
    `| ${name} | ${timing.count} | ${ms(timing.totalMs / Math.max(1, timing.count))} | ${ms(timing.p50Ms)} | ${ms(timing.p99Ms)} | ${ms(timing.maxMs)} | ${(timing.totalMs / 1000).toFixed(1)} |`;
  const lines = [
    '',
    `${title}: where the time went`,
    '',
    '| stage | count | mean ms | p50 ms | p99 ms | max ms | total s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [stage] of [...STAGES, ['other'] as const]) {
    const timing = profile.stages.get(stage);
    if (timing) lines.push(row(stage, timing));
  }
  lines.push(row('whole transaction (BEGIN -> COMMIT, wall)', profile.transactions));
  lines.push(row('GC pauses', profile.gc));
  const sizes = profile.insertSizes;
  lines.push(
    '',
    `readings per INSERT: mean ${(sizes.totalMs / Math.max(1, sizes.count)).toFixed(0)}, p50 ${sizes.p50Ms}, p99 ${sizes.p99Ms}, max ${sizes.maxMs}; ` +
      `event-loop delay p99 ${ms(profile.eventLoopDelayP99Ms)} ms; ` +
      `server (all databases): WAL ${(profile.server.walBytes / 1e6).toFixed(0)} MB, ${profile.server.walFpi} full-page images, ` +
      `checkpoints ${profile.server.checkpointsTimed} timed + ${profile.server.checkpointsRequested} requested, ${profile.server.buffersBackend} buffers written by backends`,
  );
  return lines;
}
