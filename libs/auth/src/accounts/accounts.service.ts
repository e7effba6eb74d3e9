import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEntryInput } from '@clinloop/audit';
import type { UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { UserEntity, type UserRole } from '@clinloop/organizations';
import { PatientEntity } from '@clinloop/patients';
import { AUDIT_APPENDER, AUTH_SETTINGS, CLOCK, type AuthSettings, type Clock } from '../auth-settings';
import { AuthError, AuthErrorCode } from '../errors';
import { hashPassword, verifyPassword } from '../passwords/password-hasher';
import { assertAcceptablePassword } from '../passwords/password-policy';
import { auditActorFor, securityPayload, type AuditAppender, type RequestMeta } from '../security-audit';
import { countFailedAttempt, isLockedOut } from '../sessions/lockout';
import { accountLocked, ROLES_REQUIRING_MFA, SessionsService } from '../sessions/sessions.service';
import { UserCredentialEntity } from '../sessions/user-credential.entity';
import { newTotpSecret, totpProvisioningUri } from '../totp/totp';
import type { TotpSecretCipher } from '../totp/totp-secret-cipher';
import { TotpSecretsService } from '../totp/totp-secrets.service';

export interface NewUser {
  readonly email: string;
  readonly displayName: string;
  readonly role: UserRole;
  /** For the patient role: the medical record number of the record they will see. */
  readonly patientMrn?: string | null;
}

export interface ProvisionedUser {
  readonly user: UserEntity;
  /** One-time password the user must change at first sign-in. */
  readonly temporaryPassword: string;
  /** For roles that need a second factor: the secret and its otpauth:// URI, shown once. */
  readonly totpSecret: string | null;
  readonly totpUri: string | null;
}

/**
 * Stores credentials for a user (admin provisioning, the demo seed). The password is hashed here;
 * nothing in clear leaves this function.
 */
export async function storeCredentials(
  manager: EntityManager,
  userId: string,
  credentials: {
    password: string;
    totpSecret: string | null;
    mustChangePassword: boolean;
    now: Date;
    /**
     * Seals the TOTP secret (AES-256-GCM). Without it the secret is stored in clear and sealed at the
     * API's next start or the user's next sign-in (TotpSecretsService) - callers that hold the key pass it.
     */
    totpCipher?: Pick<TotpSecretCipher, 'seal'>;
  },
): Promise<void> {
  await manager.save(
    manager.create(UserCredentialEntity, {
      userId,
      passwordHash: await hashPassword(credentials.password),
      passwordChangedAt: credentials.now,
      mustChangePassword: credentials.mustChangePassword,
      failedSignInCount: 0,
      lockedUntil: null,
      totpSecret: credentials.totpSecret !== null && credentials.totpCipher ? credentials.totpCipher.seal(credentials.totpSecret, userId) : credentials.totpSecret,
      totpLastStep: null,
      signingFailureCount: 0,
      signingLockedAt: null,
    }),
  );
}

/**
 * Accounts: admins list, create, unlock and deactivate the users of their own organization (21 CFR
 * 11.300: unique identification codes, periodic review, loss management); everyone changes their own
 * password. Each change is audited in its transaction.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly totpSecrets: TotpSecretsService,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  list(admin: UserPrincipal): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).find({ where: { organizationId: admin.organizationId }, order: { email: 'ASC' } });
  }

  credentialsOf(userIds: readonly string[]): Promise<UserCredentialEntity[]> {
    return userIds.length === 0 ? Promise.resolve([]) : this.dataSource.getRepository(UserCredentialEntity).createQueryBuilder('c').where('c.user_id IN (:...userIds)', { userIds }).getMany();
  }

  async create(admin: UserPrincipal, input: NewUser, meta: RequestMeta): Promise<ProvisionedUser> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new AuthError(AuthErrorCode.INVALID_ACCOUNT_REQUEST, 'That is not an e-mail address.');
    if (input.displayName.trim() === '') throw new AuthError(AuthErrorCode.INVALID_ACCOUNT_REQUEST, 'A user needs a name.');
    const now = this.clock.now();
    const temporaryPassword = randomBytes(15).toString('base64url');
    const totpSecret = ROLES_REQUIRING_MFA.includes(input.role) ? newTotpSecret() : null;
    const user = await withTransaction(this.dataSource, async (manager) => {
      const duplicate = await manager
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .where('u.organization_id = :organizationId AND lower(u.email) = :email', { organizationId: admin.organizationId, email })
        .getExists();
      if (duplicate) throw new AuthError(AuthErrorCode.INVALID_ACCOUNT_REQUEST, 'A user with this e-mail already exists.');
      let patientId: string | null = null;
      if (input.role === 'patient') {
        const patient = input.patientMrn ? await manager.findOneBy(PatientEntity, { organizationId: admin.organizationId, mrn: input.patientMrn }) : null;
        if (!patient) throw new AuthError(AuthErrorCode.INVALID_ACCOUNT_REQUEST, 'A patient account needs the MRN of a patient of this organization.');
        patientId = patient.id;
      }
      const saved = await manager.save(
        manager.create(UserEntity, {
          organizationId: admin.organizationId,
          email,
          displayName: input.displayName.trim(),
          role: input.role,
          patientId,
          formularyPermission: false,
          deactivatedAt: null,
        }),
      );
      await storeCredentials(manager, saved.id, { password: temporaryPassword, totpSecret, mustChangePassword: true, now, totpCipher: this.totpSecrets });
      await this.audit.append(manager, [this.entry(admin, 'account.create', saved, meta, { role: saved.role, secondFactor: totpSecret !== null })]);
      return saved;
    });
    return { user, temporaryPassword, totpSecret, totpUri: totpSecret ? totpProvisioningUri(totpSecret, user.email) : null };
  }

  /** Clears a sign-in lockout and a signing lock. */
  async unlock(admin: UserPrincipal, userId: string, meta: RequestMeta): Promise<UserEntity> {
    return this.changeUser(admin, userId, meta, 'account.unlock', async (manager, user) => {
      await manager.update(UserCredentialEntity, { userId: user.id }, { failedSignInCount: 0, lockedUntil: null, signingFailureCount: 0, signingLockedAt: null });
      return {};
    });
  }

  /** Ends access at once: the account can no longer sign in and its sessions end. */
  async deactivate(admin: UserPrincipal, userId: string, meta: RequestMeta): Promise<UserEntity> {
    if (userId === admin.userId) throw new AuthError(AuthErrorCode.INVALID_ACCOUNT_REQUEST, 'You cannot deactivate your own account.');
    return this.changeUser(admin, userId, meta, 'account.deactivate', async (manager, user, now) => {
      user.deactivatedAt ??= now;
      await manager.save(user);
      const ended = await this.sessions.endSessionsOf(manager, user.id, 'deactivated', now);
      return { sessionsEnded: ended };
    });
  }

  /**
   * Changes the caller's own password and ends their other sessions; this one goes on, no longer held
   * for a password change. A wrong current password counts toward the account's lockout exactly like a
   * wrong password at sign-in (one count, one threshold), and a locked account changes nothing - told
   * before the new password's policy is, so a locked account never reveals whether a guess was right.
   */
  async changePassword(user: UserPrincipal, currentPassword: string, newPassword: string, meta: RequestMeta): Promise<void> {
    const now = this.clock.now();
    const stored = await this.dataSource.getRepository(UserCredentialEntity).findOneBy({ userId: user.userId });
    // The slow hashes run before the row lock is taken, as at sign-in.
    const matches = stored ? await verifyPassword(currentPassword, stored.passwordHash) : false;
    const replacement = matches ? await replacementFor(newPassword, currentPassword, user) : null;
    const error = await withTransaction(this.dataSource, async (manager): Promise<AuthError | null> => {
      const entry = (action: string, outcome: AuditEntryInput['outcome'], reason: string | null, details: Record<string, string | number> = {}): AuditEntryInput => ({
        actor: auditActorFor(user),
        action,
        resource: { type: 'User', id: user.userId },
        outcome,
        reason,
        requestId: meta.requestId,
        payload: securityPayload(meta, details),
      });
      const row = await manager.findOne(UserCredentialEntity, { where: { userId: user.userId }, lock: { mode: 'pessimistic_write' } });
      if (!row) {
        await this.audit.append(manager, [entry('account.change_password', 'failure', 'no password set')]);
        return wrongCurrentPassword();
      }
      if (isLockedOut(row, now)) {
        await this.audit.append(manager, [entry('account.change_password', 'denied', 'account locked', { lockedUntil: row.lockedUntil.toISOString() })]);
        return accountLocked();
      }
      // A password changed meanwhile (another request) is no longer the current one.
      if (!replacement || row.passwordHash !== stored?.passwordHash) {
        const failure = countFailedAttempt(row.failedSignInCount, this.settings, now);
        row.failedSignInCount = failure.failedSignInCount;
        const entries = [entry('account.change_password', 'failure', 'wrong current password', { failedAttempts: failure.failedAttempts })];
        if (failure.lockedUntil) {
          row.lockedUntil = failure.lockedUntil;
          entries.push(
            entry('auth.lockout', 'success', `${failure.failedAttempts} wrong passwords or codes in a row, the last at a password change`, {
              lockedUntil: failure.lockedUntil.toISOString(),
              failedAttempts: failure.failedAttempts,
            }),
          );
        }
        await manager.save(row);
        await this.audit.append(manager, entries);
        return failure.lockedUntil ? accountLocked() : wrongCurrentPassword();
      }
      if ('refusal' in replacement) return replacement.refusal;
      row.passwordHash = replacement.passwordHash;
      row.passwordChangedAt = now;
      row.mustChangePassword = false;
      row.failedSignInCount = 0;
      await manager.save(row);
      const ended = await this.sessions.endSessionsOf(manager, user.userId, 'password_changed', now, user.sessionId);
      await this.audit.append(manager, [entry('account.change_password', 'success', null, { otherSessionsEnded: ended })]);
      return null;
    });
    if (error) throw error;
  }

  private async changeUser(
    admin: UserPrincipal,
    userId: string,
    meta: RequestMeta,
    action: string,
    change: (manager: EntityManager, user: UserEntity, now: Date) => Promise<Record<string, number>>,
  ): Promise<UserEntity> {
    const now = this.clock.now();
    return withTransaction(this.dataSource, async (manager) => {
      const user = await manager.findOne(UserEntity, { where: { id: userId, organizationId: admin.organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw new AuthError(AuthErrorCode.NOT_FOUND, 'No such user.');
      const details = await change(manager, user, now);
      await this.audit.append(manager, [this.entry(admin, action, user, meta, details)]);
      return user;
    });
  }

  private entry(admin: UserPrincipal, action: string, user: UserEntity, meta: RequestMeta, details: Record<string, string | number | boolean>) {
    return {
      actor: auditActorFor(admin),
      action,
      resource: { type: 'User', id: user.id },
      outcome: 'success' as const,
      requestId: meta.requestId,
      payload: securityPayload(meta, details),
    };
  }
}

/** The new password's hash, or why it is refused (NIST SP 800-63B policy, or the current one again). */
async function replacementFor(newPassword: string, currentPassword: string, user: UserPrincipal): Promise<{ readonly passwordHash: string } | { readonly refusal: AuthError }> {
  try {
    assertAcceptablePassword(newPassword, user);
  } catch (error) {
    if (error instanceof AuthError) return { refusal: error };
    throw error;
  }
  if (newPassword === currentPassword) return { refusal: new AuthError(AuthErrorCode.WEAK_PASSWORD, 'The new password must differ from the current one.') };
  return { passwordHash: await hashPassword(newPassword) };
}

function wrongCurrentPassword(): AuthError {
  return new AuthError(AuthErrorCode.INVALID_CREDENTIALS, 'The current password is not correct.');
}
