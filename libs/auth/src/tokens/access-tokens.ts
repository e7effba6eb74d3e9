import { randomUUID, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import type { UserRole } from '@clinloop/organizations';
import type { IntegratorScope } from '@clinloop/authz';
import { AuthError, AuthErrorCode } from '../errors';
import type { ExternalIssuer } from './external-issuer';
import type { TokenKeyRing } from './signing-keys';

export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** Claims of an access token for a signed-in user. */
export interface UserTokenClaims {
  readonly typ: 'user';
  readonly sub: string;
  readonly org: string;
  readonly role: UserRole;
  /** Session id: the token dies with its session (sign-out, idle timeout, refresh-token reuse). */
  readonly sid: string;
  /** Authentication methods used (RFC 8176): `pwd`, plus `otp` for the second factor. */
  readonly amr: readonly string[];
}

/** Claims of an access token for an integrator's client (OAuth2 client credentials). */
export interface ClientTokenClaims {
  readonly typ: 'client';
  /** Row id of the integrator client. */
  readonly sub: string;
  readonly org: string;
  readonly client_id: string;
  /** Space-separated granted scopes (RFC 8693 / RFC 9068 style). */
  readonly scope: string;
}

export type ClinLoopTokenClaims = UserTokenClaims | ClientTokenClaims;

export type VerifiedToken =
  | { readonly source: 'clinloop'; readonly claims: ClinLoopTokenClaims & { readonly exp: number; readonly jti: string } }
  | { readonly source: 'external'; readonly claims: JwtPayload };

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresAt: Date;
  readonly expiresInSeconds: number;
}

const OUR_ALGORITHM: Algorithm = 'RS256';
/** Clocks of the API replicas and the external issuer may differ slightly. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Issues and verifies access tokens: RS256 JWTs with `kid` in the header, `iss` and `aud` checked,
 * short-lived (AUTH_ACCESS_TOKEN_TTL_SECONDS). Verification accepts exactly RS256 with a key of our
 * key ring, or the configured external issuer's JWKS; anything else (`alg: none`, HS256 with the
 * public key as secret, a foreign key) is refused with a reason that goes to the audit trail.
 */
export class AccessTokens {
  constructor(
    private readonly keys: TokenKeyRing,
    private readonly settings: TokenSettings,
    private readonly external: ExternalIssuer | undefined,
  ) {}

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  issue(claims: ClinLoopTokenClaims, now: Date): IssuedAccessToken {
    // jsonwebtoken computes exp from the payload's iat, so the injected clock decides both.
    const token = jwt.sign({ ...claims, iat: Math.floor(now.getTime() / 1000) }, this.keys.active.privateKey, {
      algorithm: OUR_ALGORITHM,
      keyid: this.keys.active.kid,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      expiresIn: this.settings.ttlSeconds,
      jwtid: randomUUID(),
      header: { alg: OUR_ALGORITHM, typ: 'at+jwt', kid: this.keys.active.kid },
    });
    return { token, expiresAt: new Date(now.getTime() + this.settings.ttlSeconds * 1000), expiresInSeconds: this.settings.ttlSeconds };
  }

  async verify(token: string, now: Date): Promise<VerifiedToken> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw invalid('malformed token');
    const { header, payload } = decoded;
    const issuer = payload.iss;
    if (this.external && issuer === this.external.issuer) {
      return { source: 'external', claims: await this.external.verify(token, header, now) };
    }
    if (header.alg !== OUR_ALGORITHM) throw invalid(`algorithm ${header.alg} is not accepted`);
    const key: KeyObject | undefined = header.kid ? this.keys.publicKey(header.kid) : undefined;
    if (!key) throw invalid('signed with an unknown key');
    const claims = verifyWith(token, key, [OUR_ALGORITHM], { issuer: this.settings.issuer, audience: this.settings.audience }, now);
    if (!isClinLoopClaims(claims)) throw invalid('unexpected claims');
    return { source: 'clinloop', claims };
  }
}

/** jsonwebtoken's verify with our error codes; `now` comes from the injected clock. */
export function verifyWith(
  token: string,
  key: KeyObject | string,
  algorithms: Algorithm[],
  expected: { issuer: string; audience: string },
  now: Date,
): JwtPayload {
  try {
    const payload = jwt.verify(token, key, {
      algorithms,
      issuer: expected.issuer,
      audience: expected.audience,
      clockTimestamp: Math.floor(now.getTime() / 1000),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if (typeof payload === 'string' || typeof payload.exp !== 'number') throw invalid('token has no expiry');
    return payload;
  } catch (error) {
    if (error instanceof AuthError) throw error;
    if (error instanceof jwt.TokenExpiredError) throw new AuthError(AuthErrorCode.TOKEN_EXPIRED, 'The access token has expired; refresh it or sign in again.', { reason: 'token expired' });
    throw invalid(error instanceof Error ? error.message : 'unverifiable token');
  }
}

function invalid(reason: string): AuthError {
  return new AuthError(AuthErrorCode.TOKEN_INVALID, 'The access token is not valid.', { reason });
}

function isClinLoopClaims(payload: JwtPayload): payload is ClinLoopTokenClaims & { exp: number; jti: string } {
  const record = payload as Record<string, unknown>;
  if (typeof payload.sub !== 'string' || typeof record.org !== 'string' || typeof payload.jti !== 'string') return false;
  if (record.typ === 'user') return typeof record.sid === 'string' && typeof record.role === 'string' && Array.isArray(record.amr);
  if (record.typ === 'client') return typeof record.client_id === 'string' && typeof record.scope === 'string';
  return false;
}

export function scopeString(scopes: readonly IntegratorScope[]): string {
  return scopes.join(' ');
}
