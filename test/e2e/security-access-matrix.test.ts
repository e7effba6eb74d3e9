import { GraphQLSchemaHost } from '@nestjs/graphql';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABILITY_EXTENSION, type RequiredAbility } from '@clinloop/authz';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { demoIds, gql, seedDemoOrganization, signIn, startSecureApi, type GraphqlResponse, type SecureApi } from '../support/auth-api';
import { clientToken, createClient, seedOtherOrganization } from '../support/auth-fixtures';

/** Who calls: one column each. */
const PRINCIPALS = ['anonymous', 'patient', 'clinician', 'clinician (other team)', 'auditor', 'admin', 'integrator (all scopes)', 'integrator (observations:write)'] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

const NOBODY = '00000000-0000-4000-8000-000000000000';

interface Fixture {
  readonly maria: string;
  readonly james: string;
  readonly aiko: string;
  readonly otherPatient: string;
  readonly mariaRegimen: string;
}

/** One row of the matrix: a GraphQL operation (or HTTP call) and how to read its outcome. */
interface Probe {
  readonly row: string;
  /** The root field it exercises; every root field of the schema must have at least one probe. */
  readonly field?: string;
  /** Runs after every other probe (it ends the caller's session). */
  readonly last?: boolean;
  run(api: SecureApi, token: string | undefined, fixture: Fixture): Promise<string>;
}

function outcome(response: GraphqlResponse, count?: (data: Record<string, unknown>) => number): string {
  if (response.status >= 500) return `HTTP ${response.status}`;
  const error = response.errors[0];
  if (error) return error.extensions.errorCode ?? error.extensions.code;
  return count && response.data ? `OK (${count(response.data)})` : 'OK';
}

function graphqlProbe(row: string, field: string, query: string, variables: (fixture: Fixture) => Record<string, unknown> = () => ({}), count?: (data: Record<string, unknown>) => number): Probe {
  return { row, field, run: async (api, token, fixture) => outcome(await gql(api, query, { token, variables: variables(fixture) }), count) };
}

const length = (field: string) => (data: Record<string, unknown>) => (data[field] as unknown[] | null)?.length ?? 0;

function httpProbe(row: string, send: (api: SecureApi, token: string | undefined, fixture: Fixture) => request.Test): Probe {
  return {
    row,
    run: async (api, token, fixture) => {
      const response = await send(api, token, fixture);
      const body = response.body as { error?: string | { errorCode?: string } } | undefined;
      if (response.status < 300) return 'OK';
      const error = body?.error;
      return typeof error === 'string' ? `${response.status} ${error}` : `${response.status} ${error?.errorCode ?? ''}`.trim();
    },
  };
}

const withToken = (call: request.Test, token: string | undefined) => (token ? call.set('authorization', `Bearer ${token}`) : call);

