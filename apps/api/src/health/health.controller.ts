import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { RequireRouteAbility } from '@clinloop/authz';
import { pingDatabase } from '@clinloop/database';
import { pingStream, type StreamTransport } from '@clinloop/messaging';
import { METRICS_REGISTRY, STREAM_TRANSPORT } from '../tokens';

/** Probes for load balancers and orchestrators; no authentication, no PHI. */
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(STREAM_TRANSPORT) private readonly transport: StreamTransport,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  @RequireRouteAbility('read', 'Health')
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database and the stream broker are reachable. */
  @Get('ready')
  @RequireRouteAbility('read', 'Health')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; database: string; stream: string }> {
    const [database, stream] = await Promise.all([pingDatabase(this.dataSource), pingStream(this.transport)]);
    const ok = database && stream;
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not ready', database: database ? 'up' : 'down', stream: stream ? 'up' : 'down' };
  }

  @Get('metrics')
  @RequireRouteAbility('read', 'Health')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
