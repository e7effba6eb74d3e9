import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '@clinloop/api';
import { loadConfig } from '@clinloop/config';
import { InProcessStreamTransport, KafkaStreamTransport, type StreamTransport } from '@clinloop/messaging';
import { createLogger, createMetricsRegistry } from '@clinloop/observability';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/free-port';

interface GraphqlBody {
  data?: { formulary?: unknown[] } | null;
  errors?: { message: string; extensions: { code: string } }[];
}

async function startApi(database: TestDatabase, transport: StreamTransport): Promise<NestFastifyApplication> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const app = await createApi({
    config,
    dataSource: database.dataSource,
    transport,
    logger: createLogger({ level: 'silent', component: 'api-test' }),
    metrics: createMetricsRegistry('api'),
    runtime: { version: 'test', environment: 'test', database: 'external', stream: 'in-process', startedAt: new Date(0) },
  });
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('API (real PostgreSQL)', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  const transport = new InProcessStreamTransport();

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startApi(database, transport);
  });
  afterAll(async () => {
    await app.close();
    await transport.close();
    await database.drop();
  });

  it('answers liveness', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('is ready when the database and the stream answer', async () => {
    const response = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(response.body).toEqual({ status: 'ready', database: 'up', stream: 'up' });
  });

  it('serves the formulary from PostgreSQL through GraphQL', async () => {
    const response = await request(app.getHttpServer())
      .post('/graphql')
      .send({ query: '{ formulary { drug drugClass stepsMg maxDailyMg } }' })
      .expect(200);
    const body = response.body as GraphqlBody;
    expect(body.errors).toBeUndefined();
    expect(body.data?.formulary).toContainEqual({ drug: 'lisinopril', drugClass: 'ACE inhibitor', stepsMg: [5, 10, 20, 40], maxDailyMg: 40 });
    expect(body.data?.formulary).toHaveLength(5);
  });

  it('answers a malformed query with a coded error, not a 5xx', async () => {
    const response = await request(app.getHttpServer()).post('/graphql').send({ query: '{ formulary { nope } }' });
    expect(response.status).toBe(400);
    const [error] = (response.body as GraphqlBody).errors ?? [];
    expect(error?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error?.message).toMatch(/Cannot query field "nope"/);
  });

  it('tags every response with a request id, keeping a sane one the caller sent', async () => {
    const own = await request(app.getHttpServer()).get('/health').set('x-request-id', 'trace-123');
    expect(own.headers['x-request-id']).toBe('trace-123');
    const hostile = await request(app.getHttpServer()).get('/health').set('x-request-id', '<script>');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes Prometheus metrics', async () => {
    await request(app.getHttpServer()).get('/health');
    const response = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/clinloop_http_request_duration_seconds_count\{[^}]*route="\/health"/);
    expect(response.text).toContain('clinloop_process_cpu_seconds_total');
  });
});

describe('API readiness with the broker down', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let transport: KafkaStreamTransport;

  beforeAll(async () => {
    database = await createTestDatabase();
    transport = new KafkaStreamTransport({ brokers: [`127.0.0.1:${await freePort()}`], clientId: 'ready-test', pingTimeoutMs: 1500 });
    app = await startApi(database, transport);
  });
  afterAll(async () => {
    await app.close();
    await transport.close();
    await database.drop();
  });

  it('reports 503 naming the stream, while liveness stays up', async () => {
    const ready = await request(app.getHttpServer()).get('/ready').expect(503);
    expect(ready.body).toEqual({ status: 'not ready', database: 'up', stream: 'down' });
    await request(app.getHttpServer()).get('/health').expect(200);
  });
});
