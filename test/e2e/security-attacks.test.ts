import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '@clinloop/api';
import { AccessTokens, generateKeyRing, TotpSecretCipher, type UserTokenClaims } from '@clinloop/auth';
import { loadConfig } from '@clinloop/config';
import { InProcessStreamTransport } from '@clinloop/messaging';
import { createLogger, createMetricsRegistry } from '@clinloop/observability';
import { createAppDataSource } from '@clinloop/persistence';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  auditEntriesOf,
  containing,
  demoIds,
  errorCodeOf,
  gql,
  seedDemoOrganization,
  signIn,
  signInResponse,
  startSecureApi,
  TEST_ENV,
  type GraphqlResponse,
  type SecureApi,
  type Tokens,
} from '../support/auth-api';
import { clientToken, createClient, OTHER_PASSWORD, requestClientToken, seedOtherOrganization, type OtherOrganization } from '../support/auth-fixtures';

const PATIENT = 'query P($id: ID!) { patient(id: $id) { id mrn givenName familyName } }';
const PATIENTS = '{ patients { id mrn } }';
const TOTP_STEP_MS = 30_000;
const anyString: unknown = expect.any(String);
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern) as unknown;

/** Every refusal is a coded client error: never a 5xx. */
function expectRefused(response: GraphqlResponse<unknown>, code: string, errorCode: string): void {
  expect(response.status).toBeLessThan(500);
  expect(response.errors[0]?.extensions.code).toBe(code);
  expect(response.errors[0]?.extensions.errorCode).toBe(errorCode);
}

function claimsOf(token: string): UserTokenClaims {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as UserTokenClaims;
  return { typ: payload.typ, sub: payload.sub, org: payload.org, role: payload.role, sid: payload.sid, amr: payload.amr };
}

/**
 * The attacks of the issue's "done when" list, end to end against real PostgreSQL: each answered
 * with the right coded error, never a 5xx, and each leaving its entry in the audit trail.
 */
