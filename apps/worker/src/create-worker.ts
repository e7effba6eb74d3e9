import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@clinloop/config';
import { pingDatabase } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import { pingStream, Topics, type StreamTransport } from '@clinloop/messaging';
import type { Logger } from '@clinloop/observability';

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
    return reply
      .status(ok ? 200 : 503)
      .send({ status: ok ? 'ready' : 'not ready', database: database ? 'up' : 'down', stream: stream ? 'up' : 'down' });
  });
  http.get('/metrics', async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metrics.metrics()),
  );

  return {
    async start() {
      const topics = Object.values(Topics).map((topic) => ({ topic: topic.name, partitions: topic.partitions }));
      try {
        await deps.transport.ensureTopics(topics);
        deps.logger.info({ topics: topics.map((t) => t.topic) }, 'stream topics ready');
      } catch (error) {
        // Not fatal: /ready reports the broker down and the orchestrator retries; the API keeps serving.
        deps.logger.error({ err: error }, `could not ensure stream topics: ${describeError(error)}`);
      }
      await http.listen({ host: deps.config.host, port: deps.config.workerPort });
    },
    async stop() {
      await http.close();
    },
  };
}
