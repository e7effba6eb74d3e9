import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntriesOf, errorCodeOf, gql, seedDemoOrganization, startSecureApi, type SecureApi } from '../support/auth-api';

const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'clinloop-from-idp';
const KID = 'idp-key-1';

/**
 * An external OpenID Connect issuer, played by a local JWKS server: its tokens are accepted by JWKS
 * URL, its role claim is mapped to ClinLoop roles, and the person must exist in the configured
 * organization with that role.
 */
describe('external OpenID Connect issuer (real PostgreSQL, JWKS over HTTP)', () => {
  const idpKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwksServer: Server;
  let database: TestDatabase;
  let api: SecureApi;

  const idpToken = (claims: Record<string, unknown>, options: { kid?: string; audience?: string; expiresIn?: number } = {}) =>
    jwt.sign({ ...claims, iat: Math.floor(api.clock.now().getTime() / 1000) }, idpKey.privateKey, {
      algorithm: 'RS256',
      keyid: options.kid ?? KID,
      issuer: ISSUER,
      audience: options.audience ?? AUDIENCE,
      expiresIn: options.expiresIn ?? 300,
      subject: 'idp-subject-42',
    });

  beforeAll(async () => {
    jwksServer = createServer((request, response) => {
      if (request.url !== '/.well-known/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...idpKey.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    api = await startSecureApi(database, {
      AUTH_OIDC_ISSUER: ISSUER,
      AUTH_OIDC_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      AUTH_OIDC_AUDIENCE: AUDIENCE,
      AUTH_OIDC_ORGANIZATION: 'demo-clinic',
      AUTH_OIDC_ROLE_CLAIM: 'groups',
      AUTH_OIDC_ROLE_MAP: 'bp-clinicians=clinician,compliance=auditor',
    });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it("accepts the issuer's token for a provisioned user whose mapped role matches, with that user's access", async () => {
    const token = idpToken({ email: 'Dr.Chen@demo.clinloop.test', groups: ['bp-clinicians', 'staff'] });
    const me = await gql<{ me: { email: string; role: string } }>(api, '{ me { email role } }', { token });
    expect(me.errors).toEqual([]);
    expect(me.data?.me).toEqual({ email: 'dr.chen@demo.clinloop.test', role: 'CLINICIAN' });
    const patients = await gql<{ patients: { mrn: string }[] }>(api, '{ patients { mrn } }', { token });
    expect(patients.data?.patients.map((patient) => patient.mrn).sort()).toEqual(['DEMO-0003', 'DEMO-0004']);
  });

  it.each([
    ['a role that maps to another ClinLoop role', { email: 'dr.chen@demo.clinloop.test', groups: ['compliance'] }, {}, /do not include the account's role clinician/],
    ['no mapped role at all', { email: 'dr.chen@demo.clinloop.test', groups: ['staff'] }, {}, /do not include/],
    ['someone without a ClinLoop account', { email: 'stranger@demo.clinloop.test', groups: ['bp-clinicians'] }, {}, /no ClinLoop account/],
    ['a key the issuer does not publish', { email: 'dr.chen@demo.clinloop.test', groups: ['bp-clinicians'] }, { kid: 'rotated-away' }, /unknown key of the external issuer/],
    ['a token for another audience', { email: 'dr.chen@demo.clinloop.test', groups: ['bp-clinicians'] }, { audience: 'someone-else' }, /audience invalid/],
  ])('refuses %s, audited', async (_name, claims, options, reason) => {
    const response = await gql(api, '{ me { email } }', { token: idpToken(claims, options) });
    expect(response.status).toBeLessThan(500);
    expect(errorCodeOf(response)).toBe('AUTH_TOKEN_INVALID');
    const [entry] = await auditEntriesOf(api.dataSource, response.requestId);
    expect(entry).toMatchObject({ action: 'auth.token_rejected', outcome: 'denied' });
    expect(entry?.reason).toMatch(reason);
  });
});