describe('security e2e: refused as it should be, and audited', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let other: OtherOrganization;
  let maria: Tokens;
  let rivera: Tokens;
  let okafor: Tokens;
  let auditor: Tokens;
  let admin: Tokens;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    other = await seedOtherOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    api = await startSecureApi(database);
    maria = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
    rivera = await signIn(api, 'dr.rivera@demo.clinloop.test');
    okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
    auditor = await signIn(api, 'auditor@demo.clinloop.test');
    admin = await signIn(api, 'admin@demo.clinloop.test');
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  const mariaId = () => ids.patients['DEMO-0001'] ?? '';
  const jamesId = () => ids.patients['DEMO-0002'] ?? '';
  const aikoId = () => ids.patients['DEMO-0003'] ?? '';

  describe('tokens', () => {
    it('no token: UNAUTHENTICATED, audited as a refusal', async () => {
      const response = await gql(api, PATIENTS);
      expectRefused(response, 'UNAUTHENTICATED', 'AUTH_UNAUTHENTICATED');
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(
        expect.objectContaining({ action: 'authz.denied', outcome: 'denied', reason: 'not signed in: read Patient', actor_id: 'api:unauthenticated' }),
      );
    });

    it('expired token: AUTH_TOKEN_EXPIRED, audited', async () => {
      const expired = api.app.get(AccessTokens).issue(claimsOf(rivera.accessToken), new Date(api.clock.now().getTime() - 3_600_000));
      const response = await gql(api, PATIENTS, { token: expired.token });
      expectRefused(response, 'UNAUTHENTICATED', 'AUTH_TOKEN_EXPIRED');
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.token_rejected', outcome: 'denied' }));
    });

    it('token signed by another key (same claims, even the same kid): AUTH_TOKEN_INVALID, audited', async () => {
      const foreign = new AccessTokens(generateKeyRing(), { issuer: 'clinloop', audience: 'clinloop-api', ttlSeconds: 900 }, undefined);
      const unknownKid = await gql(api, PATIENTS, { token: foreign.issue(claimsOf(rivera.accessToken), api.clock.now()).token });
      expectRefused(unknownKid, 'UNAUTHENTICATED', 'AUTH_TOKEN_INVALID');
      expect(await auditEntriesOf(api.dataSource, unknownKid.requestId)).toContainEqual(
        expect.objectContaining({ action: 'auth.token_rejected', reason: 'signed with an unknown key' }),
      );

      const [, body, signature] = foreign.issue(claimsOf(rivera.accessToken), api.clock.now()).token.split('.');
      const ourHeader = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: api.keys.active.kid })).toString('base64url');
      const spoofedKid = await gql(api, PATIENTS, { token: `${ourHeader}.${body ?? ''}.${signature ?? ''}` });
      expectRefused(spoofedKid, 'UNAUTHENTICATED', 'AUTH_TOKEN_INVALID');
      expect(await auditEntriesOf(api.dataSource, spoofedKid.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.token_rejected', reason: 'invalid signature' }));
    });

    it('alg none, and HS256 keyed with the public key: AUTH_TOKEN_INVALID, audited', async () => {
      const claims = { ...claimsOf(rivera.accessToken), iss: 'clinloop', aud: 'clinloop-api', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600, jti: 'x' };
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const none = await gql(api, PATIENTS, { token: `${encode({ alg: 'none', typ: 'JWT', kid: api.keys.active.kid })}.${encode(claims)}.` });
      expectRefused(none, 'UNAUTHENTICATED', 'AUTH_TOKEN_INVALID');
      expect(await auditEntriesOf(api.dataSource, none.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.token_rejected', reason: 'algorithm none is not accepted' }));

      const { createHmac } = await import('node:crypto');
      const signingInput = `${encode({ alg: 'HS256', typ: 'JWT', kid: api.keys.active.kid })}.${encode(claims)}`;
      const publicPem = api.keys.active.publicKey.export({ format: 'pem', type: 'spki' });
      const hs256 = `${signingInput}.${createHmac('sha256', publicPem).update(signingInput).digest('base64url')}`;
      const confused = await gql(api, PATIENTS, { token: hs256 });
      expectRefused(confused, 'UNAUTHENTICATED', 'AUTH_TOKEN_INVALID');
    });
  });

  describe('patients never see each other', () => {
    it("by id: another patient's record is NOT_FOUND, exactly like a record that does not exist; audited", async () => {
      const other = await gql(api, PATIENT, { token: maria.accessToken, variables: { id: jamesId() } });
      const missing = await gql(api, PATIENT, { token: maria.accessToken, variables: { id: '00000000-0000-4000-8000-000000000000' } });
      expectRefused(other, 'NOT_FOUND', 'PATIENTS_NOT_FOUND');
      expectRefused(missing, 'NOT_FOUND', 'PATIENTS_NOT_FOUND');
      expect(other.errors[0]?.message).toBe(missing.errors[0]?.message);
      expect(await auditEntriesOf(api.dataSource, other.requestId)).toContainEqual(
        expect.objectContaining({ action: 'patient.read', outcome: 'denied', patient_id: jamesId(), actor_role: 'patient' }),
      );
    });

    it('through nested fields: the care team shows its clinicians, never its other patients', async () => {
      const response = await gql(api, '{ me { patient { id careTeams { name members { displayName } patients { id givenName } } } } }', { token: maria.accessToken });
      expectRefused(response, 'FORBIDDEN', 'AUTHZ_FIELD_FORBIDDEN');
      expect(response.errors[0]?.path?.map(String)).toEqual(['me', 'patient', 'careTeams', '0', 'patients']);
      expect(JSON.stringify(response.data)).not.toContain('James');
      expect(JSON.stringify(response.data)).toContain('Dr. Ana Rivera');
    });

    it('through lists: patients() is their own record only, and the read is audited', async () => {
      const response = await gql<{ patients: { id: string }[] }>(api, PATIENTS, { token: maria.accessToken });
      expect(response.errors).toEqual([]);
      expect(response.data?.patients.map((patient) => patient.id)).toEqual([mariaId()]);
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toEqual([
        expect.objectContaining({ action: 'patient.read', outcome: 'success', patient_id: mariaId() }),
      ]);
    });
  });

  describe('clinicians see their care teams only', () => {
    it('a patient outside their care teams is NOT_FOUND, by id and in lists; audited', async () => {
      const byId = await gql(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } });
      expectRefused(byId, 'NOT_FOUND', 'PATIENTS_NOT_FOUND');
      expect(await auditEntriesOf(api.dataSource, byId.requestId)).toContainEqual(expect.objectContaining({ action: 'patient.read', outcome: 'denied', patient_id: aikoId() }));
      const list = await gql<{ patients: { mrn: string }[] }>(api, PATIENTS, { token: okafor.accessToken });
      expect(list.data?.patients.map((patient) => patient.mrn).sort()).toEqual(['DEMO-0001', 'DEMO-0002']);
      const nested = await gql<{ careTeams: { name: string; patients: { mrn: string }[] }[] }>(api, '{ careTeams { name patients { mrn } } }', { token: okafor.accessToken });
      expect(nested.data?.careTeams.map((team) => team.name)).toEqual(['Hypertension Team A']);
    });

    it("another organization's patient is NOT_FOUND, even for a clinician on two teams", async () => {
      const response = await gql(api, PATIENT, { token: rivera.accessToken, variables: { id: other.patientId } });
      expectRefused(response, 'NOT_FOUND', 'PATIENTS_NOT_FOUND');
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(expect.objectContaining({ action: 'patient.read', outcome: 'denied' }));
    });
  });

  describe('break-glass', () => {
    const OPEN = 'mutation B($input: OpenBreakGlassInput!) { openBreakGlass(input: $input) { id patientId reason expiresAt } }';

    it('without a reason: refused (BAD_USER_INPUT), audited, and the record stays closed', async () => {
      const response = await gql(api, OPEN, { token: okafor.accessToken, variables: { input: { patientId: aikoId(), reason: '  ' } } });
      expectRefused(response, 'BAD_USER_INPUT', 'AUTHZ_BREAK_GLASS_REASON_REQUIRED');
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(
        expect.objectContaining({ action: 'break_glass.open', outcome: 'denied', reason: 'no reason given', patient_id: aikoId() }),
      );
      const missing = await gql(api, OPEN, { token: okafor.accessToken, variables: { input: { patientId: aikoId() } } });
      expectRefused(missing, 'BAD_USER_INPUT', 'AUTHZ_BREAK_GLASS_REASON_REQUIRED');
      expectRefused(await gql(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } }), 'NOT_FOUND', 'PATIENTS_NOT_FOUND');
    });

    it('with a reason: time-limited read access, flagged in the audit trail and in the auditors\' report', async () => {
      const reason = 'Covering the on-call shift: patient called with chest pain';
      const opened = await gql<{ openBreakGlass: { id: string; expiresAt: string } }>(api, OPEN, { token: okafor.accessToken, variables: { input: { patientId: aikoId(), reason } } });
      expect(opened.errors).toEqual([]);
      expect(new Date(opened.data?.openBreakGlass.expiresAt ?? 0).getTime() - api.clock.now().getTime()).toBeLessThanOrEqual(60 * 60_000);
      expect(await auditEntriesOf(api.dataSource, opened.requestId)).toContainEqual(
        expect.objectContaining({ action: 'break_glass.open', outcome: 'success', reason, payload: containing({ breakGlass: true }) }),
      );

      const read = await gql<{ patient: { mrn: string } }>(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } });
      expect(read.data?.patient.mrn).toBe('DEMO-0003');
      expect(await auditEntriesOf(api.dataSource, read.requestId)).toContainEqual(
        expect.objectContaining({ action: 'patient.read', outcome: 'success', patient_id: aikoId(), payload: containing({ breakGlass: true }) }),
      );
      // Read-only: signing the record still needs a care-team clinician.
      const report = await gql<{ breakGlassReport: { clinicianName: string; patientId: string; reason: string }[] }>(
        api,
        '{ breakGlassReport { clinicianName patientId reason openedAt expiresAt } }',
        { token: auditor.accessToken },
      );
      expect(report.data?.breakGlassReport).toContainEqual({ clinicianName: 'Chidi Okafor, NP', patientId: aikoId(), reason, openedAt: anyString, expiresAt: anyString });
    });
  });

  describe('auditors change nothing', () => {
    it('a mutation is FORBIDDEN and audited', async () => {
      const attempts = [
        await gql(api, 'mutation { openBreakGlass(input: { patientId: "00000000-0000-4000-8000-000000000000", reason: "just looking around today" }) { id } }', { token: auditor.accessToken }),
        await gql(api, 'mutation { createIntegratorClient(input: { name: "x", scopes: ["patients:read"] }) { clientSecret } }', { token: auditor.accessToken }),
        await gql(api, `mutation { signRecord(input: { recordType: "RegimenVersion", recordId: "${mariaId()}", meaning: APPROVED, email: "auditor@demo.clinloop.test", password: "x" }) { id } }`, {
          token: auditor.accessToken,
        }),
      ];
      for (const attempt of attempts) {
        expectRefused(attempt, 'FORBIDDEN', 'AUTHZ_FORBIDDEN');
        expect(await auditEntriesOf(api.dataSource, attempt.requestId)).toContainEqual(expect.objectContaining({ action: 'authz.denied', outcome: 'denied', actor_role: 'auditor' }));
      }
    });

    it('nor reads a patient record', async () => {
      expectRefused(await gql(api, PATIENTS, { token: auditor.accessToken }), 'FORBIDDEN', 'AUTHZ_FORBIDDEN');
    });
  });

  describe('integrators', () => {
    it('without the scope: FORBIDDEN, audited, and every use of the client is audited', async () => {
      const client = await createClient(api, admin.accessToken, ['observations:write']);
      const tokenResponse = await requestClientToken(api, client);
      expect(tokenResponse.status).toBe(200);
      expect(await auditEntriesOf(api.dataSource, String(tokenResponse.headers['x-request-id']))).toContainEqual(
        expect.objectContaining({ action: 'client.token', outcome: 'success', actor_role: 'integrator' }),
      );
      const token = (tokenResponse.body as { access_token: string }).access_token;
      const response = await gql(api, PATIENTS, { token });
      expectRefused(response, 'FORBIDDEN', 'AUTHZ_FORBIDDEN');
      const entries = await auditEntriesOf(api.dataSource, response.requestId);
      expect(entries).toContainEqual(expect.objectContaining({ action: 'authz.denied', actor_id: `client:${client.clientId}` }));
      expect(entries).toContainEqual(expect.objectContaining({ action: 'client.request', actor_id: `client:${client.clientId}` }));

      const widened = await requestClientToken(api, client, 'patients:read');
      expect(widened.status).toBe(400);
      expect(widened.body).toMatchObject({ error: 'invalid_scope' });
    });

    it('from another organization: its records are NOT_FOUND and absent from lists', async () => {
      await signIn(api, other.adminEmail, { password: OTHER_PASSWORD, organization: 'other-clinic', totp: true });
      api.clock.advance(TOTP_STEP_MS);
      const otherAdmin = await signIn(api, other.adminEmail, { password: OTHER_PASSWORD, organization: 'other-clinic', totp: true });
      const client = await createClient(api, otherAdmin.accessToken, ['patients:read']);
      const token = await clientToken(api, client);
      const response = await gql(api, PATIENT, { token, variables: { id: mariaId() } });
      expectRefused(response, 'NOT_FOUND', 'PATIENTS_NOT_FOUND');
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(expect.objectContaining({ action: 'patient.read', outcome: 'denied', patient_id: mariaId() }));
      const list = await gql<{ patients: { id: string }[] }>(api, PATIENTS, { token });
      expect(list.data?.patients.map((patient) => patient.id)).toEqual([other.patientId]);
    });

    it('a revoked client: its token stops working at once and it gets no new one; audited', async () => {
      const client = await createClient(api, admin.accessToken, ['patients:read']);
      const token = await clientToken(api, client);
      expect((await gql(api, PATIENTS, { token })).errors).toEqual([]);
      const revoke = await gql(api, 'mutation R($id: ID!) { revokeIntegratorClient(id: $id) { revokedAt } }', { token: admin.accessToken, variables: { id: client.id } });
      expect(revoke.errors).toEqual([]);
      const afterRevoke = await gql(api, PATIENTS, { token });
      expectRefused(afterRevoke, 'UNAUTHENTICATED', 'AUTH_CLIENT_REVOKED');
      expect(await auditEntriesOf(api.dataSource, afterRevoke.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.token_rejected', reason: 'AUTH_CLIENT_REVOKED' }));
      const newToken = await requestClientToken(api, client);
      expect(newToken.status).toBe(401);
      expect(newToken.body).toMatchObject({ error: 'invalid_client' });
      expect(await auditEntriesOf(api.dataSource, String(newToken.headers['x-request-id']))).toContainEqual(
        expect.objectContaining({ action: 'client.token', outcome: 'denied', reason: 'client revoked' }),
      );
    });
  });

  describe('sessions and sign-in', () => {
    it('refresh-token reuse revokes the session; audited', async () => {
      const tokens = await signIn(api, 'james.walker@demo.clinloop.test');
      const refresh = 'mutation R($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }';
      expect((await gql(api, refresh, { variables: { t: tokens.refreshToken } })).errors).toEqual([]);
      const reuse = await gql(api, refresh, { variables: { t: tokens.refreshToken } });
      expectRefused(reuse, 'UNAUTHENTICATED', 'AUTH_REFRESH_TOKEN_REUSED');
      expect(await auditEntriesOf(api.dataSource, reuse.requestId)).toContainEqual(expect.objectContaining({ action: 'auth.refresh_token_reuse' }));
      expectRefused(await gql(api, PATIENTS, { token: tokens.accessToken }), 'UNAUTHENTICATED', 'AUTH_SESSION_ENDED');
    });

    it('sign-in lockout after five failures; audited', async () => {
      const codes: (string | undefined)[] = [];
      let last: GraphqlResponse<unknown> | undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        last = await signInResponse(api, 'robert.miller@demo.clinloop.test', { password: 'guess-number-one' });
        codes.push(errorCodeOf(last));
      }
      expect(codes).toEqual([...Array<string>(4).fill('AUTH_INVALID_CREDENTIALS'), 'AUTH_ACCOUNT_LOCKED']);
      expect(await auditEntriesOf(api.dataSource, last?.requestId ?? '')).toContainEqual(expect.objectContaining({ action: 'auth.lockout' }));
      const locked = await signInResponse(api, 'robert.miller@demo.clinloop.test');
      expectRefused(locked, 'UNAUTHENTICATED', 'AUTH_ACCOUNT_LOCKED');
    });
  });

  describe('electronic signatures', () => {
    it('a signature copied onto another record is refused (CONFLICT) and audited', async () => {
      const regimen = async (id: string) =>
        (await gql<{ patient: { currentRegimen: { id: string } } }>(api, 'query P($id: ID!) { patient(id: $id) { currentRegimen { id } } }', { token: rivera.accessToken, variables: { id } })).data
          ?.patient.currentRegimen.id ?? '';
      const mariaRegimen = await regimen(mariaId());
      const jamesRegimen = await regimen(jamesId());
      const signed = await gql<{ signRecord: { id: string; printedName: string; meaning: string; contentHash: string } }>(
        api,
        `mutation S($input: SignRecordInput!) { signRecord(input: $input) { id printedName meaning signedAt contentHash } }`,
        { token: rivera.accessToken, variables: { input: { recordType: 'RegimenVersion', recordId: mariaRegimen, meaning: 'REVIEWED', email: 'dr.rivera@demo.clinloop.test', password: 'clinloop-demo-only' } } },
      );
      expect(signed.errors).toEqual([]);
      expect(signed.data?.signRecord).toMatchObject({ printedName: 'Dr. Ana Rivera', meaning: 'REVIEWED', contentHash: matching(/^[0-9a-f]{64}$/) });
      const verify = 'query V($input: VerifySignatureInput!) { verifyElectronicSignature(input: $input) { valid signature { id } } }';
      const own = await gql(api, verify, { token: auditor.accessToken, variables: { input: { signatureId: signed.data?.signRecord.id, recordType: 'RegimenVersion', recordId: mariaRegimen } } });
      expect(own.errors).toEqual([]);
      const copied = await gql(api, verify, { token: auditor.accessToken, variables: { input: { signatureId: signed.data?.signRecord.id, recordType: 'RegimenVersion', recordId: jamesRegimen } } });
      expectRefused(copied, 'CONFLICT', 'ESIGN_NOT_BOUND');
      expect(await auditEntriesOf(api.dataSource, copied.requestId)).toContainEqual(expect.objectContaining({ action: 'esign.verify', outcome: 'failure', resource_id: jamesRegimen }));
    });
  });

  describe('API limits', () => {
    it('an over-deep query: refused before execution (400), coded, audited', async () => {
      const deep = '{ me { patient { careTeams { patients { careTeams { patients { careTeams { patients { careTeams { id } } } } } } } } } }';
      const response = await gql(api, deep, { token: rivera.accessToken });
      expect(response.status).toBe(400);
      expect(response.errors[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', errorCode: 'API_QUERY_TOO_DEEP' });
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(expect.objectContaining({ action: 'api.query_rejected', outcome: 'denied', actor_role: 'clinician' }));
    });

    it('an alias flood: refused (400), coded, audited', async () => {
      const flood = `{ ${Array.from({ length: 16 }, (_, index) => `a${index}: me { id }`).join(' ')} }`;
      const response = await gql(api, flood, { token: rivera.accessToken });
      expect(response.status).toBe(400);
      expect(response.errors[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', errorCode: 'API_TOO_MANY_ALIASES' });
      expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(expect.objectContaining({ action: 'api.query_rejected' }));
    });

    it('security headers on every answer, CORS only for the portals', async () => {
      const response = await request(api.app.getHttpServer()).get('/health').set('origin', 'https://evil.example');
      expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'no-referrer' });
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      const portal = await request(api.app.getHttpServer()).get('/health').set('origin', 'http://localhost:3001');
      expect(portal.headers['access-control-allow-origin']).toBe('http://localhost:3001');
    });

    it('a body over the limit: 413, coded', async () => {
      const response = await request(api.app.getHttpServer())
        .post('/graphql')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ query: `{ serviceInfo { version } }`, padding: 'x'.repeat(1_100_000) }));
      expect(response.status).toBe(413);
      expect((response.body as { errors: GraphqlResponse['errors'] }).errors[0]?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', errorCode: 'API_PAYLOAD_TOO_LARGE' });
    });
  });
});

