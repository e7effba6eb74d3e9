import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, type SecureApi } from '../support/auth-api';

const PATIENT = 'query P($id: ID!) { patient(id: $id) { mrn } }';
const OPEN = 'mutation B($input: OpenBreakGlassInput!) { openBreakGlass(input: $input) { expiresAt } }';
const SIGN = 'mutation S($input: SignRecordInput!) { signRecord(input: $input) { id } }';

describe('break-glass is read-only and ends on time (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let aiko: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    aiko = (await demoIds(database.dataSource)).patients['DEMO-0003'] ?? '';
    api = await startSecureApi(database, { AUTH_BREAK_GLASS_MINUTES: '30' });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('opens reading for the set time only, and never signing', async () => {
    const okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
    const opened = await gql(api, OPEN, { token: okafor.accessToken, variables: { input: { patientId: aiko, reason: 'Patient walked in with severe headache' } } });
    expect(opened.errors).toEqual([]);
    const regimen = await gql<{ patient: { currentRegimen: { id: string } | null } }>(api, 'query P($id: ID!) { patient(id: $id) { currentRegimen { id } } }', {
      token: okafor.accessToken,
      variables: { id: aiko },
    });
    expect(regimen.errors).toEqual([]);
    const regimenId = regimen.data?.patient.currentRegimen?.id ?? '';
    const sign = await gql(api, SIGN, {
      token: okafor.accessToken,
      variables: { input: { recordType: 'RegimenVersion', recordId: regimenId, meaning: 'REVIEWED', email: 'np.okafor@demo.clinloop.test', password: 'clinloop-demo-only' } },
    });
    expect(errorCodeOf(sign)).toBe('AUTHZ_FORBIDDEN');

    api.clock.advance(31 * 60_000);
    const later = await signIn(api, 'np.okafor@demo.clinloop.test');
    expect(errorCodeOf(await gql(api, PATIENT, { token: later.accessToken, variables: { id: aiko } }))).toBe('PATIENTS_NOT_FOUND');
  });
});
