/**
 * The PostgreSQL server a benchmark runs on. By default a server of its own (the embedded
 * PostgreSQL 15 the project ships, in a temp folder), configured like a production server would be
 * rather than like the CI server on 5432 (which turns autovacuum off, and which the other test runs
 * share - their commits and checkpoints would land in the measurement). Durability settings stay at
 * their defaults: fsync, full_page_writes and synchronous_commit on.
 *
 * INGEST_BENCH_SERVER=shared uses DATABASE_URL / the local server / embedded, as the tests do.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@clinloop/database';
import { freePort } from '../../test/support/free-port';
import { ensurePostgresServer, type PostgresServer } from '../../test/support/postgres-server';

/**
 * Server settings of the bench's own server, all reloadable (no restart). Each is a common production
 * choice, none trades durability: they make checkpoints rarer and their full-page images smaller.
 */
export const BENCH_SERVER_SETTINGS: readonly (readonly [name: string, value: string, why: string])[] = [
  ['autovacuum', 'on', 'the PostgreSQL default; keeps planner statistics and visibility maps current'],
  [
    'max_wal_size',
    '4GB',
    'checkpoints by time rather than every 1 GB of WAL (the COPY baseline alone writes ~1 GB)',
  ],
  ['checkpoint_timeout', '15min', 'fewer checkpoints, so fewer full-page images after each'],
  ['wal_compression', 'pglz', 'full-page images compressed (lz4 where the server is built with it)'],
];

export interface BenchPostgres extends PostgresServer {
  /** The settings applied, for the bench's header line. */
  readonly settings: string;
}

export async function startBenchPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  if (process.env.INGEST_BENCH_SERVER === 'shared') {
    const shared = await ensurePostgresServer(log);
    return { ...shared, settings: 'as configured' };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clinloop-bench-pg-'));
  // As root, the server runs as the postgres user, who must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    database: 'postgres',
    log,
    // Needs a restart to change, so it is given at start: the latency run reads each row's commit time.
    settings: { track_commit_timestamp: 'on' },
  });
  const client = new Client({ connectionString: embedded.url });
  await client.connect();
  const applied: string[] = [];
  try {
    for (const [name, value] of BENCH_SERVER_SETTINGS) {
      const wanted = name === 'wal_compression' && (await supportsLz4(client)) ? 'lz4' : value;
      await client.query(`ALTER SYSTEM SET ${name} = '${wanted}'`);
      applied.push(`${name}=${wanted}`);
    }
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
  return {
    adminUrl: embedded.url,
    source: 'embedded',
    settings: [...applied, 'track_commit_timestamp=on'].join(', '),
    stop: async () => {
      await embedded.stop();
      await rm(embedded.dataDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function supportsLz4(client: Client): Promise<boolean> {
  try {
    await client.query(`SET wal_compression = 'lz4'`);
    return true;
  } catch {
    return false;
  }
}