const PROBES: readonly Probe[] = [
  graphqlProbe('serviceInfo', 'serviceInfo', '{ serviceInfo { version } }'),
  graphqlProbe('formulary', 'formulary', '{ formulary { drug } }', undefined, length('formulary')),
  graphqlProbe('me', 'me', '{ me { id role } }'),
  graphqlProbe('me.patient (own record)', 'me', '{ me { patient { mrn } } }'),
  graphqlProbe('patients (list)', 'patients', '{ patients { id } }', undefined, length('patients')),
  graphqlProbe('patient(id) - DEMO-0001, team A', 'patient', 'query P($id: ID!) { patient(id: $id) { mrn } }', (f) => ({ id: f.maria })),
  graphqlProbe('patient(id) - DEMO-0003, team B', 'patient', 'query P($id: ID!) { patient(id: $id) { mrn } }', (f) => ({ id: f.aiko })),
  graphqlProbe('patient(id) - other organization', 'patient', 'query P($id: ID!) { patient(id: $id) { mrn } }', (f) => ({ id: f.otherPatient })),
  graphqlProbe('patient(id) - does not exist', 'patient', 'query P($id: ID!) { patient(id: $id) { mrn } }', () => ({ id: NOBODY })),
  graphqlProbe('patient.careTeams (nested)', 'patient', 'query P($id: ID!) { patient(id: $id) { careTeams { name } } }', (f) => ({ id: f.maria })),
  graphqlProbe('patient.currentRegimen (nested)', 'patient', 'query P($id: ID!) { patient(id: $id) { currentRegimen { items { drug } } } }', (f) => ({ id: f.maria })),
  graphqlProbe('patient.devices (nested)', 'patient', 'query P($id: ID!) { patient(id: $id) { devices { serial } } }', (f) => ({ id: f.maria })),
  graphqlProbe('patient.pregnancyStatus (field)', 'patient', 'query P($id: ID!) { patient(id: $id) { pregnancyStatus } }', (f) => ({ id: f.maria })),
  graphqlProbe('careTeams', 'careTeams', '{ careTeams { name } }', undefined, length('careTeams')),
  graphqlProbe('careTeams.patients (nested list)', 'careTeams', '{ careTeams { patients { id } } }'),
  graphqlProbe('users', 'users', '{ users { email } }', undefined, length('users')),
  graphqlProbe('integratorClients', 'integratorClients', '{ integratorClients { name } }'),
  graphqlProbe('breakGlassReport', 'breakGlassReport', '{ breakGlassReport { id } }'),
  graphqlProbe('verifyAuditTrail', 'verifyAuditTrail', '{ verifyAuditTrail { ok } }'),
  graphqlProbe('electronicSignatures', 'electronicSignatures', `{ electronicSignatures(recordType: "RegimenVersion", recordId: "${NOBODY}") { id } }`),
  graphqlProbe(
    'verifyElectronicSignature (unknown signature)',
    'verifyElectronicSignature',
    'query V($input: VerifySignatureInput!) { verifyElectronicSignature(input: $input) { valid } }',
    (f) => ({ input: { signatureId: NOBODY, recordType: 'RegimenVersion', recordId: f.mariaRegimen } }),
  ),
  graphqlProbe('signIn (wrong password)', 'signIn', 'mutation { signIn(input: { organization: "demo-clinic", email: "nobody@demo.clinloop.test", password: "wrong-password-x" }) { accessToken } }'),
  graphqlProbe('refreshSession (unknown token)', 'refreshSession', 'mutation { refreshSession(refreshToken: "clr_unknown") { accessToken } }'),
  graphqlProbe('changePassword (wrong current password)', 'changePassword', 'mutation { changePassword(input: { currentPassword: "wrong-password-x", newPassword: "another long passphrase" }) }'),
  graphqlProbe('createUser (invalid e-mail)', 'createUser', 'mutation { createUser(input: { email: "not-an-email", displayName: "X", role: CLINICIAN }) { temporaryPassword } }'),
  graphqlProbe('unlockUser (unknown user)', 'unlockUser', `mutation { unlockUser(userId: "${NOBODY}") { id } }`),
  graphqlProbe('deactivateUser (unknown user)', 'deactivateUser', `mutation { deactivateUser(userId: "${NOBODY}") { id } }`),
  graphqlProbe('createIntegratorClient (no scopes)', 'createIntegratorClient', 'mutation { createIntegratorClient(input: { name: "matrix", scopes: [] }) { clientSecret } }'),
  graphqlProbe('revokeIntegratorClient (unknown client)', 'revokeIntegratorClient', `mutation { revokeIntegratorClient(id: "${NOBODY}") { id } }`),
  graphqlProbe('openBreakGlass (unknown patient)', 'openBreakGlass', `mutation { openBreakGlass(input: { patientId: "${NOBODY}", reason: "matrix probe of emergency access" }) { id } }`),
  graphqlProbe(
    'signRecord (DEMO-0001 regimen, wrong password)',
    'signRecord',
    'mutation S($input: SignRecordInput!) { signRecord(input: $input) { id } }',
    (f) => ({ input: { recordType: 'RegimenVersion', recordId: f.mariaRegimen, meaning: 'REVIEWED', email: 'someone@demo.clinloop.test', password: 'wrong-password-x' } }),
  ),
  graphqlProbe(
    'checkProposal (no PHI, creates nothing)',
    'checkProposal',
    'query C($input: CheckProposalInput!) { checkProposal(input: $input) { tier } }',
    () => ({
      input: {
        now: '2025-06-01T12:00:00Z',
        patient: { regimen: [], bounds: null, pregnant: false, angioedemaHistory: false, sulfonamideAllergy: false, anuria: false, openAlerts: [], lastIncreaseAt: null },
        proposal: { drug: 'amlodipine', fromMg: 0, toMg: 2.5, confidence: 0.9 },
      },
    }),
  ),
  graphqlProbe('safetyBounds - DEMO-0001, team A', 'safetyBounds', 'query B($id: ID!) { safetyBounds(patientId: $id) { version } }', (f) => ({ id: f.maria })),
  graphqlProbe('safetyBounds - DEMO-0003, team B', 'safetyBounds', 'query B($id: ID!) { safetyBounds(patientId: $id) { version } }', (f) => ({ id: f.aiko })),
  graphqlProbe('safetyBoundsHistory - DEMO-0001, team A', 'safetyBoundsHistory', 'query B($id: ID!) { safetyBoundsHistory(patientId: $id) { version } }', (f) => ({ id: f.maria }), length('safetyBoundsHistory')),
  graphqlProbe(
    'signSafetyBounds (DEMO-0001, wrong password)',
    'signSafetyBounds',
    'mutation S($input: SignSafetyBoundsInput!) { signSafetyBounds(input: $input) { id } }',
    (f) => ({
      input: {
        patientId: f.maria,
        targetSbp: 130,
        targetDbp: 80,
        allowedDrugs: [{ drug: 'amlodipine', minDailyMg: 2.5, maxDailyMg: 10 }],
        confidenceFloor: 0.8,
        email: 'someone@demo.clinloop.test',
        password: 'wrong-password-x',
      },
    }),
  ),
  graphqlProbe('alerts - DEMO-0001, team A', 'alerts', 'query A($id: ID!) { alerts(patientId: $id) { id guidance } }', (f) => ({ id: f.maria }), length('alerts')),
  graphqlProbe('alerts - DEMO-0003, team B', 'alerts', 'query A($id: ID!) { alerts(patientId: $id) { id } }', (f) => ({ id: f.aiko }), length('alerts')),
  graphqlProbe('acknowledgeAlert (unknown alert)', 'acknowledgeAlert', `mutation { acknowledgeAlert(alertId: "${NOBODY}") { id } }`),
  graphqlProbe('resolveAlert (unknown alert)', 'resolveAlert', `mutation { resolveAlert(alertId: "${NOBODY}", reason: "probe") { id } }`),
  graphqlProbe('alertQueue', 'alertQueue', '{ alertQueue { patientName acknowledged alert { id } } }', () => ({}), length('alertQueue')),
  graphqlProbe('crisisGuidance - DEMO-0001, team A', 'crisisGuidance', 'query G($id: ID!) { crisisGuidance(patientId: $id) { message } }', (f) => ({ id: f.maria })),
  graphqlProbe('crisisGuidance - DEMO-0003, team B', 'crisisGuidance', 'query G($id: ID!) { crisisGuidance(patientId: $id) { message } }', (f) => ({ id: f.aiko })),
  graphqlProbe('requestAuditExport (unknown patient)', 'requestAuditExport', `mutation { requestAuditExport(input: { patientId: "${NOBODY}" }) { path } }`),
  graphqlProbe('addCareTeamMember (unknown team)', 'addCareTeamMember', `mutation { addCareTeamMember(input: { careTeamId: "${NOBODY}", userId: "${NOBODY}", escalationOrder: 9 }) { id } }`),
  graphqlProbe('removeCareTeamMember (unknown team)', 'removeCareTeamMember', `mutation { removeCareTeamMember(input: { careTeamId: "${NOBODY}", userId: "${NOBODY}" }) { id } }`),
  graphqlProbe('addPatientToCareTeam (unknown team)', 'addPatientToCareTeam', `mutation { addPatientToCareTeam(input: { careTeamId: "${NOBODY}", patientId: "${NOBODY}" }) { id } }`),
  graphqlProbe('removePatientFromCareTeam (unknown team)', 'removePatientFromCareTeam', `mutation { removePatientFromCareTeam(input: { careTeamId: "${NOBODY}", patientId: "${NOBODY}" }) { id } }`),
  graphqlProbe(
    'changeFormularyDrug (unknown drug)',
    'changeFormularyDrug',
    'mutation { changeFormularyDrug(input: { drug: "nodrug", stepsMg: [1, 2], note: "", source: "matrix", reason: "matrix probe of a change", email: "x@demo.clinloop.test", password: "wrong-password-x" }) { version } }',
  ),
  graphqlProbe('readings - DEMO-0001, team A', 'readings', 'query R($id: ID!) { readings(patientId: $id) { id flags } }', (f) => ({ id: f.maria }), length('readings')),
  graphqlProbe('readings - DEMO-0003, team B', 'readings', 'query R($id: ID!) { readings(patientId: $id) { id } }', (f) => ({ id: f.aiko }), length('readings')),
  graphqlProbe('homeSummary - DEMO-0001, team A', 'homeSummary', 'query H($id: ID!) { homeSummary(patientId: $id) { asOfDay } }', (f) => ({ id: f.maria })),
  graphqlProbe(
    'submitReading (DEMO-0001, implausible value)',
    'submitReading',
    'mutation S($input: SubmitReadingInput!) { submitReading(input: $input) { replayed } }',
    (f) => ({
      input: {
        patientId: f.maria,
        idempotencyKey: 'matrix-probe',
        measuredAt: '2026-01-05T07:30:00-06:00',
        systolic: { value: 400, unit: 'mm[Hg]' },
        diastolic: { value: 80, unit: 'mm[Hg]' },
      },
    }),
  ),
  graphqlProbe('markReadingEnteredInError (unknown reading)', 'markReadingEnteredInError', `mutation { markReadingEnteredInError(readingId: "${NOBODY}", reason: "matrix probe") { id } }`),
  graphqlProbe('devices - DEMO-0001, team A', 'devices', 'query D($id: ID!) { devices(patientId: $id) { serial } }', (f) => ({ id: f.maria }), length('devices')),
  graphqlProbe('registerDevice (empty serial)', 'registerDevice', 'mutation { registerDevice(input: { serial: " ", kind: UPPER_ARM_CUFF, model: "matrix", validated: true }) { id } }'),
  graphqlProbe('bindDevice (unknown device, DEMO-0001)', 'bindDevice', 'mutation B($id: ID!) { bindDevice(deviceId: "' + NOBODY + '", patientId: $id) { id } }', (f) => ({ id: f.maria })),
  graphqlProbe('unbindDevice (unknown device)', 'unbindDevice', `mutation { unbindDevice(deviceId: "${NOBODY}") { id } }`),
  httpProbe('GET /health', (api, token) => withToken(request(api.app.getHttpServer()).get('/health'), token)),
  httpProbe('GET /.well-known/jwks.json', (api, token) => withToken(request(api.app.getHttpServer()).get('/.well-known/jwks.json'), token)),
  httpProbe('POST /oauth/token (unknown client)', (api, token) =>
    withToken(request(api.app.getHttpServer()).post('/oauth/token'), token).type('form').send({ grant_type: 'client_credentials', client_id: 'clc_x', client_secret: 'y' }),
  ),
  httpProbe('GET /audit/export?patient=DEMO-0001', (api, token, f) => withToken(request(api.app.getHttpServer()).get('/audit/export').query({ patient: f.maria }), token)),
  httpProbe('GET /audit/export/<unknown link>', (api, token) => withToken(request(api.app.getHttpServer()).get('/audit/export/cdt_unknown'), token)),
  { ...graphqlProbe('signOut (ends the session; run last)', 'signOut', 'mutation { signOut }'), last: true },
];

