import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '@clinloop/auth';
import { DEMO_TOTP_SECRET } from '@clinloop/demo';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  auditEntriesOf,
  containing,
  errorCodeOf,
  gql,
  seedDemoOrganization,
  signIn,
  signInResponse,
  startSecureApi,
  type SecureApi,
} from '../support/auth-api';

const ME = '{ me { id email role displayName patient { mrn } } }';
const REFRESH = 'mutation R($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken } }';
const TOTP_STEP_MS = 30_000;

describe('sign-in, sessions and tokens (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    api = await startSecureApi(database, { AUTH_LOCKOUT_THRESHOLD: '3', AUTH_IDLE_TIMEOUT_SECONDS: '600' });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('signs a patient in with a password and answers who they are', async () => {
    const tokens = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
    const me = await gql<{ me: { email: string; role: string; patient: { mrn: string } } }>(api, ME, { token: tokens.accessToken });
    expect(me.errors).toEqual([]);
    expect(me.data?.me).toMatchObject({ email: 'maria.gonzalez@demo.clinloop.test', role: 'PATIENT', patient: { mrn: 'DEMO-0001' } });
  });

  it('issues RS256 access tokens with kid, issuer, audience and a 15-minute default lifetime, verifiable with the JWKS', async () => {
    const tokens = await signIn(api, 'james.walker@demo.clinloop.test');
    const [header, payload] = tokens.accessToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'RS256', kid: api.keys.active.kid });
    expect(payload).toMatchObject({ iss: 'clinloop', aud: 'clinloop-api', typ: 'user', role: 'patient' });
    expect(Number(payload?.exp) - Number(payload?.iat)).toBe(900);
    const { default: request } = await import('supertest');
    const jwks = await request(api.app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    expect((jwks.body as { keys: { kid: string; alg: string; kty: string }[] }).keys).toContainEqual(expect.objectContaining({ kid: api.keys.active.kid, alg: 'RS256', kty: 'RSA' }));
  });

  it('asks staff for the authenticator code, and refuses a wrong or replayed one', async () => {
    const withoutCode = await signInResponse(api, 'dr.chen@demo.clinloop.test', { totp: false });
    expect(errorCodeOf(withoutCode)).toBe('AUTH_MFA_REQUIRED');
    expect(withoutCode.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');

    const wrongCode = await signInResponse(api, 'dr.chen@demo.clinloop.test', { totpCode: '000000' });
    expect(errorCodeOf(wrongCode)).toBe('AUTH_INVALID_CREDENTIALS');

    api.clock.advance(TOTP_STEP_MS);
    const code = currentTotp(DEMO_TOTP_SECRET, api.clock.now());
    const first = await signInResponse(api, 'dr.chen@demo.clinloop.test', { totpCode: code });
    expect(first.errors).toEqual([]);
    const replay = await signInResponse(api, 'dr.chen@demo.clinloop.test', { totpCode: code });
    expect(errorCodeOf(replay)).toBe('AUTH_INVALID_CREDENTIALS');
    const entries = await auditEntriesOf(api.dataSource, first.requestId);
    expect(entries).toContainEqual(expect.objectContaining({ action: 'auth.sign_in', outcome: 'success', payload: containing({ methods: ['pwd', 'otp'] }) }));
  });

  it('never says which of organization, e-mail and password was wrong, and audits the attempt without the password', async () => {
    const unknown = await signInResponse(api, 'nobody@demo.clinloop.test', { password: 'secret-attempt-123' });
    const wrongPassword = await signInResponse(api, 'aiko.tanaka@demo.clinloop.test', { password: 'secret-attempt-123' });
    expect(errorCodeOf(unknown)).toBe('AUTH_INVALID_CREDENTIALS');
    expect(errorCodeOf(wrongPassword)).toBe('AUTH_INVALID_CREDENTIALS');
    expect(unknown.errors[0]?.message).toBe(wrongPassword.errors[0]?.message);
    const entries = [...(await auditEntriesOf(api.dataSource, unknown.requestId)), ...(await auditEntriesOf(api.dataSource, wrongPassword.requestId))];
    expect(entries.map((entry) => [entry.action, entry.outcome, entry.reason])).toEqual([
      ['auth.sign_in', 'failure', 'unknown identity'],
      ['auth.sign_in', 'failure', 'wrong password'],
    ]);
    expect(JSON.stringify(entries)).not.toContain('secret-attempt-123');
  });

  it('locks an account after repeated failures, even for the right password, and audits the lockout', async () => {
    const email = 'robert.miller@demo.clinloop.test';
    const attempts = [];
    for (let attempt = 0; attempt < 3; attempt++) attempts.push(await signInResponse(api, email, { password: 'not-the-password-1' }));
    expect(attempts.map(errorCodeOf)).toEqual(['AUTH_INVALID_CREDENTIALS', 'AUTH_INVALID_CREDENTIALS', 'AUTH_ACCOUNT_LOCKED']);
    const lastAttempt = attempts[2];
    expect((await auditEntriesOf(api.dataSource, lastAttempt?.requestId ?? '')).map((entry) => entry.action)).toEqual(['auth.sign_in', 'auth.lockout']);

    const rightPassword = await signInResponse(api, email);
    expect(errorCodeOf(rightPassword)).toBe('AUTH_ACCOUNT_LOCKED');
    expect(await auditEntriesOf(api.dataSource, rightPassword.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.sign_in', outcome: 'denied', reason: 'account locked' }));

    api.clock.advance(16 * 60_000);
    const later = await signInResponse(api, email);
    expect(later.errors).toEqual([]);
  });

  it('rotates refresh tokens and revokes the whole session when one is used twice', async () => {
    const tokens = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
    const rotated = await gql<{ refreshSession: { accessToken: string; refreshToken: string } }>(api, REFRESH, { variables: { token: tokens.refreshToken } });
    expect(rotated.errors).toEqual([]);
    const next = rotated.data?.refreshSession;
    expect(next?.refreshToken).not.toBe(tokens.refreshToken);

    const reuse = await gql(api, REFRESH, { variables: { token: tokens.refreshToken } });
    expect(errorCodeOf(reuse)).toBe('AUTH_REFRESH_TOKEN_REUSED');
    expect(await auditEntriesOf(api.dataSource, reuse.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.refresh_token_reuse', outcome: 'denied' }));

    // The family is gone: the successor refresh token and the access tokens of the session.
    expect(errorCodeOf(await gql(api, REFRESH, { variables: { token: next?.refreshToken } }))).toBe('AUTH_SESSION_ENDED');
    const me = await gql(api, ME, { token: next?.accessToken });
    expect(errorCodeOf(me)).toBe('AUTH_SESSION_ENDED');
  });

  it('signs out after the idle timeout and audits it', async () => {
    const tokens = await signIn(api, 'aiko.tanaka@demo.clinloop.test');
    expect((await gql(api, ME, { token: tokens.accessToken })).errors).toEqual([]);
    api.clock.advance(11 * 60_000);
    const idle = await gql(api, ME, { token: tokens.accessToken });
    expect(errorCodeOf(idle)).toBe('AUTH_SESSION_ENDED');
    expect(await auditEntriesOf(api.dataSource, idle.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.session_idle_timeout' }));
    expect(errorCodeOf(await gql(api, REFRESH, { variables: { token: tokens.refreshToken } }))).toBe('AUTH_SESSION_ENDED');
  });

  it('ends the session on sign-out', async () => {
    const tokens = await signIn(api, 'james.walker@demo.clinloop.test');
    const out = await gql<{ signOut: boolean }>(api, 'mutation { signOut }', { token: tokens.accessToken });
    expect(out.data?.signOut).toBe(true);
    expect(errorCodeOf(await gql(api, ME, { token: tokens.accessToken }))).toBe('AUTH_SESSION_ENDED');
  });

  it('changes a password under the policy and ends the other sessions', async () => {
    const email = 'james.walker@demo.clinloop.test';
    const first = await signIn(api, email);
    const second = await signIn(api, email);
    const change = `mutation C($input: ChangePasswordInput!) { changePassword(input: $input) }`;
    const weak = await gql(api, change, { token: first.accessToken, variables: { input: { currentPassword: 'clinloop-demo-only', newPassword: 'short' } } });
    expect(errorCodeOf(weak)).toBe('AUTH_WEAK_PASSWORD');
    const changed = await gql(api, change, { token: first.accessToken, variables: { input: { currentPassword: 'clinloop-demo-only', newPassword: 'a much longer passphrase 42' } } });
    expect(changed.errors).toEqual([]);
    expect((await gql(api, ME, { token: first.accessToken })).errors).toEqual([]);
    expect(errorCodeOf(await gql(api, ME, { token: second.accessToken }))).toBe('AUTH_SESSION_ENDED');
    expect((await signInResponse(api, email, { password: 'a much longer passphrase 42' })).errors).toEqual([]);
  });
});
