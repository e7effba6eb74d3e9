import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { AUDIT_APPENDER, CLOCK, postgresRateLimitStore, type AuditAppender, type Clock } from '@clinloop/auth';
import type { AppConfig } from '@clinloop/config';
import { withTransaction } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import type { Logger } from '@clinloop/observability';
import { ApiError, ApiErrorCode } from '../errors/api-errors';
import { mappingForCode } from '../errors/error-map';
import { requestStateOf } from './request-state';
import { RequestSecurityService } from './request-security.service';

/** Probes and scrapes are never rate-limited (load balancers, Prometheus). */
const UNLIMITED_ROUTES = new Set(['/health', '/ready', '/metrics']);

/** The portals' origins; nothing else may call the API from a browser. */
export function allowedOrigins(config: AppConfig): string[] {
  return [
    `http://${config.host}:${config.patientPortalPort}`,
    `http://${config.host}:${config.clinicianPortalPort}`,
    `http://localhost:${config.patientPortalPort}`,
    `http://localhost:${config.clinicianPortalPort}`,
    ...config.corsOrigins,
  ];
}

/**
 * Registers, before the routes exist: security headers (helmet), the token check of every request
 * (onRequest, so the rate limiter knows the caller), per-user / per-client / per-address rate limits
 * counted in PostgreSQL so every API replica draws on one budget (429 with Retry-After, audited once
 * per caller, window and replica), and the hook that writes each request's audit entries before its
 * response leaves. Addresses are the client's as API_TRUST_PROXY lets Fastify see them.
 */
export async function registerSecurityHooks(app: NestFastifyApplication, config: AppConfig, logger: Logger): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const requestSecurity = app.get(RequestSecurityService);
  const dataSource = app.get(DataSource);
  const audit = app.get<AuditAppender>(AUDIT_APPENDER);
  const clock = app.get<Clock>(CLOCK);
  const production = config.nodeEnv === 'production';

  await app.register(helmet, {
    // The API answers JSON; only GraphiQL (development) needs scripts, from unpkg.
    contentSecurityPolicy: {
      directives: production
        ? { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] }
        : {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'", "'unsafe-inline'", 'https://unpkg.com'],
            styleSrc: ["'self'", "'unsafe-inline'", 'https://unpkg.com'],
            imgSrc: ["'self'", 'data:', 'https://unpkg.com'],
            connectSrc: ["'self'"],
            workerSrc: ["'self'", 'blob:'],
            frameAncestors: ["'none'"],
          },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
    referrerPolicy: { policy: 'no-referrer' },
  });

  fastify.addHook('onRequest', async (request) => {
    const state = requestSecurity.begin(request, clock.now());
    if (!state.verified) return;
    try {
      const token = await state.verified;
      state.rateKey = token.source === 'external' ? `user:external:${token.claims.sub ?? '?'}` : `${token.claims.typ}:${token.claims.sub}`;
    } catch {
      // Rejected tokens are reported by the guard; the limiter counts them against the address.
    }
  });

  const announced = new Map<string, number>();
  const windowMs = config.rateLimitWindowSeconds * 1000;
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    store: postgresRateLimitStore(dataSource),
    timeWindow: windowMs,
    keyGenerator: (request: FastifyRequest) => requestStateOf(request)?.rateKey ?? `ip:${request.ip}`,
    max: (_request: FastifyRequest, key: string) =>
      key.startsWith('client:') ? config.rateLimitClientMax : key.startsWith('user:') ? config.rateLimitUserMax : config.rateLimitAnonymousMax,
    allowList: (request: FastifyRequest) => UNLIMITED_ROUTES.has(request.url.split('?')[0] ?? ''),
    onExceeded: (request: FastifyRequest, key: string) => {
      // One entry per caller and window (in each replica): a flood must not turn into a flood of audit entries.
      const window = Math.floor(Date.now() / windowMs);
      if (announced.get(key) === window) return;
      if (announced.size > 10_000) announced.clear();
      announced.set(key, window);
      requestStateOf(request)?.audit.record({
        action: 'api.rate_limited',
        resource: { type: 'RateLimit', id: key.replace(/^(user|client):.*/, '$1') },
        outcome: 'denied',
        reason: `more than the allowed requests in ${config.rateLimitWindowSeconds} s`,
        payload: { securityEvent: true, key },
      });
    },
    errorResponseBuilder: (_request: FastifyRequest, context: { after: string; ttl: number }) =>
      Object.assign(new ApiError(ApiErrorCode.RATE_LIMITED, `Too many requests; retry in ${context.after}.`), {
        statusCode: mappingForCode(ApiErrorCode.RATE_LIMITED).httpStatus,
      }),
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const state = requestStateOf(request);
    if (!state) return payload;
    if (state.audit.principal.kind === 'client') {
      const body = request.body as { operationName?: unknown } | undefined;
      state.audit.record({
        action: 'client.request',
        resource: { type: 'Route', id: `${request.method} ${request.routeOptions.url ?? request.url}` },
        outcome: reply.statusCode < 400 ? 'success' : 'failure',
        payload: { operationName: typeof body?.operationName === 'string' ? body.operationName : null, status: reply.statusCode },
      });
    }
    if (state.audit.size === 0) return payload;
    // Refused before any resolver ran (a query limit, the rate limit): name the caller if the token is good.
    if (state.bearer !== undefined && state.security === undefined) await requestSecurity.resolve(request).catch(() => undefined);
    const entries = state.audit.drain(request.id);
    try {
      await withTransaction(dataSource, (manager) => audit.append(manager, entries));
      return payload;
    } catch (error) {
      // No answer leaves unaudited: a PHI read whose audit entry failed is withheld.
      logger.error({ err: error, requestId: request.id }, `audit write failed: ${describeError(error)}`);
      const mapping = mappingForCode(ApiErrorCode.AUDIT_UNAVAILABLE);
      void reply.status(mapping.httpStatus).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify({
        data: null,
        errors: [{ message: 'The request could not be recorded in the audit trail; try again shortly.', extensions: { code: mapping.graphqlCode, errorCode: mapping.code, requestId: request.id } }],
      });
    }
  });
}