function declaredAbility(api: SecureApi, field: string | undefined): string {
  if (!field) return 'route';
  const schema = api.app.get(GraphQLSchemaHost).schema;
  const rootField = schema.getQueryType()?.getFields()[field] ?? schema.getMutationType()?.getFields()[field];
  const ability = rootField?.extensions[ABILITY_EXTENSION] as RequiredAbility | undefined;
  return ability ? `${ability.action} ${ability.subject}` : '(none)';
}

/**
 * The role x resource x action matrix, generated by calling the running API as each kind of
 * principal (not from the ability function alone) and snapshotted in a committed file: a change of
 * access shows in review as a diff of __snapshots__/access-matrix.md. Cells: OK (row count for
 * lists) or the error code the caller gets. Probes use harmless inputs, so "reachable" shows as the
 * operation's own refusal (AUTH_NOT_FOUND, AUTH_INVALID_CREDENTIALS...) and "not allowed" as
 * AUTHZ_FORBIDDEN / AUTH_UNAUTHENTICATED.
 */
describe('access matrix (running API, real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let fixture: Fixture;
  const tokens = new Map<PrincipalName, string | undefined>();

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    const other = await seedOtherOrganization(database.dataSource);
    const ids = await demoIds(database.dataSource);
    api = await startSecureApi(database);
    const admin = await signIn(api, 'admin@demo.clinloop.test');
    const clinician = await signIn(api, 'dr.rivera@demo.clinloop.test');
    const regimen = await gql<{ patient: { currentRegimen: { id: string } } }>(api, 'query P($id: ID!) { patient(id: $id) { currentRegimen { id } } }', {
      token: clinician.accessToken,
      variables: { id: ids.patients['DEMO-0001'] },
    });
    fixture = {
      maria: ids.patients['DEMO-0001'] ?? '',
      james: ids.patients['DEMO-0002'] ?? '',
      aiko: ids.patients['DEMO-0003'] ?? '',
      otherPatient: other.patientId,
      mariaRegimen: regimen.data?.patient.currentRegimen.id ?? '',
    };
    tokens.set('anonymous', undefined);
    tokens.set('patient', (await signIn(api, 'maria.gonzalez@demo.clinloop.test')).accessToken);
    tokens.set('clinician', clinician.accessToken);
    tokens.set('clinician (other team)', (await signIn(api, 'np.okafor@demo.clinloop.test')).accessToken);
    tokens.set('auditor', (await signIn(api, 'auditor@demo.clinloop.test')).accessToken);
    tokens.set('admin', admin.accessToken);
    const allScopes = await createClient(api, admin.accessToken, ['patients:read', 'observations:read', 'observations:write', 'recommendations:read', 'alerts:read'], 'all scopes');
    const writeOnly = await createClient(api, admin.accessToken, ['observations:write'], 'write only');
    tokens.set('integrator (all scopes)', await clientToken(api, allScopes));
    tokens.set('integrator (observations:write)', await clientToken(api, writeOnly));
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('probes every root field of the schema', () => {
    const schema = api.app.get(GraphQLSchemaHost).schema;
    const rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) => Object.keys(type?.getFields() ?? {}));
    const probed = new Set(PROBES.map((probe) => probe.field));
    expect(rootFields.filter((field) => !probed.has(field))).toEqual([]);
  });

  it('matches the committed matrix', async () => {
    const cells = new Map<Probe, Map<PrincipalName, string>>(PROBES.map((probe) => [probe, new Map()]));
    for (const probe of [...PROBES.filter((p) => !p.last), ...PROBES.filter((p) => p.last)]) {
      for (const principal of PRINCIPALS) cells.get(probe)?.set(principal, await probe.run(api, tokens.get(principal), fixture));
    }
    const header = `| operation | needs | ${PRINCIPALS.join(' | ')} |`;
    const rule = `|${' --- |'.repeat(PRINCIPALS.length + 2)}`;
    const rows = PROBES.map((probe) => `| ${probe.row} | ${declaredAbility(api, probe.field)} | ${PRINCIPALS.map((principal) => cells.get(probe)?.get(principal) ?? '').join(' | ')} |`);
    const table = [
      '# Access matrix (generated by test/e2e/security-access-matrix.test.ts against the running API)',
      '',
      'Demo data: the patient is DEMO-0001 (care team A); "clinician" is on teams A and B; "clinician (other team)" only on A.',
      'OK (n) = answered with n rows; otherwise the `errorCode` the caller receives. Update with `npx vitest run test/e2e/security-access-matrix.test.ts -u` and review the diff.',
      '',
      header,
      rule,
      ...rows,
      '',
    ].join('\n');
    expect(rows.join('\n')).not.toMatch(/HTTP 5\d\d|\| 5\d\d /);
    await expect(table).toMatchFileSnapshot('./__snapshots__/access-matrix.md');
  });
});
