import { Inject, Injectable } from '@nestjs/common';
import { Between, DataSource } from 'typeorm';
import { AuthzError, AuthzErrorCode, type UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { PatientEntity } from '@clinloop/patients';
import { AUDIT_APPENDER, AUTH_SETTINGS, CLOCK, type AuthSettings, type Clock } from '../auth-settings';
import { AuthError, AuthErrorCode } from '../errors';
import { auditActorFor, securityPayload, type AuditAppender, type RequestMeta } from '../security-audit';
import { BreakGlassGrantEntity } from './break-glass-grant.entity';

/** A reason must say something: at least this many characters after trimming. */
export const MIN_BREAK_GLASS_REASON = 10;

/**
 * Break-glass (HIPAA 164.312(a)(2)(ii) emergency access): a clinician opens one patient outside
 * their care teams, for AUTH_BREAK_GLASS_MINUTES, after giving a reason. Read-only; the grant, the
 * refusal of a grant without a reason, and every read under it are flagged in the audit trail.
 */
@Injectable()
export class BreakGlassService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async open(clinician: UserPrincipal, patientId: string, reason: string, meta: RequestMeta): Promise<BreakGlassGrantEntity> {
    const now = this.clock.now();
    const trimmed = reason.trim();
    const patient = await this.dataSource.getRepository(PatientEntity).findOneBy({ id: patientId, organizationId: clinician.organizationId });
    const base = {
      actor: auditActorFor(clinician),
      resource: { type: 'Patient', id: patientId },
      requestId: meta.requestId,
    } as const;
    if (!patient) {
      await withTransaction(this.dataSource, (manager) =>
        this.audit.append(manager, [{ ...base, action: 'break_glass.open', outcome: 'failure', reason: 'no such patient in the organization', payload: securityPayload(meta, { breakGlass: true }) }]),
      );
      throw new AuthError(AuthErrorCode.NOT_FOUND, 'No such patient.');
    }
    if (trimmed.length < MIN_BREAK_GLASS_REASON) {
      await withTransaction(this.dataSource, (manager) =>
        this.audit.append(manager, [
          { ...base, patientId: patient.id, action: 'break_glass.open', outcome: 'denied', reason: 'no reason given', payload: securityPayload(meta, { breakGlass: true }) },
        ]),
      );
      throw new AuthzError(
        AuthzErrorCode.BREAK_GLASS_REASON_REQUIRED,
        `Say why you need emergency access (at least ${MIN_BREAK_GLASS_REASON} characters); it is recorded for the auditors.`,
      );
    }
    return withTransaction(this.dataSource, async (manager) => {
      const grant = await manager.save(
        manager.create(BreakGlassGrantEntity, {
          organizationId: clinician.organizationId,
          userId: clinician.userId,
          patientId: patient.id,
          reason: trimmed,
          openedAt: now,
          expiresAt: new Date(now.getTime() + this.settings.breakGlassMinutes * 60_000),
        }),
      );
      await this.audit.append(manager, [
        {
          ...base,
          patientId: patient.id,
          action: 'break_glass.open',
          outcome: 'success',
          reason: trimmed,
          payload: securityPayload(meta, { breakGlass: true, grantId: grant.id, expiresAt: grant.expiresAt.toISOString() }),
        },
      ]);
      return grant;
    });
  }

  /** Grants opened in the organization in a time range, newest first: the auditors' report. */
  report(auditor: UserPrincipal, from: Date, to: Date): Promise<(BreakGlassGrantEntity & { user: { displayName: string; email: string } })[]> {
    return this.dataSource.getRepository(BreakGlassGrantEntity).find({
      where: { organizationId: auditor.organizationId, openedAt: Between(from, to) },
      relations: { user: true },
      order: { openedAt: 'DESC' },
    }) as Promise<(BreakGlassGrantEntity & { user: { displayName: string; email: string } })[]>;
  }
}
