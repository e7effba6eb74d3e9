import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parseScopeParameter, type ClientPrincipal, type IntegratorScope, type UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { AUDIT_APPENDER, CLOCK, type Clock } from '../auth-settings';
import { AuthError, AuthErrorCode } from '../errors';
import { auditActorFor, securityPayload, UNAUTHENTICATED_ACTOR, type AuditAppender, type RequestMeta } from '../security-audit';
import { newOpaqueToken, sameHash, sha256Hex } from '../sessions/opaque-token';
import { AccessTokens, scopeString, type IssuedAccessToken } from '../tokens/access-tokens';
import { IntegratorClientEntity } from './integrator-client.entity';

export interface CreatedClient {
  readonly client: IntegratorClientEntity;
  /** Shown once; only its hash is stored. */
  readonly clientSecret: string;
}

export interface ClientToken extends IssuedAccessToken {
  readonly scopes: readonly IntegratorScope[];
}

const CLIENT_ID_PREFIX = 'clc_';
const CLIENT_SECRET_PREFIX = 'cls_';

/**
 * Integrator clients: OAuth2 client credentials bound to one organization and a fixed scope set.
 * Admins create and revoke them; every token request (granted or refused) and every API request a
 * client makes is audited.
 */
@Injectable()
export class ClientsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AccessTokens,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  list(admin: UserPrincipal): Promise<IntegratorClientEntity[]> {
    return this.dataSource.getRepository(IntegratorClientEntity).find({ where: { organizationId: admin.organizationId }, order: { createdAt: 'ASC' } });
  }

  async create(admin: UserPrincipal, name: string, requestedScopes: readonly string[], meta: RequestMeta): Promise<CreatedClient> {
    const { scopes, unknown } = parseScopeParameter(requestedScopes.join(' '));
    if (unknown.length > 0 || scopes.length === 0) {
      throw new AuthError(AuthErrorCode.SCOPE_INVALID, `Unknown or missing scopes: ${unknown.join(', ') || '(none given)'}.`);
    }
    if (name.trim() === '') throw new AuthError(AuthErrorCode.INVALID_ACCOUNT_REQUEST, 'A client needs a name.');
    const clientSecret = newOpaqueToken(CLIENT_SECRET_PREFIX);
    const client = await withTransaction(this.dataSource, async (manager) => {
      const saved = await manager.save(
        manager.create(IntegratorClientEntity, {
          organizationId: admin.organizationId,
          name: name.trim(),
          clientId: newOpaqueToken(CLIENT_ID_PREFIX).slice(0, 28),
          secretHash: sha256Hex(clientSecret),
          scopes,
          createdBy: admin.userId,
          revokedAt: null,
          revokedBy: null,
        }),
      );
      await this.audit.append(manager, [
        {
          actor: auditActorFor(admin),
          action: 'client.create',
          resource: { type: 'IntegratorClient', id: saved.id },
          outcome: 'success',
          requestId: meta.requestId,
          payload: securityPayload(meta, { clientId: saved.clientId, name: saved.name, scopes }),
        },
      ]);
      return saved;
    });
    return { client, clientSecret };
  }

  /** Revokes a client of the admin's organization; one of another organization is "not found". */
  async revoke(admin: UserPrincipal, id: string, meta: RequestMeta): Promise<IntegratorClientEntity> {
    const now = this.clock.now();
    return withTransaction(this.dataSource, async (manager) => {
      const client = await manager.findOne(IntegratorClientEntity, { where: { id, organizationId: admin.organizationId }, lock: { mode: 'pessimistic_write' } });
      if (!client) throw new AuthError(AuthErrorCode.NOT_FOUND, 'No such integrator client.');
      if (client.revokedAt) return client;
      client.revokedAt = now;
      client.revokedBy = admin.userId;
      await manager.save(client);
      await this.audit.append(manager, [
        {
          actor: auditActorFor(admin),
          action: 'client.revoke',
          resource: { type: 'IntegratorClient', id: client.id },
          outcome: 'success',
          requestId: meta.requestId,
          payload: securityPayload(meta, { clientId: client.clientId }),
        },
      ]);
      return client;
    });
  }

  /**
   * The OAuth2 client-credentials grant (RFC 6749 4.4): a short-lived access token carrying the
   * requested scopes (all granted ones when none are asked for), never more than were granted.
   */
  async issueToken(publicClientId: string, secret: string, scopeParameter: string | undefined, meta: RequestMeta): Promise<ClientToken> {
    const now = this.clock.now();
    const client = await this.dataSource.getRepository(IntegratorClientEntity).findOneBy({ clientId: publicClientId });
    const refuse = async (error: AuthError, reason: string): Promise<never> => {
      await withTransaction(this.dataSource, (manager) =>
        this.audit.append(manager, [
          {
            actor: client
              ? { type: 'user', userId: `client:${client.clientId}`, role: 'integrator', organizationId: client.organizationId }
              : UNAUTHENTICATED_ACTOR,
            action: 'client.token',
            resource: { type: 'IntegratorClient', id: client?.id ?? null },
            outcome: client ? 'denied' : 'failure',
            reason,
            requestId: meta.requestId,
            payload: securityPayload(meta, { clientId: publicClientId.slice(0, 64) }),
          },
        ]),
      );
      throw error;
    };
    if (!client || !sameHash(sha256Hex(secret), client.secretHash)) {
      return refuse(new AuthError(AuthErrorCode.CLIENT_INVALID, 'Unknown client or wrong client secret.'), client ? 'wrong client secret' : 'unknown client');
    }
    if (client.revokedAt) return refuse(new AuthError(AuthErrorCode.CLIENT_REVOKED, 'This integrator client has been revoked.'), 'client revoked');
    const granted = client.scopes.filter((scope): scope is IntegratorScope => parseScopeParameter(scope).unknown.length === 0);
    let scopes: IntegratorScope[] = granted;
    if (scopeParameter !== undefined && scopeParameter.trim() !== '') {
      const requested = parseScopeParameter(scopeParameter);
      const notGranted = requested.scopes.filter((scope) => !granted.includes(scope));
      if (requested.unknown.length > 0 || notGranted.length > 0) {
        return refuse(
          new AuthError(AuthErrorCode.SCOPE_INVALID, `Scopes not granted to this client: ${[...requested.unknown, ...notGranted].join(' ')}.`),
          'scope not granted',
        );
      }
      scopes = requested.scopes;
    }
    const principal: ClientPrincipal = { kind: 'client', clientId: client.id, publicClientId: client.clientId, organizationId: client.organizationId, scopes };
    const issued = this.tokens.issue({ typ: 'client', sub: client.id, org: client.organizationId, client_id: client.clientId, scope: scopeString(scopes) }, now);
    await withTransaction(this.dataSource, (manager) =>
      this.audit.append(manager, [
        {
          actor: auditActorFor(principal),
          action: 'client.token',
          resource: { type: 'IntegratorClient', id: client.id },
          outcome: 'success',
          requestId: meta.requestId,
          payload: securityPayload(meta, { scopes, expiresAt: issued.expiresAt.toISOString() }),
        },
      ]),
    );
    return { ...issued, scopes };
  }
}