describe('security e2e: rate limits and production settings', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let keyDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    // Production refuses to invent the TOTP encryption key.
    keyDir = await mkdtemp(path.join(tmpdir(), 'clinloop-totp-'));
    await writeFile(path.join(keyDir, 'totp.key'), TotpSecretCipher.generateKey().toString('base64'));
    api = await startSecureApi(database, { RATE_LIMIT_USER_MAX: '3', NODE_ENV: 'production', AUTH_TOTP_KEY_FILE: path.join(keyDir, 'totp.key') });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('rate limit exceeded: 429 with Retry-After, coded, audited once', async () => {
    const tokens = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
    const responses: GraphqlResponse[] = [];
    for (let call = 0; call < 5; call++) responses.push(await gql(api, '{ me { id } }', { token: tokens.accessToken }));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 429, 429]);
    const limited = responses[3];
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited?.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', errorCode: 'API_RATE_LIMITED' });
    expect(await auditEntriesOf(api.dataSource, limited?.requestId ?? '')).toContainEqual(expect.objectContaining({ action: 'api.rate_limited', outcome: 'denied', actor_role: 'patient' }));
    expect(await auditEntriesOf(api.dataSource, responses[4]?.requestId ?? '')).toEqual([]);
    // Another user has a budget of their own.
    expect((await gql(api, '{ me { id } }', { token: (await signIn(api, 'james.walker@demo.clinloop.test')).accessToken })).status).toBe(200);
  });

  it('introspection is off in production', async () => {
    const response = await gql(api, '{ __schema { types { name } } }');
    expect(response.status).toBe(400);
    expect(response.errors[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', errorCode: 'API_INTROSPECTION_DISABLED' });
    expect((await gql(api, '{ serviceInfo { __typename version } }')).status).toBe(200);
  });
});

