import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AuditService } from '@clinloop/audit';
import type { AppConfig } from '@clinloop/config';
import { pingDatabase } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import { pingStream, Topics, type StreamTransport } from '@clinloop/messaging';
import { ObservationIngestService, ObservationPartitionsService } from '@clinloop/observations';
import type { Logger } from '@clinloop/observability';
import { IngestionConsumer } from './ingestion/ingestion.consumer';
import { IngestionMetrics } from './ingestion/ingestion.metrics';
import { PartitionMaintenance, PartitionMetrics } from './partitions/partition-maintenance';

const SUBSCRIBE_RETRY_MS = 5_000;

export interface WorkerDependencies {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly transport: StreamTransport;
  readonly logger: Logger;
  readonly metrics: Registry;
}

export interface Worker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The worker process: Kafka consumers and scheduled jobs. On start it makes sure every declared topic
 * exists, so producers and consumers of a fresh cluster agree on partitioning.
 */
export function createWorker(deps: WorkerDependencies): Worker {
  // Health, readiness and metrics: the worker serves nothing else over HTTP.
  // Probes hit these routes every few seconds: log only warnings and errors.
  const http = Fastify({ loggerInstance: deps.logger.child({ context: 'worker-http' }, { level: 'warn' }) });
  http.get('/health', () => ({ status: 'ok' }));
  http.get('/ready', async (_request, reply) => {
    const [database, stream] = await Promise.all([pingDatabase(deps.dataSource), pingStream(deps.transport)]);
    const ok = database && stream;
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ready' : 'not ready',
      database: database ? 'up' : 'down',
      stream: stream ? 'up' : 'down',
    });
  });
  http.get('/metrics', async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metrics.metrics()),
  );

  const ingestion = new IngestionConsumer({
    transport: deps.transport,
    service: new ObservationIngestService(deps.dataSource, new AuditService(), {
      component: 'worker.ingestion',
      policy: {
        futureSkewMs: deps.config.ingestFutureSkewSeconds * 1000,
        lateAfterMs: deps.config.ingestLateAfterMinutes * 60_000,
      },
    }),
    topics: {
      readings: Topics.wearableReadings.name,
      fhirObservations: Topics.fhirObservations.name,
      deadLetter: Topics.wearableReadingsDeadLetter.name,
    },
    groupId: deps.config.ingestConsumerGroup,
    members: deps.config.ingestConsumers,
    partitionsConcurrently: deps.config.ingestPartitionsConcurrently,
    metrics: new IngestionMetrics(deps.metrics),
    failpoint: deps.config.ingestFailpoint,
    log: (level, message, details) => deps.logger[level](details ?? {}, message),
  });
  const partitionLogger = deps.logger.child({ context: 'observation-partitions' });
  const partitions = new PartitionMaintenance({
    service: new ObservationPartitionsService(deps.dataSource, new AuditService(), {
      component: 'worker.partitions',
    }),
    metrics: new PartitionMetrics(deps.metrics),
    log: (level, message, details) => partitionLogger[level](details ?? {}, message),
  });
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  // A broker that is down at start must not keep the worker from serving /health; keep trying.
  const startIngestion = async (): Promise<void> => {
    try {
      // This month's and the next ones' partitions exist before the first batch; then the job keeps
      // creating them while the worker runs (a worker may run for months).
      await partitions.runOnce();
      partitions.start();
      await ingestion.start();
      deps.logger.info({ groupId: deps.config.ingestConsumerGroup }, 'reading ingestion started');
    } catch (error) {
      deps.logger.error(
        { err: error },
        `could not start reading ingestion, retrying: ${describeError(error)}`,
      );
      if (!stopped) retryTimer = setTimeout(() => void startIngestion(), SUBSCRIBE_RETRY_MS);
    }
  };

  return {
    async start() {
      const topics = Object.values(Topics).map((topic) => ({
        topic: topic.name,
        partitions: topic.partitions,
      }));
      try {
        await deps.transport.ensureTopics(topics);
        deps.logger.info({ topics: topics.map((t) => t.topic) }, 'stream topics ready');
      } catch (error) {
        // Not fatal: /ready reports the broker down and the orchestrator retries; the API keeps serving.
        deps.logger.error({ err: error }, `could not ensure stream topics: ${describeError(error)}`);
      }
      await startIngestion();
      await http.listen({ host: deps.config.host, port: deps.config.workerPort });
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await partitions.stop();
      await ingestion.stop();
      await http.close();
    },
  };
}
