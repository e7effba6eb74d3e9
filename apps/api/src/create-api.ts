import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpDurationHistogram, PinoNestLogger } from '@clinloop/observability';
import { AppModule, ApiDependencies } from './app.module';

export type { ApiDependencies } from './app.module';

const REQUEST_ID_HEADER = 'x-request-id';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Builds the API application (not yet listening). Each request gets an id - the caller's
 * `x-request-id` when it sends a sane one - that appears in every log line and error it causes.
 */
export async function createApi(deps: ApiDependencies): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: deps.logger,
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers[REQUEST_ID_HEADER];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: MAX_BODY_BYTES,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.with(deps), adapter, {
    logger: new PinoNestLogger(deps.logger.child({ context: 'nest' })),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const httpDuration = createHttpDurationHistogram(deps.metrics);
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.enableCors({
    origin: [
      `http://${deps.config.host}:${deps.config.patientPortalPort}`,
      `http://${deps.config.host}:${deps.config.clinicianPortalPort}`,
      `http://localhost:${deps.config.patientPortalPort}`,
      `http://localhost:${deps.config.clinicianPortalPort}`,
    ],
    credentials: true,
  });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