/**
 * A second API process over the same database, as behind a load balancer: its own Fastify instance,
 * connection pool and rate-limit store, the first one's token keys (every replica shares them).
 */
async function secondInstance(first: SecureApi, databaseUrl: string, env: Readonly<Record<string, string>>): Promise<{ app: NestFastifyApplication; close(): Promise<void> }> {
  const dataSource = createAppDataSource(databaseUrl, { databasePoolSize: 4 }, 'clinloop-test-replica');
  await dataSource.initialize();
  const transport = new InProcessStreamTransport();
  const app = await createApi({
    config: loadConfig({ ...TEST_ENV, ...env }),
    dataSource,
    transport,
    logger: createLogger({ level: 'silent', component: 'security-test-replica' }),
    metrics: createMetricsRegistry('api'),
    runtime: { version: 'test', environment: 'test', database: 'external', stream: 'in-process', startedAt: new Date(0) },
    tokenKeys: first.keys,
    clock: first.clock,
  });
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    close: async () => {
      await app.close();
      await transport.close();
      await dataSource.destroy();
    },
  };
}

describe('security e2e: two API instances behind a load balancer share one rate-limit budget', () => {
  let database: TestDatabase;
  let first: SecureApi;
  let second: Awaited<ReturnType<typeof secondInstance>>;
  const env = { RATE_LIMIT_USER_MAX: '4', RATE_LIMIT_ANONYMOUS_MAX: '3', API_TRUST_PROXY: 'loopback' };

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    first = await startSecureApi(database, env);
    second = await secondInstance(first, database.url, env);
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await database.drop();
  });

  const me = (app: NestFastifyApplication, token: string) =>
    request(app.getHttpServer()).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: '{ me { id } }' });

  it('a user spreading requests over both instances meets the limit once: 429 with Retry-After from either, audited', async () => {
    const tokens = await signIn(first, 'maria.gonzalez@demo.clinloop.test');
    const statuses: number[] = [];
    for (const app of [first.app, second.app, first.app, second.app]) statuses.push((await me(app, tokens.accessToken)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    const limitedOnSecond = await me(second.app, tokens.accessToken);
    const limitedOnFirst = await me(first.app, tokens.accessToken);
    for (const limited of [limitedOnSecond, limitedOnFirst]) {
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((limited.body as { errors: GraphqlResponse['errors'] }).errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', errorCode: 'API_RATE_LIMITED' });
    }
    expect(await auditEntriesOf(database.dataSource, String(limitedOnSecond.headers['x-request-id']))).toContainEqual(
      containing({ action: 'api.rate_limited', outcome: 'denied', actor_role: 'patient' }),
    );
    const counter = await database.dataSource.query<{ key: string; hits: number }[]>("SELECT key, hits FROM api_rate_limits WHERE key LIKE 'user:%'");
    expect(counter).toEqual([{ key: expect.stringMatching(/^user:/) as unknown, hits: 6 }]);
  });

  it('behind a trusted proxy (API_TRUST_PROXY), each client address has its own budget and is the ip audited', async () => {
    const anonymous = (app: NestFastifyApplication, address: string) =>
      request(app.getHttpServer()).post('/graphql').set('x-forwarded-for', address).send({ query: '{ serviceInfo { version } }' });
    const statuses: number[] = [];
    for (const app of [first.app, second.app, first.app, second.app]) statuses.push((await anonymous(app, '203.0.113.7')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await anonymous(first.app, '203.0.113.8')).status).toBe(200);
    const limited = await anonymous(first.app, '203.0.113.7');
    expect(limited.status).toBe(429);
    const flagged = await database.dataSource.query<{ payload: { ip: string; key: string } }[]>("SELECT payload FROM audit_entries WHERE action = 'api.rate_limited' AND payload->>'key' = 'ip:203.0.113.7'");
    expect(flagged.map((row) => row.payload.ip)).toContain('203.0.113.7');
  });
});

describe('security e2e: without API_TRUST_PROXY a forged X-Forwarded-For changes nothing', () => {
  let database: TestDatabase;
  let api: SecureApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startSecureApi(database, { RATE_LIMIT_ANONYMOUS_MAX: '2' });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('every forged address still counts against the connecting one', async () => {
    const statuses: number[] = [];
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      statuses.push((await request(api.app.getHttpServer()).post('/graphql').set('x-forwarded-for', address).send({ query: '{ serviceInfo { version } }' })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const keys = await database.dataSource.query<{ key: string }[]>('SELECT key FROM api_rate_limits');
    expect(keys.map((row) => row.key)).toEqual([expect.stringMatching(/^ip:(::ffff:)?127\.0\.0\.1$/) as unknown]);
  });
});
