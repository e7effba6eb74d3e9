import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { describeError } from '@clinloop/errors';
import { createAppDataSource } from '@clinloop/persistence';
import { runMigrations } from '@clinloop/database';
import { ensureKafkaBroker } from './support/kafka-broker';
import { adminQuery } from './support/database';
import { databaseUrl, ensurePostgresServer } from './support/postgres-server';

/**
 * Starts what the tests need, by itself: a PostgreSQL (DATABASE_URL, else the local server on 5432,
 * else an embedded one) with one migrated template database, and a real Kafka broker (KAFKA_BROKERS,
 * else a local KRaft broker from Maven Central jars). Failing to get either fails the run: no suite
 * is skipped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string): void => {
    if (process.env.CLINLOOP_TEST_VERBOSE) process.stderr.write(`[test-setup] ${line}\n`);
  };
  const startedAt = Date.now();
  const [postgres, kafka] = await Promise.all([
    ensurePostgresServer(log).catch((error: unknown) => {
      throw new Error(`Tests need PostgreSQL and none could be reached or started: ${describeError(error)}`, { cause: error });
    }),
    ensureKafkaBroker({ log }).catch((error: unknown) => {
      throw new Error(`Tests need a Kafka broker and none could be reached or started: ${describeError(error)}`, { cause: error });
    }),
  ]);

  const prefix = `clinloop_t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const template = `${prefix}_template`;
  await adminQuery(postgres.adminUrl, `CREATE DATABASE "${template}"`);
  const dataSource = createAppDataSource(databaseUrl(postgres.adminUrl, template), { databasePoolSize: 2 }, 'clinloop-test-setup');
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  process.stderr.write(
    `[test-setup] PostgreSQL (${postgres.source}) and Kafka (${kafka.startedHere ? 'started here' : 'KAFKA_BROKERS'}: ${kafka.brokers.join(',')}) ready in ${Date.now() - startedAt} ms\n`,
  );

  project.provide('databaseAdminUrl', postgres.adminUrl);
  project.provide('templateDatabase', template);
  project.provide('databasePrefix', prefix);
  project.provide('kafkaBrokers', kafka.brokers.join(','));

  return async () => {
    await dropDatabasesWithPrefix(postgres.adminUrl, prefix).catch((error: unknown) => {
      process.stderr.write(`[test-setup] could not drop test databases: ${describeError(error)}\n`);
    });
    await Promise.all([postgres.stop(), kafka.stop()]);
  };
}

async function dropDatabasesWithPrefix(adminUrl: string, prefix: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
