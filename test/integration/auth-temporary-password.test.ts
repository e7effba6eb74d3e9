import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '@clinloop/auth';
import { DEMO_PASSWORD } from '@clinloop/demo';
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
  type GraphqlResponse,
  type SecureApi,
  type Tokens,
} from '../support/auth-api';

const CREATE_USER = 'mutation C($input: CreateUserInput!) { createUser(input: $input) { user { id } temporaryPassword totpSecret } }';
const ADD_MEMBER = 'mutation M($input: AddCareTeamMemberInput!) { addCareTeamMember(input: $input) { id } }';
const CHANGE_PASSWORD = 'mutation C($input: ChangePasswordInput!) { changePassword(input: $input) }';
const REFRESH = 'mutation R($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken mustChangePassword } }';
/** What both portals ask right after sign-in and on "Choose a new password" (libs/portal-kit/src/session-api.ts). */
const PORTAL_ME = '{ me { id role displayName email patient { id givenName familyName timeZone } } }';
const PATIENTS = '{ patients { mrn } }';
const PATIENT = 'query P($id: ID!) { patient(id: $id) { id givenName currentRegimen { version } } }';
const SUBMIT_READING = 'mutation S($input: SubmitReadingInput!) { submitReading(input: $input) { replayed } }';
const ACKNOWLEDGE = 'mutation A($id: ID!) { acknowledgeAlert(alertId: $id) { id } }';
const TOTP_STEP_MS = 30_000;

interface Provisioned {
  readonly userId: string;
  readonly email: string;
  readonly temporaryPassword: string;
  readonly totpSecret: string | null;
}

interface SignedIn extends Tokens {
  readonly mustChangePassword: boolean;
}

/** Refused because the password must change first: coded, 403-class, nothing answered. */
function expectHeld(response: GraphqlResponse<unknown>): void {
  expect(response.errors.map((error) => error.extensions)).toEqual([containing({ code: 'FORBIDDEN', errorCode: 'AUTH_PASSWORD_CHANGE_REQUIRED' })]);
}

