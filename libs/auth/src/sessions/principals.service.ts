import { Inject, Injectable } from '@nestjs/common';
import { DataSource, MoreThan } from 'typeorm';
import { isIntegratorScope, type ClientPrincipal, type UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { CareTeamMemberEntity, OrganizationEntity, UserEntity } from '@clinloop/organizations';
import { CareTeamPatientEntity } from '@clinloop/patients';
import { AUDIT_APPENDER, CLOCK, type Clock } from '../auth-settings';
import { BreakGlassGrantEntity } from '../break-glass/break-glass-grant.entity';
import { IntegratorClientEntity } from '../clients/integrator-client.entity';
import { AuthError, AuthErrorCode } from '../errors';
import { securityPayload, type AuditAppender, type RequestMeta } from '../security-audit';
import type { ClientTokenClaims, UserTokenClaims, VerifiedToken } from '../tokens/access-tokens';
import type { ExternalIssuer } from '../tokens/external-issuer';
import { AuthSessionEntity } from './auth-session.entity';
import { sessionEnded, SessionsService } from './sessions.service';
import { UserCredentialEntity } from './user-credential.entity';

export const EXTERNAL_ISSUER = Symbol('EXTERNAL_ISSUER');

/** Activity is written at most this often per session: the idle timeout is accurate to this much. */
const ACTIVITY_WRITE_INTERVAL_MS = 30_000;

/**
 * Turns a verified access token into the principal of one request, from the database as it is now:
 * the session must be alive (not signed out, idle or too old), the user active, the client not
 * revoked. Roles, care-team memberships, break-glass grants and whether the password must still be
 * changed are read fresh, so a change applies to the next request, not at the token's expiry.
 */
@Injectable()
export class PrincipalsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EXTERNAL_ISSUER) private readonly external: ExternalIssuer | null,
  ) {}

  async principalFor(token: VerifiedToken, meta: RequestMeta): Promise<UserPrincipal | ClientPrincipal> {
    if (token.source === 'external') return this.externalUser(token.claims);
    return token.claims.typ === 'user' ? this.sessionUser(token.claims, meta) : this.client(token.claims);
  }

  private async sessionUser(claims: UserTokenClaims, meta: RequestMeta): Promise<UserPrincipal> {
    const now = this.clock.now();
    const session = await this.dataSource.getRepository(AuthSessionEntity).findOneBy({ id: claims.sid });
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: claims.sub });
    if (!session || !user || session.userId !== user.id) {
      throw new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason: 'no such session' });
    }
    const ended = this.sessions.whyEnded(session, user, now);
    if (ended === 'idle_timeout') {
      await this.endIdleSession(session, user, now, meta);
      throw sessionEnded();
    }
    if (ended) throw sessionEnded();
    if (now.getTime() - session.lastActivityAt.getTime() > ACTIVITY_WRITE_INTERVAL_MS) {
      await this.dataSource
        .createQueryBuilder()
        .update(AuthSessionEntity)
        .set({ lastActivityAt: now })
        .where('id = :id AND ended_at IS NULL', { id: session.id })
        .execute();
    }
    return this.userPrincipal(user, session.id, now, await this.passwordChangeRequired(user.id));
  }

  /**
   * A user as they are now, for a credential issued earlier in one of their sessions (a download
   * ticket): the account must be active and, when `sessionId` is given, that session still alive.
   * @throws AuthError SESSION_ENDED otherwise
   */
  async currentUser(userId: string, sessionId: string | null): Promise<UserPrincipal> {
    const now = this.clock.now();
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user || user.deactivatedAt) throw sessionEnded();
    if (sessionId !== null) {
      const session = await this.dataSource.getRepository(AuthSessionEntity).findOneBy({ id: sessionId, userId });
      if (!session || this.sessions.whyEnded(session, user, now)) throw sessionEnded();
    }
    return this.userPrincipal(user, sessionId, now, await this.passwordChangeRequired(user.id));
  }

  /**
   * Read on every request rather than carried in the token: a changed password frees the session it was
   * changed in at once, with the access token it already holds.
   */
  private async passwordChangeRequired(userId: string): Promise<boolean> {
    const credential = await this.dataSource.getRepository(UserCredentialEntity).findOne({ select: { userId: true, mustChangePassword: true }, where: { userId } });
    return credential?.mustChangePassword ?? false;
  }

  private async endIdleSession(session: AuthSessionEntity, user: UserEntity, now: Date, meta: RequestMeta): Promise<void> {
    await withTransaction(this.dataSource, async (manager) => {
      const locked = await manager.findOne(AuthSessionEntity, { where: { id: session.id }, lock: { mode: 'pessimistic_write' } });
      if (!locked || locked.endedAt) return;
      await this.sessions.endSession(manager, locked, 'idle_timeout', now);
      await this.audit.append(manager, [
        {
          actor: { type: 'user', userId: user.id, role: user.role, organizationId: user.organizationId },
          action: 'auth.session_idle_timeout',
          resource: { type: 'Session', id: session.id },
          outcome: 'success',
          reason: 'no activity within the idle timeout',
          requestId: meta.requestId,
          payload: securityPayload(meta, { lastActivityAt: session.lastActivityAt.toISOString() }),
        },
      ]);
    });
  }

  private async userPrincipal(user: UserEntity, sessionId: string | null, now: Date, passwordChangeRequired: boolean): Promise<UserPrincipal> {
    let careTeamIds: string[] = [];
    let breakGlassPatientIds: string[] = [];
    if (user.role === 'clinician') {
      const memberships = await this.dataSource.getRepository(CareTeamMemberEntity).findBy({ userId: user.id });
      careTeamIds = memberships.map((membership) => membership.careTeamId);
      const grants = await this.dataSource.getRepository(BreakGlassGrantEntity).findBy({ userId: user.id, expiresAt: MoreThan(now) });
      breakGlassPatientIds = [...new Set(grants.map((grant) => grant.patientId))];
    } else if (user.role === 'patient' && user.patientId) {
      const teams = await this.dataSource.getRepository(CareTeamPatientEntity).findBy({ patientId: user.patientId });
      careTeamIds = teams.map((team) => team.careTeamId);
    }
    return {
      kind: 'user',
      userId: user.id,
      organizationId: user.organizationId,
      role: user.role,
      email: user.email,
      displayName: user.displayName,
      sessionId,
      patientId: user.patientId,
      careTeamIds,
      breakGlassPatientIds,
      formularyPermission: user.formularyPermission,
      passwordChangeRequired,
    };
  }

  private async client(claims: ClientTokenClaims): Promise<ClientPrincipal> {
    const client = await this.dataSource.getRepository(IntegratorClientEntity).findOneBy({ id: claims.sub });
    if (!client || client.organizationId !== claims.org || client.clientId !== claims.client_id) {
      throw new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason: 'no such client' });
    }
    if (client.revokedAt) throw new AuthError(AuthErrorCode.CLIENT_REVOKED, 'This integrator client has been revoked.', { clientId: client.clientId });
    // Scopes granted now AND named in the token: narrowing a client applies to tokens already out.
    const granted = new Set(client.scopes);
    const scopes = claims.scope.split(' ').filter((scope) => granted.has(scope)).filter(isIntegratorScope);
    return { kind: 'client', clientId: client.id, publicClientId: client.clientId, organizationId: client.organizationId, scopes };
  }

  private async externalUser(claims: Parameters<ExternalIssuer['identityOf']>[0]): Promise<UserPrincipal> {
    if (!this.external) throw new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason: 'external issuer not configured' });
    const identity = this.external.identityOf(claims);
    const user = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .innerJoin(OrganizationEntity, 'o', 'o.id = u.organization_id')
      .where('o.slug = :slug AND lower(u.email) = :email AND u.deactivated_at IS NULL', {
        slug: this.external.settings.organizationSlug,
        email: identity.email,
      })
      .getOne();
    if (!user) throw new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason: 'external identity has no ClinLoop account' });
    if (!identity.roles.includes(user.role)) {
      throw new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', {
        reason: `external roles [${identity.roles.join(', ')}] do not include the account's role ${user.role}`,
      });
    }
    // The external issuer authenticated this person; a password ClinLoop holds plays no part.
    return this.userPrincipal(user, null, this.clock.now(), false);
  }
}
