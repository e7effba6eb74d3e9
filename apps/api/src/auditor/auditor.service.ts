import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  auditFileLocations,
  AuditError,
  AuditErrorCode,
  CheckpointService,
  describeVerification,
  EXPORT_FORMATS,
  exportFilters,
  exportFromDatabase,
  loadSigningKey,
  parseExportFilters,
  StreamCheckpointPublisher,
  toAuditTimestamp,
  verifyDatabase,
  type AuditEntryInput,
  type AuditSigner,
  type ExportFilters,
  type ExportFormat,
  type ExportRecord,
  type SignedCheckpoint,
} from '@clinloop/audit';
import {
  AUDIT_APPENDER,
  auditActorFor,
  AuthError,
  AuthErrorCode,
  CLOCK,
  DownloadTicketsService,
  metaOf,
  userOf,
  type AuditAppender,
  type Clock,
} from '@clinloop/auth';
import { AuthzError, AuthzErrorCode, defineAbilityFor, type SecurityContext, type UserPrincipal } from '@clinloop/authz';
import type { AppConfig } from '@clinloop/config';
import { withTransaction } from '@clinloop/database';
import { Topics, type StreamTransport } from '@clinloop/messaging';
import { UserEntity } from '@clinloop/organizations';
import { PatientEntity } from '@clinloop/patients';
import { APP_CONFIG, STREAM_TRANSPORT } from '../tokens';
import type { AuditExportLinkModel } from './audit-export-link.model';
import { AuditTrailVerificationModel } from './audit-trail-verification.model';

export interface AuditExportQuery {
  readonly format?: string | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly patient?: string | null;
  readonly actor?: string | null;
  readonly action?: string | null;
}

export interface OpenedExport {
  readonly format: ExportFormat;
  readonly filters: ExportFilters;
  readonly checkpoint: SignedCheckpoint;
  readonly records: AsyncIterable<ExportRecord>;
}

/** What a download ticket of an audit export is for, and what it stores. */
export const AUDIT_EXPORT_TICKET_PURPOSE = 'audit-export';
interface AuditExportTicketParameters {
  readonly format: ExportFormat;
  readonly filters: ExportFilters;
}

/**
 * The auditor's view of the trail through the API: live verification, and exports streamed exactly
 * as `clinloop audit export` writes them (covered by a fresh signed checkpoint, verifiable offline).
 * An export is requested through GraphQL (`requestAuditExport`: a single-use, five-minute download
 * link) or streamed directly with the bearer token; either way it never reaches beyond the auditor's
 * organization: libs/audit's organization filter keeps entries its people wrote or about its
 * patients, and a patient or actor filter naming someone elsewhere answers "not found".
 */
