/**
 * The ingestion consumer in a process of its own, for the crash test: the parent kills it (or it
 * kills itself at INGEST_FAILPOINT) and starts another. Environment: DATABASE_URL, KAFKA_BROKERS,
 * INGEST_TEST_TOPICS (JSON of IngestionTopics), INGEST_CONSUMER_GROUP, INGEST_FAILPOINT (optional).
 * Run: node -r @swc-node/register test/support/ingestion-worker-process.ts (SWC_NODE_PROJECT set).
 */
import 'reflect-metadata';
import { KafkaStreamTransport } from '@clinloop/messaging';
import { createAppDataSource } from '@clinloop/persistence';
import { IngestionConsumer, type IngestionTopics } from '@clinloop/worker';
import { ingestService } from './ingestion-service';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const dataSource = createAppDataSource(
    required('DATABASE_URL'),
    { databasePoolSize: 2 },
    'ingestion-crash-test',
  );
  await dataSource.initialize();
  const transport = new KafkaStreamTransport({
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: 'ingestion-crash-test',
  });
  const consumer = new IngestionConsumer({
    transport,
    service: ingestService(dataSource),
    topics: JSON.parse(required('INGEST_TEST_TOPICS')) as IngestionTopics,
    groupId: required('INGEST_CONSUMER_GROUP'),
    failpoint: process.env.INGEST_FAILPOINT === 'kill-after-db-commit' ? 'kill-after-db-commit' : undefined,
    retryBackoff: { initialMs: 100, maxMs: 1_000 },
  });
  await consumer.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void (async () => {
      await consumer.stop();
      await transport.close();
      await dataSource.destroy();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ingestion worker process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
