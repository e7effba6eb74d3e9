import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  auditFileLocations,
  AuditError,
  AuditErrorCode,
  CheckpointService,
  describeVerification,
  EXPORT_FORMATS,
  exportFromDatabase,
  loadSigningKey,
  parseExportFilters,
  StreamCheckpointPublisher,
  toAuditTimestamp,
  verifyDatabase,
  type AuditSigner,
  type ExportFilters,
  type ExportFormat,
  type ExportRecord,
  type SignedCheckpoint,
} from '@clinloop/audit';
import { AuthError, AuthErrorCode, userOf, type Clock, CLOCK } from '@clinloop/auth';
import { AuthzError, AuthzErrorCode, type SecurityContext } from '@clinloop/authz';
import type { AppConfig } from '@clinloop/config';
import { Topics, type StreamTransport } from '@clinloop/messaging';
import { OrganizationEntity, UserEntity } from '@clinloop/organizations';
import { PatientEntity } from '@clinloop/patients';
import { APP_CONFIG, STREAM_TRANSPORT } from '../tokens';
import { AuditTrailVerificationModel } from './audit-trail-verification.model';

export interface AuditExportQuery {
  readonly format?: string;
  readonly from?: string;
  readonly to?: string;
  readonly patient?: string;
  readonly actor?: string;
  readonly action?: string;
}

export interface OpenedExport {
  readonly format: ExportFormat;
  readonly filters: ExportFilters;
  readonly checkpoint: SignedCheckpoint;
  readonly records: AsyncIterable<ExportRecord>;
}

/**
 * The auditor's view of the trail through the API: live verification, and exports streamed exactly
 * as `clinloop audit export` writes them (covered by a fresh signed checkpoint, verifiable offline).
 * An export never reaches beyond the auditor's organization: it must name a patient or actor of that
 * organization, unless the installation holds only that one organization (libs/audit has no
 * organization filter yet).
 */
@Injectable()
export class AuditorService {
  private signer: Promise<AuditSigner> | undefined;
  private topicReady: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STREAM_TRANSPORT) private readonly transport: StreamTransport,
    @Inject(CLOCK) private readonly clock: Clock,
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

  async openExport(security: SecurityContext, query: AuditExportQuery): Promise<OpenedExport> {
    const auditor = userOf(security);
    const format = (query.format ?? 'jsonl') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new AuditError(AuditErrorCode.INVALID_EXPORT_REQUEST, `format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const filters = parseExportFilters({ from: query.from, to: query.to, patient: query.patient, actor: query.actor, action: query.action });
    await this.assertWithinOrganization(auditor.organizationId, filters, security);
    const signer = await this.auditSigner();
    const checkpoint = await this.coveringCheckpoint(signer);
    security.audit.record({
      action: 'audit.export',
      resource: { type: 'AuditTrail', id: null },
      patientId: filters.patientId,
      outcome: 'success',
      payload: { format, treeSize: checkpoint.treeSize, filters: { ...filters } },
    });
    const records = exportFromDatabase(this.dataSource, { filters, checkpoint, trusted: [], signer, exportedAt: toAuditTimestamp(this.clock.now()) });
    return { format, filters, checkpoint, records };
  }

  private async assertWithinOrganization(organizationId: string, filters: ExportFilters, security: SecurityContext): Promise<void> {
    const refuse = (reason: string): never => {
      security.audit.record({ action: 'audit.export', resource: { type: 'AuditTrail', id: null }, outcome: 'denied', reason, payload: { securityEvent: true } });
      throw new AuthError(AuthErrorCode.NOT_FOUND, 'Nothing to export for that filter.');
    };
    if (filters.patientId !== null) {
      const patient = await this.dataSource.getRepository(PatientEntity).findOneBy({ id: filters.patientId, organizationId });
      if (!patient) refuse('patient outside the auditor\'s organization');
      return;
    }
    if (filters.actorId !== null) {
      const userId = /^[0-9a-f-]{36}$/i.test(filters.actorId) ? filters.actorId : null;
      const user = userId ? await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId, organizationId }) : null;
      if (!user) refuse('actor outside the auditor\'s organization');
      return;
    }
    if ((await this.dataSource.getRepository(OrganizationEntity).count()) > 1) {
      security.audit.record({ action: 'audit.export', resource: { type: 'AuditTrail', id: null }, outcome: 'denied', reason: 'unscoped export in a multi-organization installation', payload: { securityEvent: true } });
      throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'This installation serves several organizations: filter the export by a patient or a user of yours.');
    }
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
