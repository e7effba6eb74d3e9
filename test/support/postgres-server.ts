import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { describeError } from '@clinloop/errors';
import { startEmbeddedPostgres } from '@clinloop/database';
import { freePort } from './free-port';

export interface PostgresServer {
  /** URL of a superuser connection; the database part names the maintenance database. */
  readonly adminUrl: string;
  readonly source: 'DATABASE_URL' | 'local server' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** DATABASE_URL when set; else the local server on 5432; else an embedded PostgreSQL in a temp folder. */
export async function ensurePostgresServer(log: (line: string) => void): Promise<PostgresServer> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    await assertReachable(configured);
    return { adminUrl: configured, source: 'DATABASE_URL', stop: () => Promise.resolve() };
  }
  try {
    await assertReachable(LOCAL_SERVER_URL);
    return { adminUrl: LOCAL_SERVER_URL, source: 'local server', stop: () => Promise.resolve() };
  } catch (error) {
    log(`no PostgreSQL on 127.0.0.1:5432 (${describeError(error)}); starting an embedded one`);
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clinloop-test-pg-'));
  const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', log });
  return { adminUrl: embedded.url, source: 'embedded', stop: () => embedded.stop() };
}

async function assertReachable(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  await client.end();
}

/** The same server, another database. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
