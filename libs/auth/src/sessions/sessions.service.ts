import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEntryInput } from '@clinloop/audit';
import type { UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { OrganizationEntity, UserEntity, type UserRole } from '@clinloop/organizations';
import { AUDIT_APPENDER, AUTH_SETTINGS, CLOCK, type AuthSettings, type Clock } from '../auth-settings';
import { AuthError, AuthErrorCode } from '../errors';
import { verifyAgainstDummy, verifyPassword } from '../passwords/password-hasher';
import { auditActorFor, securityPayload, UNAUTHENTICATED_ACTOR, type AuditAppender, type RequestMeta } from '../security-audit';
import { AccessTokens } from '../tokens/access-tokens';
import { acceptTotp } from '../totp/totp';
import { TotpSecretsService } from '../totp/totp-secrets.service';
import { AuthSessionEntity, type SessionEndReason } from './auth-session.entity';
import { countFailedAttempt, isLockedOut } from './lockout';
import { newOpaqueToken, sha256Hex } from './opaque-token';
import { RefreshTokenEntity } from './refresh-token.entity';
import { UserCredentialEntity } from './user-credential.entity';

/** Roles that must present a second factor (TOTP) at sign-in. */
export const ROLES_REQUIRING_MFA: readonly UserRole[] = ['clinician', 'auditor', 'admin'];

export interface SignInRequest {
  readonly organization: string;
  readonly email: string;
  readonly password: string;
  readonly totpCode?: string | null;
}

/** What a successful sign-in or refresh hands back. */
export interface IssuedSession {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly expiresInSeconds: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
  readonly idleTimeoutSeconds: number;
  readonly mustChangePassword: boolean;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AuthError };

const REFRESH_TOKEN_PREFIX = 'clr_';

/**
 * Sign-in (password, lockout, TOTP), refresh-token rotation with reuse detection, and sign-out. Every
 * attempt, success or not, is audited; failures are counted and audited in a committed transaction
 * before the error reaches the caller.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AccessTokens,
    private readonly totpSecrets: TotpSecretsService,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async signIn(request: SignInRequest, meta: RequestMeta): Promise<IssuedSession> {
    const now = this.clock.now();
    const email = request.email.trim().toLowerCase();
    const user = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .innerJoin(OrganizationEntity, 'o', 'o.id = u.organization_id')
      .where('o.slug = :slug AND lower(u.email) = :email', { slug: request.organization.trim(), email })
      .getOne();
    const credential = user ? await this.dataSource.getRepository(UserCredentialEntity).findOneBy({ userId: user.id }) : null;
    if (!user || !credential || user.deactivatedAt) {
      await verifyAgainstDummy(request.password);
      await this.auditAlone({
        actor: UNAUTHENTICATED_ACTOR,
        action: 'auth.sign_in',
        resource: { type: 'User', id: user?.id ?? null },
        outcome: 'failure',
        reason: user?.deactivatedAt ? 'account deactivated' : user ? 'no credentials' : 'unknown identity',
        requestId: meta.requestId,
        payload: securityPayload(meta, { organization: request.organization, identifier: sha256Hex(email).slice(0, 16) }),
      });
      throw invalidCredentials();
    }
    // The slow hash runs before the row lock is taken, so concurrent attempts do not queue on it.
    const passwordMatches = await verifyPassword(request.password, credential.passwordHash);
    const outcome = await withTransaction(this.dataSource, async (manager): Promise<Outcome<IssuedSession>> => {
      const row = await manager.findOneOrFail(UserCredentialEntity, { where: { userId: user.id }, lock: { mode: 'pessimistic_write' } });
      const entry = (action: string, outcome: AuditEntryInput['outcome'], reason: string | null, details = {}): AuditEntryInput => ({
        actor: { type: 'user', userId: user.id, role: user.role, organizationId: user.organizationId },
        action,
        resource: { type: 'User', id: user.id },
        outcome,
        reason,
        requestId: meta.requestId,
        payload: securityPayload(meta, details),
      });
      if (isLockedOut(row, now)) {
        await this.audit.append(manager, [entry('auth.sign_in', 'denied', 'account locked', { lockedUntil: row.lockedUntil.toISOString() })]);
        return { ok: false, error: accountLocked() };
      }
      if (!passwordMatches) return this.failSignIn(manager, row, now, 'wrong password', entry);
      const methods = ['pwd'];
      if (ROLES_REQUIRING_MFA.includes(user.role)) {
        if (!row.totpSecret) {
          await this.audit.append(manager, [entry('auth.sign_in', 'failure', 'no second factor enrolled')]);
          return { ok: false, error: new AuthError(AuthErrorCode.MFA_NOT_ENROLLED, 'Your account has no authenticator set up; ask an administrator.') };
        }
        const code = request.totpCode?.trim() ?? '';
        if (code === '') {
          await this.audit.append(manager, [entry('auth.sign_in', 'failure', 'second factor required')]);
          return { ok: false, error: new AuthError(AuthErrorCode.MFA_REQUIRED, 'Enter the 6-digit code from your authenticator app.') };
        }
        const step = acceptTotp(await this.totpSecrets.open(manager, row, row.totpSecret), code, now, row.totpLastStep);
        if (step === undefined) return this.failSignIn(manager, row, now, 'wrong one-time code', entry);
        row.totpLastStep = step;
        methods.push('otp');
      }
      row.failedSignInCount = 0;
      row.lockedUntil = null;
      await manager.save(row);
      const issued = await this.openSession(manager, user, methods, now);
      await this.audit.append(manager, [entry('auth.sign_in', 'success', null, { sessionId: issued.sessionId, methods })]);
      return { ok: true, value: { ...issued.tokens, mustChangePassword: row.mustChangePassword } };
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private async failSignIn(
    manager: EntityManager,
    row: UserCredentialEntity,
    now: Date,
    reason: string,
    entry: (action: string, outcome: AuditEntryInput['outcome'], reason: string | null, details?: Record<string, string | number>) => AuditEntryInput,
  ): Promise<Outcome<never>> {
    const failure = countFailedAttempt(row.failedSignInCount, this.settings, now);
    row.failedSignInCount = failure.failedSignInCount;
    const entries = [entry('auth.sign_in', 'failure', reason, { failedAttempts: failure.failedAttempts })];
    if (failure.lockedUntil) {
      row.lockedUntil = failure.lockedUntil;
      entries.push(
        entry('auth.lockout', 'success', `${failure.failedAttempts} failed sign-ins in a row`, {
          lockedUntil: failure.lockedUntil.toISOString(),
          failedAttempts: failure.failedAttempts,
        }),
      );
    }
    await manager.save(row);
    await this.audit.append(manager, entries);
    return { ok: false, error: failure.lockedUntil ? accountLocked() : invalidCredentials() };
  }

  private async openSession(
    manager: EntityManager,
    user: UserEntity,
    methods: string[],
    now: Date,
  ): Promise<{ sessionId: string; tokens: Omit<IssuedSession, 'mustChangePassword'> }> {
    const session = await manager.save(
      manager.create(AuthSessionEntity, {
        userId: user.id,
        organizationId: user.organizationId,
        authenticationMethods: methods,
        lastActivityAt: now,
        expiresAt: new Date(now.getTime() + this.settings.sessionMaxHours * 3_600_000),
        endedAt: null,
        endReason: null,
      }),
    );
    return { sessionId: session.id, tokens: await this.issueTokens(manager, user, session, now) };
  }

  private async issueTokens(
    manager: EntityManager,
    user: UserEntity,
    session: AuthSessionEntity,
    now: Date,
  ): Promise<Omit<IssuedSession, 'mustChangePassword'>> {
    const refreshToken = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    await manager.save(
      manager.create(RefreshTokenEntity, { sessionId: session.id, tokenHash: sha256Hex(refreshToken), issuedAt: now, expiresAt: session.expiresAt, usedAt: null }),
    );
    const access = this.tokens.issue(
      { typ: 'user', sub: user.id, org: user.organizationId, role: user.role, sid: session.id, amr: session.authenticationMethods },
      now,
    );
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      expiresInSeconds: access.expiresInSeconds,
      refreshToken,
      refreshTokenExpiresAt: session.expiresAt,
      idleTimeoutSeconds: this.settings.idleTimeoutSeconds,
    };
  }

  /**
   * Rotates a refresh token: the presented one is marked used and a successor issued in the same
   * session. A token presented a second time means two parties hold it, so the session (the whole
   * token family) ends at once and the event is audited.
   */
  async refresh(refreshToken: string, meta: RequestMeta): Promise<IssuedSession> {
    const now = this.clock.now();
    const outcome = await withTransaction(this.dataSource, async (manager): Promise<Outcome<IssuedSession>> => {
      const token = await manager.findOne(RefreshTokenEntity, { where: { tokenHash: sha256Hex(refreshToken) }, lock: { mode: 'pessimistic_write' } });
      if (!token) {
        await this.audit.append(manager, [
          {
            actor: UNAUTHENTICATED_ACTOR,
            action: 'auth.token_refresh',
            resource: { type: 'Session', id: null },
            outcome: 'failure',
            reason: 'unknown refresh token',
            requestId: meta.requestId,
            payload: securityPayload(meta),
          },
        ]);
        return { ok: false, error: new AuthError(AuthErrorCode.REFRESH_TOKEN_INVALID, 'The refresh token is not valid; sign in again.') };
      }
      const session = await manager.findOneOrFail(AuthSessionEntity, { where: { id: token.sessionId }, lock: { mode: 'pessimistic_write' } });
      const user = await manager.findOneByOrFail(UserEntity, { id: session.userId });
      const entry = (action: string, outcome: AuditEntryInput['outcome'], reason: string | null): AuditEntryInput => ({
        actor: { type: 'user', userId: user.id, role: user.role, organizationId: user.organizationId },
        action,
        resource: { type: 'Session', id: session.id },
        outcome,
        reason,
        requestId: meta.requestId,
        payload: securityPayload(meta, { sessionId: session.id }),
      });
      if (token.usedAt) {
        if (!session.endedAt) await this.endSession(manager, session, 'refresh_token_reuse', now);
        await this.audit.append(manager, [entry('auth.refresh_token_reuse', 'denied', 'refresh token presented twice: session revoked')]);
        return { ok: false, error: new AuthError(AuthErrorCode.REFRESH_TOKEN_REUSED, 'This refresh token was already used; the session has been signed out for safety.') };
      }
      const ended = this.whyEnded(session, user, now);
      if (ended) {
        if (ended === 'idle_timeout' && !session.endedAt) {
          await this.endSession(manager, session, 'idle_timeout', now);
          await this.audit.append(manager, [entry('auth.session_idle_timeout', 'success', 'no activity within the idle timeout')]);
        } else {
          await this.audit.append(manager, [entry('auth.token_refresh', 'failure', `session ended (${ended})`)]);
        }
        return { ok: false, error: sessionEnded() };
      }
      token.usedAt = now;
      await manager.save(token);
      const tokens = await this.issueTokens(manager, user, session, now);
      await this.audit.append(manager, [entry('auth.token_refresh', 'success', null)]);
      const credential = await manager.findOneBy(UserCredentialEntity, { userId: user.id });
      return { ok: true, value: { ...tokens, mustChangePassword: credential?.mustChangePassword ?? false } };
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Why a session can no longer be used, or undefined while it is alive. */
  whyEnded(session: AuthSessionEntity, user: UserEntity, now: Date): SessionEndReason | 'expired' | undefined {
    if (session.endedAt) return session.endReason ?? 'signed_out';
    if (user.deactivatedAt) return 'deactivated';
    if (now >= session.expiresAt) return 'expired';
    if (now.getTime() - session.lastActivityAt.getTime() > this.settings.idleTimeoutSeconds * 1000) return 'idle_timeout';
    return undefined;
  }

  async signOut(principal: UserPrincipal, meta: RequestMeta): Promise<void> {
    if (!principal.sessionId) return;
    const sessionId = principal.sessionId;
    const now = this.clock.now();
    await withTransaction(this.dataSource, async (manager) => {
      const session = await manager.findOne(AuthSessionEntity, { where: { id: sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!session || session.endedAt) return;
      await this.endSession(manager, session, 'signed_out', now);
      await this.audit.append(manager, [
        {
          actor: auditActorFor(principal),
          action: 'auth.sign_out',
          resource: { type: 'Session', id: session.id },
          outcome: 'success',
          requestId: meta.requestId,
          payload: securityPayload(meta),
        },
      ]);
    });
  }

  /** Ends a session; its refresh tokens and access tokens stop working with it. */
  async endSession(manager: EntityManager, session: AuthSessionEntity, reason: SessionEndReason, now: Date): Promise<void> {
    session.endedAt = now;
    session.endReason = reason;
    await manager.save(session);
  }

  /** Ends every open session of a user (password change, deactivation, unlock by an admin). */
  async endSessionsOf(manager: EntityManager, userId: string, reason: SessionEndReason, now: Date, except?: string | null): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(AuthSessionEntity)
      .set({ endedAt: now, endReason: reason })
      .where('user_id = :userId AND ended_at IS NULL', { userId })
      .andWhere(except ? 'id <> :except' : 'TRUE', except ? { except } : {})
      .execute();
    return result.affected ?? 0;
  }

  private async auditAlone(entry: AuditEntryInput): Promise<void> {
    await withTransaction(this.dataSource, (manager) => this.audit.append(manager, [entry]));
  }
}

function invalidCredentials(): AuthError {
  return new AuthError(AuthErrorCode.INVALID_CREDENTIALS, 'The organization, e-mail, password or code is not correct.');
}

export function accountLocked(): AuthError {
  return new AuthError(AuthErrorCode.ACCOUNT_LOCKED, 'Too many wrong passwords or codes: the account is locked for a while. Try later or ask an administrator.');
}

export function sessionEnded(): AuthError {
  return new AuthError(AuthErrorCode.SESSION_ENDED, 'Your session has ended (signed out, timed out or revoked); sign in again.');
}
