import { PassThrough } from 'node:stream';
import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { writeExport } from '@clinloop/audit';
import { RequireRouteAbility, Security, type SecurityContext } from '@clinloop/authz';
import type { Logger } from '@clinloop/observability';
import { LOGGER } from '../tokens';
import { AuditorService, type AuditExportQuery, type OpenedExport } from './auditor.service';

const CONTENT_TYPES = { jsonl: 'application/jsonl; charset=utf-8', csv: 'text/csv; charset=utf-8', fhir: 'application/fhir+json; charset=utf-8' } as const;

/**
 * Streams an audit export to an auditor: the same bytes `clinloop audit export` writes, produced page
 * by page while they are sent, so memory stays flat whatever the size. Two doors: the auditor's
 * bearer token (`GET /audit/export?format&from&to&patient&actor&action`), or a single-use link from
 * the `requestAuditExport` mutation (`GET /audit/export/<ticket>`, no Authorization header needed, so
 * a browser can download it). Verify the file offline with `clinloop audit verify FILE` and the audit
 * public key.
 */
@Controller('audit')
export class AuditExportController {
  constructor(
    private readonly auditor: AuditorService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('export')
  @RequireRouteAbility('export', 'AuditTrail')
  async export(@Security() security: SecurityContext, @Query() query: AuditExportQuery, @Res() reply: FastifyReply): Promise<void> {
    await this.stream(security, await this.auditor.openExport(security, query), reply);
  }

  /** The link is the credential (checked in the service: once, in time, its holder still valid). */
  @Get('export/:ticket')
  @RequireRouteAbility('read', 'DownloadTicket')
  async exportByLink(@Security() security: SecurityContext, @Param('ticket') ticket: string, @Res() reply: FastifyReply): Promise<void> {
    await this.stream(security, await this.auditor.openLinkExport(security, ticket), reply);
  }

  private async stream(security: SecurityContext, opened: OpenedExport, reply: FastifyReply): Promise<void> {
    const body = new PassThrough();
    // writeExport ends the stream when the last record is written.
    writeExport(opened.records, opened.format, body).catch((error: unknown) => {
      this.logger.error({ err: error, requestId: security.requestId }, 'audit export stream failed');
      body.destroy(error instanceof Error ? error : new Error('audit export failed'));
    });
    await reply
      .header('content-type', CONTENT_TYPES[opened.format])
      .header('content-disposition', `attachment; filename="clinloop-audit-${opened.checkpoint.treeSize}.${opened.format === 'fhir' ? 'json' : opened.format}"`)
      .header('cache-control', 'no-store')
      .send(body);
  }
}
