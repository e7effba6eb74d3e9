import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthzError, AuthzErrorCode, type SecurityContext, type SubjectObject } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { SignatureError, SignatureErrorCode } from '../errors';
import { metaOf, userOf } from '../request-principal';
import type { ElectronicSignatureEntity, SignatureMeaning } from './electronic-signature.entity';
import { SignatureService, type SignableRecord, type SignatureCredentials } from './signature.service';

/** A kind of record that can be signed through the API; features register one each. */
export interface SignableRecordSource {
  readonly recordType: string;
  /** The record as the caller may see it; undefined when missing or not visible. */
  load(security: SecurityContext, id: string): Promise<{ record: SignableRecord; subject: SubjectObject } | undefined>;
  /** Any record of the organization, for verification (only the verdict is returned). */
  loadInOrganization(organizationId: string | null, id: string): Promise<{ record: SignableRecord; subject: SubjectObject } | undefined>;
}

export const SIGNABLE_RECORD_SOURCES = Symbol('SIGNABLE_RECORD_SOURCES');

/**
 * Signing and verifying through the API for the registered record types. Features that sign as
 * part of their own operation (approving a recommendation) call SignatureService in their own
 * transaction instead.
 */
@Injectable()
export class SignableRecordsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signatures: SignatureService,
    @Inject(SIGNABLE_RECORD_SOURCES) private readonly sources: readonly SignableRecordSource[],
  ) {}

  async sign(security: SecurityContext, input: { recordType: string; recordId: string; meaning: SignatureMeaning } & SignatureCredentials): Promise<ElectronicSignatureEntity> {
    const signer = userOf(security);
    const loaded = await this.source(input.recordType).load(security, input.recordId);
    if (!loaded) {
      security.audit.record({ action: 'esign.sign', resource: { type: input.recordType, id: input.recordId.slice(0, 64) }, outcome: 'failure', reason: 'no such record visible to the signer' });
      throw new SignatureError(SignatureErrorCode.NOT_FOUND, 'No such record.');
    }
    if (!security.ability.can('sign', loaded.subject)) {
      security.audit.record({
        action: 'esign.sign',
        resource: { type: input.recordType, id: loaded.record.id },
        patientId: loaded.record.patientId,
        outcome: 'denied',
        reason: 'no authority to sign this record',
      });
      throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'You may not sign this record.');
    }
    return withTransaction(this.dataSource, (manager) =>
      this.signatures.sign(manager, {
        signer,
        credentials: { email: input.email, password: input.password },
        meaning: input.meaning,
        record: loaded.record,
        meta: metaOf(security),
      }),
    );
  }

  async verify(security: SecurityContext, input: { signatureId: string; recordType: string; recordId: string }): Promise<ElectronicSignatureEntity> {
    const actor = userOf(security);
    const loaded = await this.source(input.recordType).loadInOrganization(actor.organizationId, input.recordId);
    if (!loaded) throw new SignatureError(SignatureErrorCode.NOT_FOUND, 'No such record.');
    return this.signatures.verify(input.signatureId, loaded.record, actor, metaOf(security));
  }

  private source(recordType: string): SignableRecordSource {
    const source = this.sources.find((candidate) => candidate.recordType === recordType);
    if (!source) throw new SignatureError(SignatureErrorCode.UNSUPPORTED, `Records of type ${recordType} cannot be signed here.`);
    return source;
  }
}
