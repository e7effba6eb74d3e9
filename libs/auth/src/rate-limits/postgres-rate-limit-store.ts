import type { DataSource } from 'typeorm';
import { DatabaseError, DatabaseErrorCode } from '@clinloop/database';
import { describeError } from '@clinloop/errors';

/** What @fastify/rate-limit asks of a store (its `store` option is a class it instantiates). */
export interface RateLimitStore {
  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void;
  read(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void;
  /** A store for a route with its own limits (`config.rateLimit`); @fastify/rate-limit passes the merged route settings. */
  child(routeOptions: object): RateLimitStore;
}

/** Expired counters are deleted at most this often per process. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Counts in one statement: a new or expired counter starts a window at 1, a live one adds 1. Rows
 * are locked by the upsert, so concurrent requests from several replicas each get their own count
 * (no lost updates), and the database clock decides windows for all of them.
 */
const INCREMENT = `
  INSERT INTO "api_rate_limits" AS c ("key", "hits", "expires_at")
  VALUES ($1, 1, clock_timestamp() + make_interval(secs => $2::double precision / 1000))
  ON CONFLICT ("key") DO UPDATE SET
    "hits" = CASE WHEN c."expires_at" <= clock_timestamp() THEN 1 ELSE c."hits" + 1 END,
    "expires_at" = CASE WHEN c."expires_at" <= clock_timestamp() THEN EXCLUDED."expires_at" ELSE c."expires_at" END
  RETURNING "hits", GREATEST(0, ceil(extract(epoch FROM c."expires_at" - clock_timestamp()) * 1000))::bigint AS "ttl"`;

const READ = `
  SELECT "hits", GREATEST(0, ceil(extract(epoch FROM "expires_at" - clock_timestamp()) * 1000))::bigint AS "ttl"
    FROM "api_rate_limits" WHERE "key" = $1 AND "expires_at" > clock_timestamp()`;

interface CounterRow {
  readonly hits: number;
  readonly ttl: string;
}

/**
 * A @fastify/rate-limit store in PostgreSQL, so API replicas behind a load balancer share one budget
 * per caller instead of each granting the full limit. One indexed upsert per request.
 */
export function postgresRateLimitStore(dataSource: DataSource): new () => RateLimitStore {
  let lastSweep = 0;
  const sweep = (): void => {
    const now = Date.now();
    if (now - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = now;
    // Housekeeping only: a failure leaves a few stale rows that the next sweep takes.
    dataSource.query(`DELETE FROM "api_rate_limits" WHERE "expires_at" < clock_timestamp()`).catch(() => undefined);
  };
  const unavailable = (error: unknown): DatabaseError =>
    new DatabaseError(DatabaseErrorCode.UNAVAILABLE, `The rate-limit counters cannot be reached: ${describeError(error)}`, {}, { cause: error });

  class PostgresRateLimitStore implements RateLimitStore {
    private readonly prefix: string;

    // @fastify/rate-limit passes its settings object here; children pass their key prefix.
    constructor(prefix?: unknown) {
      this.prefix = typeof prefix === 'string' ? prefix : '';
    }

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      sweep();
      dataSource.query<CounterRow[]>(INCREMENT, [this.prefix + key, timeWindow]).then(
        (rows) => callback(null, { current: rows[0]?.hits ?? 1, ttl: Number(rows[0]?.ttl ?? timeWindow) }),
        (error: unknown) => callback(unavailable(error)),
      );
    }

    read(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
      dataSource.query<CounterRow[]>(READ, [this.prefix + key]).then(
        (rows) => callback(null, { current: rows[0]?.hits ?? 0, ttl: Number(rows[0]?.ttl ?? 0) }),
        (error: unknown) => callback(unavailable(error)),
      );
    }

    child(routeOptions: object): RateLimitStore {
      const route = (routeOptions as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      return new PostgresRateLimitStore(`${this.prefix}${route?.method ?? ''}${route?.url ?? ''}-`);
    }
  }
  return PostgresRateLimitStore;
}
