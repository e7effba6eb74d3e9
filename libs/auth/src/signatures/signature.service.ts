import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { canonicalJson, type AuditEntryInput, type JsonObject } from '@clinloop/audit';
import type { UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { AUDIT_APPENDER, AUTH_SETTINGS, CLOCK, type AuthSettings, type Clock } from '../auth-settings';
import { SignatureError, SignatureErrorCode } from '../errors';
import { verifyPassword } from '../passwords/password-hasher';
import { auditActorFor, securityPayload, type AuditAppender, type RequestMeta } from '../security-audit';
import { UserCredentialEntity } from '../sessions/user-credential.entity';
import { ElectronicSignatureEntity, type SignatureMeaning } from './electronic-signature.entity';

/** A record as it is signed: what it is, whose it is, and exactly the content the signature covers. */
export interface SignableRecord {
  readonly type: string;
  readonly id: string;
  readonly organizationId: string;
  readonly patientId: string | null;
  /** Plain JSON; its RFC 8785 canonical form is what gets hashed. */
  readonly content: JsonObject;
}

/** The two components re-entered at the moment of signing (21 CFR 11.200(a)(1)). */
export interface SignatureCredentials {
  /** The identification code: the signer's sign-in e-mail. */
  readonly email: string;
  readonly password: string;
}

export interface SignRequest {
  readonly signer: UserPrincipal;
  readonly credentials: SignatureCredentials;
  readonly meaning: SignatureMeaning;
  readonly record: SignableRecord;
  readonly meta: RequestMeta;
}

/**
 * The hash a signature covers: the record's type and id together with its content, so the same
 * content under another record id hashes differently and a signature cannot be carried over.
 */
export function signedContentHash(record: Pick<SignableRecord, 'type' | 'id' | 'content'>): string {
  return createHash('sha256')
    .update(canonicalJson({ recordType: record.type, recordId: record.id, content: record.content }), 'utf8')
    .digest('hex');
}

/**
 * Electronic signatures under 21 CFR Part 11, as a service other features call inside their own
 * transaction (approving a recommendation, signing safety bounds, changing the formulary, promoting a
 * model):
 *
 *   await withTransaction(dataSource, async (manager) => {
 *     const bounds = await manager.save(...);
 *     const signature = await signatures.sign(manager, { signer, credentials, meaning: 'authored', record });
 *     ...store signature.id with the record, then append the feature's own audit entries last
 *   });
 *
 * The re-entered e-mail and password are checked first, in a transaction of their own, so a failure
 * is counted and audited even though the caller's transaction rolls back; after
 * AUTH_SIGNATURE_LOCKOUT_THRESHOLD failures in a row signing is locked for that user (a security
 * event) until an admin unlocks it.
 */
@Injectable()
export class SignatureService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async sign(manager: EntityManager, request: SignRequest): Promise<ElectronicSignatureEntity> {
    const { signer, record, meta } = request;
    if (record.organizationId !== signer.organizationId) throw new SignatureError(SignatureErrorCode.NOT_FOUND, 'No such record.');
    await this.checkSigner(signer, request.credentials, record, meta);
    const signature = await manager.save(
      manager.create(ElectronicSignatureEntity, {
        organizationId: record.organizationId,
        signerId: signer.userId,
        printedName: signer.displayName,
        meaning: request.meaning,
        signedAt: this.clock.now(),
        recordType: record.type,
        recordId: record.id,
        patientId: record.patientId,
        contentHash: signedContentHash(record),
      }),
    );
    await this.audit.append(manager, [
      {
        actor: auditActorFor(signer),
        action: 'esign.sign',
        resource: { type: record.type, id: record.id },
        patientId: record.patientId,
        outcome: 'success',
        reason: request.meaning,
        requestId: meta.requestId,
        payload: securityPayload(meta, {
          signatureId: signature.id,
          printedName: signature.printedName,
          meaning: signature.meaning,
          contentHash: signature.contentHash,
        }),
      },
    ]);
    return signature;
  }

  /**
   * Checks that a signature belongs to this very record and that the record still has the content that
   * was signed. A signature of another record (copied over) or of other content is refused and audited.
   */
  async verify(signatureId: string, record: SignableRecord, actor: UserPrincipal, meta: RequestMeta): Promise<ElectronicSignatureEntity> {
    const signature = await this.dataSource.getRepository(ElectronicSignatureEntity).findOneBy({ id: signatureId, organizationId: actor.organizationId });
    if (!signature) throw new SignatureError(SignatureErrorCode.NOT_FOUND, 'No such signature.');
    const bound = signature.recordType === record.type && signature.recordId === record.id;
    const unchanged = signature.contentHash === signedContentHash(record);
    if (bound && unchanged) return signature;
    const reason = bound ? 'record changed after signing' : `signature belongs to ${signature.recordType} ${signature.recordId}`;
    await this.auditAlone({
      actor: auditActorFor(actor),
      action: 'esign.verify',
      resource: { type: record.type, id: record.id },
      patientId: record.patientId,
      outcome: 'failure',
      reason,
      requestId: meta.requestId,
      payload: securityPayload(meta, { signatureId: signature.id }),
    });
    throw bound
      ? new SignatureError(SignatureErrorCode.RECORD_CHANGED, 'The record has changed since it was signed; the signature does not cover it.')
      : new SignatureError(SignatureErrorCode.NOT_BOUND, 'This signature was made for another record and cannot be used for this one.');
  }

  signaturesOf(organizationId: string, recordType: string, recordId: string): Promise<ElectronicSignatureEntity[]> {
    return this.dataSource.getRepository(ElectronicSignatureEntity).find({ where: { organizationId, recordType, recordId }, order: { signedAt: 'ASC' } });
  }

  findVisible(organizationId: string, id: string): Promise<ElectronicSignatureEntity | null> {
    return this.dataSource.getRepository(ElectronicSignatureEntity).findOneBy({ id, organizationId });
  }

  /** Both components, for the signer themself only; failures counted and audited in a committed transaction. */
  private async checkSigner(signer: UserPrincipal, credentials: SignatureCredentials, record: SignableRecord, meta: RequestMeta): Promise<void> {
    const now = this.clock.now();
    const stored = await this.dataSource.getRepository(UserCredentialEntity).findOneBy({ userId: signer.userId });
    const passwordMatches = stored ? await verifyPassword(credentials.password, stored.passwordHash) : false;
    const identityMatches = credentials.email.trim().toLowerCase() === signer.email.toLowerCase();
    const error = await withTransaction(this.dataSource, async (manager): Promise<SignatureError | undefined> => {
      const row = await manager.findOne(UserCredentialEntity, { where: { userId: signer.userId }, lock: { mode: 'pessimistic_write' } });
      const entry = (action: string, outcome: AuditEntryInput['outcome'], reason: string, details = {}): AuditEntryInput => ({
        actor: auditActorFor(signer),
        action,
        resource: { type: record.type, id: record.id },
        patientId: record.patientId,
        outcome,
        reason,
        requestId: meta.requestId,
        payload: securityPayload(meta, details),
      });
      if (!row || row.signingLockedAt) {
        await this.audit.append(manager, [entry('esign.sign', 'denied', 'signing locked')]);
        return signingLocked();
      }
      if (passwordMatches && identityMatches) {
        if (row.signingFailureCount > 0) {
          row.signingFailureCount = 0;
          await manager.save(row);
        }
        return undefined;
      }
      row.signingFailureCount += 1;
      const reason = identityMatches ? 'wrong password' : 'identification code is not the signer\'s';
      const entries = [entry('esign.sign', 'failure', reason, { failedAttempts: row.signingFailureCount })];
      const locks = row.signingFailureCount >= this.settings.signatureLockoutThreshold;
      if (locks) {
        row.signingLockedAt = now;
        entries.push(entry('esign.locked', 'success', `${row.signingFailureCount} failed signing attempts in a row`, { failedAttempts: row.signingFailureCount }));
      }
      await manager.save(row);
      await this.audit.append(manager, entries);
      return locks
        ? signingLocked()
        : new SignatureError(SignatureErrorCode.INVALID_CREDENTIALS, 'The e-mail or password entered for the signature is not correct.');
    });
    if (error) throw error;
  }

  private async auditAlone(entry: AuditEntryInput): Promise<void> {
    await withTransaction(this.dataSource, (manager) => this.audit.append(manager, [entry]));
  }
}

function signingLocked(): SignatureError {
  return new SignatureError(SignatureErrorCode.SIGNING_LOCKED, 'Signing is locked after repeated failed attempts; ask an administrator to unlock it.');
}
