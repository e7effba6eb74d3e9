import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthError, AuthErrorCode } from '../errors';
import { AccessTokens, type UserTokenClaims } from './access-tokens';
import { generateKeyRing, jwkThumbprint, TokenKeyRing } from './signing-keys';

const SETTINGS = { issuer: 'clinloop', audience: 'clinloop-api', ttlSeconds: 900 };
const CLAIMS: UserTokenClaims = { typ: 'user', sub: 'user-1', org: 'org-1', role: 'clinician', sid: 'session-1', amr: ['pwd', 'otp'] };
const NOW = new Date('2026-11-23T10:00:00Z');
const keys = generateKeyRing();
const tokens = new AccessTokens(keys, SETTINGS, undefined);

async function refusal(token: string, now = NOW): Promise<{ code: AuthErrorCode; reason: unknown }> {
  try {
    await tokens.verify(token, now);
  } catch (error) {
    if (error instanceof AuthError) return { code: error.code, reason: error.details.reason };
    throw error;
  }
  throw new Error('token was accepted');
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  it('issues RS256 with kid = JWK thumbprint, iss, aud, exp = iat + ttl; verifies its own', async () => {
    const issued = tokens.issue(CLAIMS, NOW);
    const header = JSON.parse(Buffer.from(issued.token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: jwkThumbprint(keys.active.publicKey) });
    const verified = await tokens.verify(issued.token, new Date(NOW.getTime() + 60_000));
    expect(verified).toMatchObject({ source: 'clinloop', claims: { ...CLAIMS, iss: 'clinloop', aud: 'clinloop-api', iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 900 } });
  });

  it.each<[string, () => string, AuthErrorCode, string | RegExp]>([
    ['expired', () => tokens.issue(CLAIMS, new Date(NOW.getTime() - 910_000)).token, AuthErrorCode.TOKEN_EXPIRED, 'token expired'],
    ['another key', () => new AccessTokens(generateKeyRing(), SETTINGS, undefined).issue(CLAIMS, NOW).token, AuthErrorCode.TOKEN_INVALID, 'signed with an unknown key'],
    ['another issuer', () => new AccessTokens(keys, { ...SETTINGS, issuer: 'evil' }, undefined).issue(CLAIMS, NOW).token, AuthErrorCode.TOKEN_INVALID, /jwt issuer invalid/],
    ['another audience', () => new AccessTokens(keys, { ...SETTINGS, audience: 'other-api' }, undefined).issue(CLAIMS, NOW).token, AuthErrorCode.TOKEN_INVALID, /jwt audience invalid/],
    ['alg none', () => `${encode({ alg: 'none', kid: keys.active.kid })}.${encode({ ...CLAIMS, iss: 'clinloop', aud: 'clinloop-api', exp: NOW.getTime() / 1000 + 60 })}.`, AuthErrorCode.TOKEN_INVALID, 'algorithm none is not accepted'],
    [
      'HS256 keyed with the public key',
      () => {
        const input = `${encode({ alg: 'HS256', kid: keys.active.kid })}.${encode({ ...CLAIMS, iss: 'clinloop', aud: 'clinloop-api', exp: NOW.getTime() / 1000 + 60 })}`;
        return `${input}.${createHmac('sha256', keys.active.publicKey.export({ format: 'pem', type: 'spki' })).update(input).digest('base64url')}`;
      },
      AuthErrorCode.TOKEN_INVALID,
      'algorithm HS256 is not accepted',
    ],
    ['tampered claims', () => {
      const [header, , signature] = tokens.issue(CLAIMS, NOW).token.split('.');
      return `${header ?? ''}.${encode({ ...CLAIMS, role: 'admin', iss: 'clinloop', aud: 'clinloop-api', exp: NOW.getTime() / 1000 + 60 })}.${signature ?? ''}`;
    }, AuthErrorCode.TOKEN_INVALID, 'invalid signature'],
    ['garbage', () => 'not.a.jwt', AuthErrorCode.TOKEN_INVALID, 'malformed token'],
  ])('refuses %s', async (_name, make, code, reason) => {
    const refused = await refusal(make());
    expect(refused.code).toBe(code);
    if (typeof reason === 'string') expect(refused.reason).toBe(reason);
    else expect(typeof refused.reason === 'string' ? refused.reason : '').toMatch(reason);
  });

  it('accepts tokens of a retiring key during a rotation, and publishes both in the JWKS', async () => {
    const old = generateKeyRing();
    const rotated = new TokenKeyRing(keys.active, [old.active.publicKey]);
    const oldToken = new AccessTokens(old, SETTINGS, undefined).issue(CLAIMS, NOW).token;
    await expect(new AccessTokens(rotated, SETTINGS, undefined).verify(oldToken, NOW)).resolves.toMatchObject({ source: 'clinloop' });
    expect(rotated.jwks().keys.map((key) => key.kid).sort()).toEqual([keys.active.kid, old.active.kid].sort());
    expect(rotated.jwks().keys.every((key) => key.d === undefined)).toBe(true);
  });
});
