import jwksClient, { type JwksClient } from 'jwks-rsa';
import type { JwtHeader, JwtPayload } from 'jsonwebtoken';
import { USER_ROLES, type UserRole } from '@clinloop/organizations';
import { describeError } from '@clinloop/errors';
import { AuthError, AuthErrorCode } from '../errors';
import { verifyWith } from './access-tokens';

export interface ExternalIssuerSettings {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  /** Slug of the organization its users belong to. */
  readonly organizationSlug: string;
  readonly emailClaim: string;
  readonly roleClaim: string;
  /** External role or group name -> ClinLoop role. */
  readonly roleMap: Readonly<Record<string, UserRole>>;
}

/** What an external token says about its holder, once verified. */
export interface ExternalIdentity {
  readonly email: string;
  readonly roles: readonly UserRole[];
  readonly subject: string;
}

/**
 * An external OpenID Connect issuer whose access tokens the API also accepts (AUTH_OIDC_*). Its keys
 * come from its JWKS URL (cached, refetched at most a few times a minute for an unknown `kid`). Its
 * users must already exist in the configured organization: the token names who they are, our user
 * record decides what they may see.
 */
export class ExternalIssuer {
  private readonly client: JwksClient;

  constructor(readonly settings: ExternalIssuerSettings) {
    this.client = jwksClient({
      jwksUri: settings.jwksUrl,
      cache: true,
      cacheMaxAge: 10 * 60_000,
      rateLimit: true,
      jwksRequestsPerMinute: 10,
      timeout: 5000,
    });
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  async verify(token: string, header: JwtHeader, now: Date): Promise<JwtPayload> {
    if (header.alg !== 'RS256' && header.alg !== 'ES256' && header.alg !== 'PS256') {
      throw new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason: `algorithm ${header.alg} is not accepted` });
    }
    let key: string;
    try {
      key = (await this.client.getSigningKey(header.kid)).getPublicKey();
    } catch (error) {
      const unknownKey = error instanceof Error && error.name === 'SigningKeyNotFoundError';
      throw unknownKey
        ? new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason: 'signed with an unknown key of the external issuer' })
        : new AuthError(AuthErrorCode.EXTERNAL_ISSUER_UNAVAILABLE, 'The sign-in provider could not be reached; try again shortly.', {
            reason: describeError(error),
          });
    }
    return verifyWith(token, key, [header.alg], { issuer: this.settings.issuer, audience: this.settings.audience }, now);
  }

  /** Reads e-mail and mapped roles; a token with neither is refused. */
  identityOf(claims: JwtPayload): ExternalIdentity {
    const record = claims as Record<string, unknown>;
    const email = record[this.settings.emailClaim];
    const rawRoles = record[this.settings.roleClaim];
    const external = Array.isArray(rawRoles) ? rawRoles.filter((role): role is string => typeof role === 'string') : typeof rawRoles === 'string' ? [rawRoles] : [];
    const roles = [...new Set(external.map((role) => this.settings.roleMap[role]).filter((role): role is UserRole => role !== undefined && USER_ROLES.includes(role)))];
    if (typeof email !== 'string' || email === '' || typeof claims.sub !== 'string') {
      throw new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason: `external token lacks ${this.settings.emailClaim} or sub` });
    }
    return { email: email.toLowerCase(), roles, subject: claims.sub };
  }
}
