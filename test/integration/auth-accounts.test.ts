import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '@clinloop/auth';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntriesOf, errorCodeOf, gql, seedDemoOrganization, signIn, signInResponse, startSecureApi, type SecureApi, type Tokens } from '../support/auth-api';
import { createClient, requestClientToken } from '../support/auth-fixtures';

const CREATE_USER = 'mutation C($input: CreateUserInput!) { createUser(input: $input) { user { id email role secondFactorEnrolled } temporaryPassword totpSecret totpUri } }';

describe('accounts and integrator clients, administered (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let admin: Tokens;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    api = await startSecureApi(database);
    admin = await signIn(api, 'admin@demo.clinloop.test');
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('creates a clinician with a one-time password and an authenticator secret; they must choose a password', async () => {
    const created = await gql<{ createUser: { user: { id: string; secondFactorEnrolled: boolean }; temporaryPassword: string; totpSecret: string; totpUri: string } }>(api, CREATE_USER, {
      token: admin.accessToken,
      variables: { input: { email: 'New.Clinician@demo.clinloop.test', displayName: 'Dr. New', role: 'CLINICIAN' } },
    });
    expect(created.errors).toEqual([]);
    const account = created.data?.createUser;
    expect(account?.user.secondFactorEnrolled).toBe(true);
    expect(account?.totpUri).toContain('otpauth://totp/');
    expect(await auditEntriesOf(api.dataSource, created.requestId)).toContainEqual(expect.objectContaining({ action: 'account.create', actor_role: 'admin' }));
    expect(JSON.stringify(await auditEntriesOf(api.dataSource, created.requestId))).not.toContain(account?.temporaryPassword ?? 'x');

    const first = await signInResponse(api, 'new.clinician@demo.clinloop.test', { password: account?.temporaryPassword, totpCode: currentTotp(account?.totpSecret ?? '', api.clock.now()) });
    expect(first.data).toMatchObject({ signIn: { mustChangePassword: true } });
    const duplicate = await gql(api, CREATE_USER, { token: admin.accessToken, variables: { input: { email: 'new.clinician@demo.clinloop.test', displayName: 'Again', role: 'AUDITOR' } } });
    expect(errorCodeOf(duplicate)).toBe('AUTH_INVALID_ACCOUNT_REQUEST');
  });

  it('links a patient account to a record of the organization by MRN only', async () => {
    const linked = await gql(api, CREATE_USER, { token: admin.accessToken, variables: { input: { email: 'proxy@demo.clinloop.test', displayName: 'P', role: 'PATIENT', patientMrn: 'DEMO-0004' } } });
    expect(linked.errors).toEqual([]);
    const unknown = await gql(api, CREATE_USER, { token: admin.accessToken, variables: { input: { email: 'proxy2@demo.clinloop.test', displayName: 'P', role: 'PATIENT', patientMrn: 'NOPE' } } });
    expect(errorCodeOf(unknown)).toBe('AUTH_INVALID_ACCOUNT_REQUEST');
  });

  it('deactivating a user ends their sessions and their sign-ins', async () => {
    const patient = await signIn(api, 'james.walker@demo.clinloop.test');
    const userId = (await api.dataSource.query<{ id: string }[]>("SELECT id FROM users WHERE email = 'james.walker@demo.clinloop.test'"))[0]?.id;
    const deactivated = await gql(api, 'mutation D($id: ID!) { deactivateUser(userId: $id) { deactivatedAt } }', { token: admin.accessToken, variables: { id: userId } });
    expect(deactivated.errors).toEqual([]);
    expect(errorCodeOf(await gql(api, '{ me { id } }', { token: patient.accessToken }))).toBe('AUTH_SESSION_ENDED');
    expect(errorCodeOf(await signInResponse(api, 'james.walker@demo.clinloop.test'))).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('issues client tokens over HTTP Basic too, narrows scopes on request, and refuses other grants', async () => {
    const client = await createClient(api, admin.accessToken, ['patients:read', 'alerts:read']);
    const basic = await request(api.app.getHttpServer())
      .post('/oauth/token')
      .auth(client.clientId, client.clientSecret)
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'alerts:read' });
    expect(basic.status).toBe(200);
    expect(basic.headers['cache-control']).toBe('no-store');
    expect(basic.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'alerts:read' });
    const narrowed = (basic.body as { access_token: string }).access_token;
    expect(errorCodeOf(await gql(api, '{ patients { id } }', { token: narrowed }))).toBe('AUTHZ_FORBIDDEN');

    const password = await request(api.app.getHttpServer()).post('/oauth/token').type('form').send({ grant_type: 'password', username: 'x', password: 'y' });
    expect(password.status).toBe(400);
    expect(password.body).toMatchObject({ error: 'unsupported_grant_type' });
    const wrongSecret = await requestClientToken(api, { clientId: client.clientId, clientSecret: 'cls_wrong' });
    expect(wrongSecret.status).toBe(401);
    expect(await auditEntriesOf(api.dataSource, String(wrongSecret.headers['x-request-id']))).toContainEqual(
      expect.objectContaining({ action: 'client.token', outcome: 'denied', reason: 'wrong client secret' }),
    );
  });
});
