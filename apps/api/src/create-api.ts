import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditService } from '@clinloop/audit';
import { loadKeyRing } from '@clinloop/auth';
import { createHttpDurationHistogram, PinoNestLogger } from '@clinloop/observability';
import { AppModule, ApiDependencies } from './app.module';
import { allowedOrigins, registerSecurityHooks } from './security/security-hooks';
import { fastifyTrustProxy } from './security/trust-proxy';

export type { ApiDependencies } from './app.module';

const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Builds the API application (not yet listening). Each request gets an id - the caller's
 * `x-request-id` when it sends a sane one - that appears in every log line and error it causes.
 */
export async function createApi(deps: ApiDependencies): Promise<NestFastifyApplication> {
  const { config } = deps;
  const tokenKeys =
    deps.tokenKeys ??
    (await loadKeyRing({
      signingKeyFile: config.authJwtSigningKeyFile,
      verifyKeyFiles: config.authJwtVerifyKeyFiles,
      dataDir: config.dataDir,
      production: config.nodeEnv === 'production',
      log: (line) => deps.logger.info(line),
    }));
  const adapter = new FastifyAdapter({
    loggerInstance: deps.logger,
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers[REQUEST_ID_HEADER];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: config.apiBodyLimitBytes,
    // Behind a load balancer: which X-Forwarded-For hops to believe for request.ip (rate limits, audit).
    trustProxy: fastifyTrustProxy(config.apiTrustProxy),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.with({ ...deps, tokenKeys, audit: deps.audit ?? new AuditService() }), adapter, {
    logger: new PinoNestLogger(deps.logger.child({ context: 'nest' })),
    bufferLogs: false,
  });
  await registerSecurityHooks(app, config, deps.logger);
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
  app.enableCors({ origin: allowedOrigins(config), credentials: true, maxAge: 600 });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
