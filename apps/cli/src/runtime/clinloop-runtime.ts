import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApi } from '@clinloop/api';
import { applicationRoleUrl } from '@clinloop/audit';
import type { AppConfig } from '@clinloop/config';
import { seedDemo, seedDemoReadings } from '@clinloop/demo';
import { describeError } from '@clinloop/errors';
import { createMetricsRegistry, type Logger } from '@clinloop/observability';
import { createWorker, type Worker } from '@clinloop/worker';
import { startAlertEscalation } from './alert-escalation-runtime';
import { totpCipherFor } from './totp-cipher-runtime';
import { startAuditCheckpointing } from './audit-runtime';
import { connect, DatabaseRuntime, migrate, openDatabase } from './database-runtime';
import { startPortals, type PortalProcess } from './portals';
import { openStream, type StreamRuntime } from './stream-runtime';
import { CLINLOOP_VERSION } from '../version';

export interface RuntimeParts {
  readonly api: boolean;
  readonly worker: boolean;
  readonly portals: boolean;
}

export interface RunningClinLoop {
  readonly config: AppConfig;
  readonly database: DatabaseRuntime;
  readonly dataSource: DataSource;
  readonly stream: StreamRuntime;
  readonly api?: NestFastifyApplication;
  readonly apiUrl: string;
  readonly worker?: Worker;
  readonly portals: readonly PortalProcess[];
  readonly demoOrganizationId?: string;
  stop(): Promise<void>;
}

/**
 * Starts the requested parts in one process, in dependency order: database (embedded when
 * DATABASE_URL is unset) -> migrations -> demo seed -> stream -> worker -> API -> portals. If a step
 * fails, what already started is stopped again before the error propagates.
 */
export async function startClinLoop(config: AppConfig, logger: Logger, parts: RuntimeParts): Promise<RunningClinLoop> {
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stack.reverse().splice(0)) {
      await stop().catch((error: unknown) => logger.error({ err: error }, `error while stopping: ${describeError(error)}`));
    }
  };
  try {
    const database = await openDatabase(config, logger);
    stack.push(() => database.stop());
    // Migrations run as the database owner; everything else as the application role, which may
    // never UPDATE, DELETE or TRUNCATE the audit trail (docs/decisions/0003-audit-trail.md).
    const owner = await connect(database.url, config, 'clinloop-migrate');
    try {
      const applied = await migrate(owner);
      if (applied.length > 0) logger.info({ applied }, `applied ${applied.length} migration(s)`);
    } finally {
      await owner.destroy();
    }
    const dataSource = await connect(applicationRoleUrl(database.url), config, 'clinloop');
    stack.push(() => dataSource.destroy());
    const demo = config.seedDemo ? await seedDemo(dataSource, new Date(), { totpCipher: await totpCipherFor(config, logger) }) : undefined;
    if (demo?.created) logger.info({ organizationId: demo.organizationId }, 'seeded the demo organization');
    if (demo) {
      // Through the ingest path, in process; idempotent, so each start only adds what was measured since.
      const readings = await seedDemoReadings(dataSource, {
        now: new Date(),
        policy: { futureSkewMs: config.ingestFutureSkewSeconds * 1000, lateAfterMs: config.ingestLateAfterMinutes * 60_000 },
      });
      if (readings.stored > 0) logger.info(readings, `stored ${readings.stored} demo readings`);
    }

    const stream = openStream(config, logger);
    stack.push(() => stream.transport.close());

    let worker: Worker | undefined;
    if (parts.worker) {
      const workerMetrics = createMetricsRegistry('worker');
      worker = createWorker({ config, dataSource, transport: stream.transport, logger: logger.child({ component: 'worker' }), metrics: workerMetrics });
      await worker.start();
      stack.push(() => worker?.stop() ?? Promise.resolve());
      const checkpointing = await startAuditCheckpointing(config, dataSource, stream.mode === 'kafka' ? stream.transport : null, logger.child({ component: 'audit' }));
      stack.push(() => checkpointing.stop());
      const escalation = startAlertEscalation(dataSource, logger.child({ component: 'alerts' }), { config, metrics: workerMetrics });
      stack.push(() => escalation.stop());
    }

    const apiUrl = config.publicApiUrl ?? `http://${config.host}:${config.port}`;
    let api: NestFastifyApplication | undefined;
    if (parts.api) {
      api = await createApi({
        config,
        dataSource,
        transport: stream.transport,
        logger: logger.child({ component: 'api' }),
        metrics: createMetricsRegistry('api'),
        runtime: { version: CLINLOOP_VERSION, environment: config.nodeEnv, database: database.mode, stream: stream.mode, startedAt: new Date() },
      });
      await api.listen({ host: config.host, port: config.port });
      const app = api;
      stack.push(() => app.close());
    }

    const portals = parts.portals ? startPortals(config, apiUrl, logger) : [];
    for (const portal of portals) stack.push(() => portal.stop());

    return {
      config,
      database,
      dataSource,
      stream,
      api,
      apiUrl,
      worker,
      portals,
      demoOrganizationId: demo?.organizationId,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