@Injectable()
export class AuditorService {
  private signer: Promise<AuditSigner> | undefined;
  private topicReady: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: DownloadTicketsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STREAM_TRANSPORT) private readonly transport: StreamTransport,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
  ) {}

  async verify(security: SecurityContext): Promise<AuditTrailVerificationModel> {
    userOf(security);
    const signer = await this.auditSigner();
    const result = await verifyDatabase(this.dataSource, { publicKey: signer.publicKey, trusted: [] });
    security.audit.record({
      action: 'audit.verify',
      resource: { type: 'AuditTrail', id: null },
      outcome: 'success',
      reason: describeVerification(result),
      payload: { ok: result.ok },
    });
    return result.ok
      ? { ok: true, entries: result.entries, failureReason: null, failedSeq: null, summary: describeVerification(result) }
      : { ok: false, entries: null, failureReason: result.reason, failedSeq: result.seq, summary: describeVerification(result) };
  }

  /** Issues the download link of one export (its filters fixed now), audited in the same transaction. */
  async requestExport(security: SecurityContext, query: AuditExportQuery): Promise<AuditExportLinkModel> {
    const auditor = userOf(security);
    const { format, filters } = await this.scopedRequest(auditor, query, security);
    const meta = metaOf(security);
    const parameters: AuditExportTicketParameters = { format, filters };
    const issued = await withTransaction(this.dataSource, async (manager) => {
      const ticket = await this.tickets.issue(manager, auditor, AUDIT_EXPORT_TICKET_PURPOSE, { ...parameters });
      await this.audit.append(manager, [
        {
          actor: auditActorFor(auditor),
          action: 'audit.export_link',
          resource: { type: 'DownloadTicket', id: ticket.id },
          patientId: filters.patientId,
          outcome: 'success',
          reason: `single-use link, expires ${ticket.expiresAt.toISOString()}`,
          requestId: meta.requestId,
          payload: { securityEvent: true, ip: meta.ip, format, filters: { ...filters }, expiresAt: ticket.expiresAt.toISOString() },
        },
      ]);
      return ticket;
    });
    const path = `/audit/export/${issued.token}`;
    const base = (this.config.publicApiUrl ?? `http://${this.config.host}:${this.config.port}`).replace(/\/+$/, '');
    return { url: `${base}${path}`, path, expiresAt: issued.expiresAt, format };
  }

  /** An export streamed to the bearer of an auditor's access token. */
  async openExport(security: SecurityContext, query: AuditExportQuery): Promise<OpenedExport> {
    const auditor = userOf(security);
    const { format, filters } = await this.scopedRequest(auditor, query, security);
    const signer = await this.auditSigner();
    const checkpoint = await this.coveringCheckpoint(signer);
    security.audit.record({
      action: 'audit.export',
      resource: { type: 'AuditTrail', id: null },
      patientId: filters.patientId,
      outcome: 'success',
      payload: { format, treeSize: checkpoint.treeSize, filters: { ...filters } },
    });
    return { format, filters, checkpoint, records: this.records(filters, checkpoint, signer) };
  }

  /**
   * An export streamed to whoever presents a download link: the link is used up first, then checked
   * against its holder as they are now (account, session, role), and the export is audited as theirs
   * before the first byte - so the export's checkpoint covers its own audit entry.
   */
  async openLinkExport(security: SecurityContext, token: string): Promise<OpenedExport> {
    const refuse = (error: unknown): never => {
      const code = error instanceof AuthError || error instanceof AuthzError ? error.code : 'unexpected';
      const ticketId = error instanceof AuthError && typeof error.details.ticketId === 'string' ? error.details.ticketId : null;
      security.audit.record({
        action: 'audit.export',
        resource: { type: 'DownloadTicket', id: ticketId },
        outcome: 'denied',
        reason: `download link refused: ${code}`,
        payload: { securityEvent: true, errorCode: code },
      });
      throw error;
    };
    const redeemed = await this.tickets.redeem(token, AUDIT_EXPORT_TICKET_PURPOSE, security.principal).catch(refuse);
    const holder = redeemed.holder;
    if (!defineAbilityFor(holder).can('export', { kind: 'AuditTrail', organizationId: holder.organizationId })) {
      refuse(new AuthzError(AuthzErrorCode.FORBIDDEN, 'The holder of this link may no longer export the audit trail.', { ticketId: redeemed.id }));
    }
    const { format, filters } = ticketParameters(redeemed.parameters, holder);
    const meta = metaOf(security);
    const entry: AuditEntryInput = {
      actor: auditActorFor(holder),
      action: 'audit.export',
      resource: { type: 'AuditTrail', id: null },
      patientId: filters.patientId,
      outcome: 'success',
      reason: 'through a download link',
      requestId: meta.requestId,
      payload: { ip: meta.ip, format, filters: { ...filters }, ticketId: redeemed.id },
    };
    await withTransaction(this.dataSource, (manager) => this.audit.append(manager, [entry]));
    const signer = await this.auditSigner();
    const checkpoint = await this.coveringCheckpoint(signer);
    return { format, filters, checkpoint, records: this.records(filters, checkpoint, signer) };
  }

  private records(filters: ExportFilters, checkpoint: SignedCheckpoint, signer: AuditSigner): AsyncIterable<ExportRecord> {
    return exportFromDatabase(this.dataSource, { filters, checkpoint, trusted: [], signer, exportedAt: toAuditTimestamp(this.clock.now()) });
  }

  /** Format and filters of a request, limited to the auditor's organization; a patient or actor elsewhere is "not found". */
  private async scopedRequest(auditor: UserPrincipal, query: AuditExportQuery, security: SecurityContext): Promise<AuditExportTicketParameters> {
    const format = (query.format ?? 'jsonl') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new AuditError(AuditErrorCode.INVALID_EXPORT_REQUEST, `format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const given = parseExportFilters({
      from: query.from ?? undefined,
      to: query.to ?? undefined,
      patient: query.patient ?? undefined,
      actor: query.actor ?? undefined,
      action: query.action ?? undefined,
    });
    const filters: ExportFilters = { ...given, organizationId: auditor.organizationId };
    const refuse = (reason: string): never => {
      security.audit.record({ action: 'audit.export', resource: { type: 'AuditTrail', id: null }, outcome: 'denied', reason, payload: { securityEvent: true } });
      throw new AuthError(AuthErrorCode.NOT_FOUND, 'Nothing to export for that filter.');
    };
    if (filters.patientId !== null && !(await this.dataSource.getRepository(PatientEntity).existsBy({ id: filters.patientId, organizationId: auditor.organizationId }))) {
      refuse('patient outside the auditor\'s organization');
    }
    if (filters.actorId !== null) {
      const userId = /^[0-9a-f-]{36}$/i.test(filters.actorId) ? filters.actorId : null;
      if (!userId || !(await this.dataSource.getRepository(UserEntity).existsBy({ id: userId, organizationId: auditor.organizationId }))) {
        refuse('actor outside the auditor\'s organization');
      }
    }
    return { format, filters };
  }

  /**
   * A fresh checkpoint covering the export, published like the CLI's: to Kafka when there is a broker
   * (the in-process demo transport keeps nothing), always to the checkpoint file. If it was stored but
   * could not be published, the export goes ahead on it.
   */
  private async coveringCheckpoint(signer: AuditSigner): Promise<SignedCheckpoint> {
    const kafka = this.config.kafkaBrokers.length > 0;
    if (kafka) {
      this.topicReady ??= this.transport.ensureTopics([{ topic: Topics.auditCheckpoints.name, partitions: Topics.auditCheckpoints.partitions }]);
      await this.topicReady;
    }
    const checkpoints = new CheckpointService({
      dataSource: this.dataSource,
      signer,
      checkpointFile: auditFileLocations(this.config).checkpointFile,
      publisher: kafka ? new StreamCheckpointPublisher(this.transport) : null,
    });
    try {
      return (await checkpoints.createCheckpoint()).checkpoint;
    } catch (error) {
      const latest = error instanceof AuditError && error.code === AuditErrorCode.CHECKPOINT_PUBLISH_FAILED ? await checkpoints.latest() : null;
      if (!latest) throw error;
      return latest;
    }
  }

  private auditSigner(): Promise<AuditSigner> {
    this.signer ??= loadSigningKey({
      keyFile: this.config.auditSigningKeyFile,
      dataDir: this.config.dataDir,
      allowGenerate: this.config.nodeEnv !== 'production',
    }).then((key) => key.signer);
    return this.signer;
  }
}

/** A ticket's stored parameters, checked again (and re-bound to the holder's organization) before use. */
function ticketParameters(parameters: Record<string, unknown>, holder: UserPrincipal): AuditExportTicketParameters {
  const format = parameters.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format) || typeof parameters.filters !== 'object' || parameters.filters === null) {
    throw new AuthError(AuthErrorCode.TICKET_INVALID, 'This download link is not valid.');
  }
  const filters = exportFilters(parameters.filters);
  if (filters.organizationId !== holder.organizationId) throw new AuthError(AuthErrorCode.TICKET_INVALID, 'This download link is not valid.');
  return { format, filters };
}