describe('a temporary password opens only its own account until it is changed (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let admin: Tokens;
  let ids: Awaited<ReturnType<typeof demoIds>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    // Idle timeout above the lockout period: the lockout test waits it out in one session.
    api = await startSecureApi(database, { AUTH_LOCKOUT_THRESHOLD: '3', AUTH_LOCKOUT_MINUTES: '15', AUTH_IDLE_TIMEOUT_SECONDS: '3600' });
    admin = await signIn(api, 'admin@demo.clinloop.test');
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  async function provision(input: Record<string, string>): Promise<Provisioned> {
    const created = await gql<{ createUser: { user: { id: string }; temporaryPassword: string; totpSecret: string | null } }>(api, CREATE_USER, {
      token: admin.accessToken,
      variables: { input },
    });
    const account = created.data?.createUser;
    if (!account) throw new Error(`createUser failed: ${JSON.stringify(created.errors)}`);
    return { userId: account.user.id, email: input.email ?? '', temporaryPassword: account.temporaryPassword, totpSecret: account.totpSecret };
  }

  async function signInWithTemporaryPassword(account: Provisioned): Promise<SignedIn> {
    // An authenticator code works once: a staff sign-in waits (on the API's clock) for the next one.
    api.clock.advance(TOTP_STEP_MS);
    const response = await signInResponse(api, account.email, {
      password: account.temporaryPassword,
      totpCode: account.totpSecret ? currentTotp(account.totpSecret, api.clock.now()) : undefined,
      totp: account.totpSecret !== null,
    });
    const tokens = (response.data as { signIn?: SignedIn } | null)?.signIn;
    if (!tokens) throw new Error(`sign-in of ${account.email} failed: ${JSON.stringify(response.errors)}`);
    return tokens;
  }

  const changePassword = (token: string, currentPassword: string, newPassword: string) =>
    gql<{ changePassword: boolean }>(api, CHANGE_PASSWORD, { token, variables: { input: { currentPassword, newPassword } } });

  it('a clinician: clinical queries and mutations are refused and audited; who am I, refresh and the change work; then the same session works', async () => {
    const account = await provision({ email: 'dr.temporary@demo.clinloop.test', displayName: 'Dr. Tem Porary', role: 'CLINICIAN' });
    // On a care team from the start, so only the temporary password stands between them and its patients.
    const added = await gql(api, ADD_MEMBER, {
      token: admin.accessToken,
      variables: { input: { careTeamId: ids.teams['Hypertension Team A'], userId: account.userId, escalationOrder: 9 } },
    });
    expect(added.errors).toEqual([]);
    const session = await signInWithTemporaryPassword(account);
    expect(session.mustChangePassword).toBe(true);

    const patients = await gql(api, PATIENTS, { token: session.accessToken });
    expectHeld(patients);
    expect(patients.data).toBeNull();
    expect(await auditEntriesOf(api.dataSource, patients.requestId)).toEqual([
      containing({
        action: 'authz.denied',
        outcome: 'denied',
        reason: 'password change required: read Patient',
        actor_id: account.userId,
        actor_role: 'clinician',
        payload: containing({ securityEvent: true, operation: 'Query.patients', errorCode: 'AUTH_PASSWORD_CHANGE_REQUIRED' }),
      }),
    ]);
    const maria = ids.patients['DEMO-0001'];
    expectHeld(await gql(api, PATIENT, { token: session.accessToken, variables: { id: maria } }));
    const acknowledge = await gql(api, ACKNOWLEDGE, { token: session.accessToken, variables: { id: '00000000-0000-4000-8000-000000000000' } });
    expectHeld(acknowledge);
    expect(await auditEntriesOf(api.dataSource, acknowledge.requestId)).toEqual([
      containing({ action: 'authz.denied', reason: 'password change required: update Alert', payload: containing({ operation: 'Mutation.acknowledgeAlert' }) }),
    ]);
    // Reference data needs no token; with this one it is refused all the same.
    expectHeld(await gql(api, '{ serviceInfo { version } }', { token: session.accessToken }));

    const me = await gql(api, PORTAL_ME, { token: session.accessToken });
    expect(me.errors).toEqual([]);
    expect(me.data).toEqual({ me: { id: account.userId, role: 'CLINICIAN', displayName: 'Dr. Tem Porary', email: account.email, patient: null } });

    const refreshed = await gql<{ refreshSession: SignedIn }>(api, REFRESH, { variables: { token: session.refreshToken } });
    expect(refreshed.errors).toEqual([]);
    const rotated = refreshed.data?.refreshSession;
    expect(rotated?.mustChangePassword).toBe(true);
    expectHeld(await gql(api, PATIENTS, { token: rotated?.accessToken }));

    expect(errorCodeOf(await changePassword(rotated?.accessToken ?? '', 'not-the-temporary-one', 'a brand new passphrase 1'))).toBe('AUTH_INVALID_CREDENTIALS');
    expectHeld(await gql(api, PATIENTS, { token: rotated?.accessToken }));

    const changed = await changePassword(rotated?.accessToken ?? '', account.temporaryPassword, 'a brand new passphrase 1');
    expect(changed.errors).toEqual([]);
    expect(changed.data?.changePassword).toBe(true);
    // The same access token, at once: what the portals do after the change.
    const after = await gql<{ patients: { mrn: string }[] }>(api, PATIENTS, { token: rotated?.accessToken });
    expect(after.errors).toEqual([]);
    expect(after.data?.patients.map((patient) => patient.mrn)).toContain('DEMO-0001');
    const nextRefresh = await gql<{ refreshSession: SignedIn }>(api, REFRESH, { variables: { token: rotated?.refreshToken } });
    expect(nextRefresh.data?.refreshSession.mustChangePassword).toBe(false);
  });

  it("a patient: the portal's greeting works, their record, readings and clinical facts do not; sign-out works", async () => {
    const account = await provision({ email: 'aiko.temporary@demo.clinloop.test', displayName: 'Aiko Tanaka', role: 'PATIENT', patientMrn: 'DEMO-0003' });
    const aiko = ids.patients['DEMO-0003'];
    const session = await signInWithTemporaryPassword(account);
    expect(session.mustChangePassword).toBe(true);

    const me = await gql(api, PORTAL_ME, { token: session.accessToken });
    expect(me.errors).toEqual([]);
    expect(me.data).toEqual({
      me: { id: account.userId, role: 'PATIENT', displayName: 'Aiko Tanaka', email: account.email, patient: { id: aiko, givenName: 'Aiko', familyName: 'Tanaka', timeZone: expect.any(String) as unknown } },
    });
    // The name behind `me` opens neither the patient query nor anything clinical behind `me`.
    expectHeld(await gql(api, PATIENT, { token: session.accessToken, variables: { id: aiko } }));
    // Inside `me`, the record shows only the fields that name the patient (the ability's field rule).
    for (const fields of ['currentRegimen { version }', 'devices { id }', 'birthYear', 'pregnancyStatus', 'mrn']) {
      const response = await gql<{ me: { patient: Record<string, unknown> | null } }>(api, `{ me { patient { ${fields} } } }`, { token: session.accessToken });
      expect([fields, response.errors.map((error) => error.extensions.errorCode)]).toEqual([fields, ['AUTHZ_FIELD_FORBIDDEN']]);
      expect(Object.values(response.data?.me.patient ?? {}).filter((value) => value !== null)).toEqual([]);
    }
    const reading = await gql(api, SUBMIT_READING, {
      token: session.accessToken,
      variables: {
        input: { patientId: aiko, idempotencyKey: 'temporary-1', measuredAt: api.clock.now().toISOString(), systolic: { value: 130, unit: 'mm[Hg]' }, diastolic: { value: 80, unit: 'mm[Hg]' } },
      },
    });
    expectHeld(reading);
    expect(await auditEntriesOf(api.dataSource, reading.requestId)).toEqual([
      containing({ action: 'authz.denied', reason: 'password change required: create Observation', actor_id: account.userId, actor_role: 'patient' }),
    ]);

    const signedOut = await gql<{ signOut: boolean }>(api, 'mutation { signOut }', { token: session.accessToken });
    expect(signedOut.data?.signOut).toBe(true);
    expect(errorCodeOf(await gql(api, PORTAL_ME, { token: session.accessToken }))).toBe('AUTH_SESSION_ENDED');
  });

  it('an auditor: HTTP routes are held too (audit export), coded and audited', async () => {
    const account = await provision({ email: 'auditor.temporary@demo.clinloop.test', displayName: 'Ari Temp', role: 'AUDITOR' });
    const session = await signInWithTemporaryPassword(account);
    const exported = await request(api.app.getHttpServer()).get('/audit/export').set('authorization', `Bearer ${session.accessToken}`);
    expect(exported.status).toBe(403);
    expect(exported.body).toMatchObject({ error: { code: 'FORBIDDEN', errorCode: 'AUTH_PASSWORD_CHANGE_REQUIRED' } });
    expect(await auditEntriesOf(api.dataSource, String(exported.headers['x-request-id']))).toEqual([
      containing({ action: 'authz.denied', reason: 'password change required: export AuditTrail', actor_id: account.userId, payload: containing({ operation: 'GET /audit/export' }) }),
    ]);
    expectHeld(await gql(api, '{ verifyAuditTrail { ok } }', { token: session.accessToken }));
  });

  it('wrong current passwords at changePassword count toward the sign-in lockout: one count, locked for both, audited', async () => {
    const email = 'robert.miller@demo.clinloop.test';
    const session = await signIn(api, email);
    const newPassword = 'lantern harbour spruce 9';

    // One count for both doors: a wrong sign-in, then two wrong current passwords, lock at the third.
    expect(errorCodeOf(await signInResponse(api, email, { password: 'not-the-password-1' }))).toBe('AUTH_INVALID_CREDENTIALS');
    const second = await changePassword(session.accessToken, 'not-the-password-2', newPassword);
    expect(errorCodeOf(second)).toBe('AUTH_INVALID_CREDENTIALS');
    expect(await auditEntriesOf(api.dataSource, second.requestId)).toEqual([
      containing({ action: 'account.change_password', outcome: 'failure', reason: 'wrong current password', payload: containing({ failedAttempts: 2 }) }),
    ]);
    const third = await changePassword(session.accessToken, 'not-the-password-3', newPassword);
    expect(errorCodeOf(third)).toBe('AUTH_ACCOUNT_LOCKED');
    expect((await auditEntriesOf(api.dataSource, third.requestId)).map((entry) => [entry.action, entry.outcome])).toEqual([
      ['account.change_password', 'failure'],
      ['auth.lockout', 'success'],
    ]);

    // Locked: the right current password changes nothing, and a weak new one does not give the guess away.
    const right = await changePassword(session.accessToken, DEMO_PASSWORD, newPassword);
    expect(errorCodeOf(right)).toBe('AUTH_ACCOUNT_LOCKED');
    expect(await auditEntriesOf(api.dataSource, right.requestId)).toEqual([containing({ action: 'account.change_password', outcome: 'denied', reason: 'account locked' })]);
    expect(errorCodeOf(await changePassword(session.accessToken, DEMO_PASSWORD, 'short'))).toBe('AUTH_ACCOUNT_LOCKED');
    expect(errorCodeOf(await signInResponse(api, email))).toBe('AUTH_ACCOUNT_LOCKED');

    // After the lockout period the session (refreshed: its access token expired meanwhile) changes the password.
    api.clock.advance(16 * 60_000);
    const refreshed = await gql<{ refreshSession: SignedIn }>(api, REFRESH, { variables: { token: session.refreshToken } });
    const token = refreshed.data?.refreshSession.accessToken ?? '';
    const changed = await changePassword(token, DEMO_PASSWORD, newPassword);
    expect(changed.errors).toEqual([]);
    expect((await signInResponse(api, email, { password: newPassword })).errors).toEqual([]);
  });
});
