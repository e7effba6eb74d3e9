import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@clinloop/demo';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntriesOf, containing, demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, type SecureApi, type Tokens } from '../support/auth-api';
import { seedOtherOrganization, type OtherOrganization } from '../support/auth-fixtures';

const TOTP_STEP_MS = 30_000;
const TEAM = '{ id name members { userId escalationOrder } }';
const ADD_MEMBER = `mutation A($input: AddCareTeamMemberInput!) { addCareTeamMember(input: $input) ${TEAM} }`;
const REMOVE_MEMBER = `mutation R($input: RemoveCareTeamMemberInput!) { removeCareTeamMember(input: $input) ${TEAM} }`;
const ADD_PATIENT = `mutation A($input: CareTeamPatientInput!) { addPatientToCareTeam(input: $input) ${TEAM} }`;
const REMOVE_PATIENT = `mutation R($input: CareTeamPatientInput!) { removePatientFromCareTeam(input: $input) ${TEAM} }`;
const PATIENT = 'query P($id: ID!) { patient(id: $id) { mrn } }';
const CHANGE_FORMULARY = 'mutation C($input: ChangeFormularyDrugInput!) { changeFormularyDrug(input: $input) { drug version stepsMg maxDailyMg changeReason signatureId } }';

interface Team {
  readonly id: string;
  readonly name: string;
  readonly members: readonly { userId: string; escalationOrder: number }[];
}

/** Admin GraphQL for care-team membership and the signed formulary change, against real PostgreSQL. */
describe('care-team membership and formulary changes (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let other: OtherOrganization;
  let admin: Tokens;
  let rivera: Tokens;
  let okafor: Tokens;
  let auditor: Tokens;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    other = await seedOtherOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    api = await startSecureApi(database);
    admin = await signIn(api, 'admin@demo.clinloop.test');
    rivera = await signIn(api, 'dr.rivera@demo.clinloop.test');
    okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
    auditor = await signIn(api, 'auditor@demo.clinloop.test');
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  const teamB = () => ids.teams['Hypertension Team B'] ?? '';
  const teamA = () => ids.teams['Hypertension Team A'] ?? '';
  const okaforId = () => ids.users['np.okafor@demo.clinloop.test'] ?? '';
  const aikoId = () => ids.patients['DEMO-0003'] ?? '';

  describe('care-team membership (admins of the organization)', () => {
    it('an admin puts a clinician on a team: they see its patients from the next request; audited', async () => {
      expect(errorCodeOf(await gql(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } }))).toBe('PATIENTS_NOT_FOUND');
      const added = await gql<{ addCareTeamMember: Team }>(api, ADD_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamB(), userId: okaforId(), escalationOrder: 3 } } });
      expect(added.errors).toEqual([]);
      expect(added.data?.addCareTeamMember.members).toContainEqual({ userId: okaforId(), escalationOrder: 3 });
      expect(await auditEntriesOf(api.dataSource, added.requestId)).toEqual([
        containing({ action: 'care-team.member_add', outcome: 'success', actor_role: 'admin', resource_type: 'CareTeam', resource_id: teamB(), payload: containing({ userId: okaforId(), escalationOrder: 3 }) }),
      ]);
      expect((await gql(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } })).data).toEqual({ patient: { mrn: 'DEMO-0003' } });
    });

    it('refuses a taken escalation order, a second membership, and anyone but an active clinician', async () => {
      const riveraId = ids.users['dr.rivera@demo.clinloop.test'] ?? '';
      const auditorId = ids.users['auditor@demo.clinloop.test'] ?? '';
      const add = (userId: string, escalationOrder: number) => gql(api, ADD_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamA(), userId, escalationOrder } } });
      expect(errorCodeOf(await add(ids.users['dr.chen@demo.clinloop.test'] ?? '', 1))).toBe('CARE_TEAM_INVALID_MEMBER');
      expect(errorCodeOf(await add(riveraId, 7))).toBe('CARE_TEAM_ALREADY_ON_TEAM');
      expect(errorCodeOf(await add(auditorId, 7))).toBe('CARE_TEAM_INVALID_MEMBER');
      expect(errorCodeOf(await add(riveraId, 0))).toBe('CARE_TEAM_INVALID_MEMBER');
    });

    it('an admin takes the clinician off again: the patient is out of sight at once; audited', async () => {
      const removed = await gql<{ removeCareTeamMember: Team }>(api, REMOVE_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamB(), userId: okaforId() } } });
      expect(removed.errors).toEqual([]);
      expect(removed.data?.removeCareTeamMember.members.map((member) => member.userId)).not.toContain(okaforId());
      expect(await auditEntriesOf(api.dataSource, removed.requestId)).toContainEqual(containing({ action: 'care-team.member_remove', actor_role: 'admin' }));
      expect(errorCodeOf(await gql(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } }))).toBe('PATIENTS_NOT_FOUND');
      const again = await gql(api, REMOVE_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamB(), userId: okaforId() } } });
      expect(errorCodeOf(again)).toBe('CARE_TEAM_NOT_ON_TEAM');
    });

    it('patients are put on and taken off teams; each change audited with the patient', async () => {
      const added = await gql(api, ADD_PATIENT, { token: admin.accessToken, variables: { input: { careTeamId: teamA(), patientId: aikoId() } } });
      expect(added.errors).toEqual([]);
      expect(await auditEntriesOf(api.dataSource, added.requestId)).toEqual([containing({ action: 'care-team.patient_add', patient_id: aikoId(), actor_role: 'admin' })]);
      expect((await gql(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } })).data).toEqual({ patient: { mrn: 'DEMO-0003' } });
      expect(errorCodeOf(await gql(api, ADD_PATIENT, { token: admin.accessToken, variables: { input: { careTeamId: teamA(), patientId: aikoId() } } }))).toBe('CARE_TEAM_ALREADY_ON_TEAM');
      const removed = await gql(api, REMOVE_PATIENT, { token: admin.accessToken, variables: { input: { careTeamId: teamA(), patientId: aikoId() } } });
      expect(await auditEntriesOf(api.dataSource, removed.requestId)).toEqual([containing({ action: 'care-team.patient_remove', patient_id: aikoId() })]);
      expect(errorCodeOf(await gql(api, PATIENT, { token: okafor.accessToken, variables: { id: aikoId() } }))).toBe('PATIENTS_NOT_FOUND');
    });

    it('the last clinician of a team with patients stays', async () => {
      const chenId = ids.users['dr.chen@demo.clinloop.test'] ?? '';
      const riveraId = ids.users['dr.rivera@demo.clinloop.test'] ?? '';
      expect((await gql(api, REMOVE_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamB(), userId: chenId } } })).errors).toEqual([]);
      const last = await gql(api, REMOVE_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamB(), userId: riveraId } } });
      expect(errorCodeOf(last)).toBe('CARE_TEAM_LAST_CLINICIAN');
      expect((await gql(api, ADD_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamB(), userId: chenId, escalationOrder: 1 } } })).errors).toEqual([]);
    });

    it("another organization's team, clinician or patient is NOT_FOUND, exactly like one that does not exist", async () => {
      const otherTeam = (await api.dataSource.query<{ id: string }[]>("SELECT id FROM care_teams WHERE name = 'Other Team'"))[0]?.id;
      const otherClinician = (await api.dataSource.query<{ id: string }[]>('SELECT id FROM users WHERE email = $1', [other.clinicianEmail]))[0]?.id;
      const cases = [
        gql(api, ADD_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: otherTeam, userId: okaforId(), escalationOrder: 5 } } }),
        gql(api, ADD_MEMBER, { token: admin.accessToken, variables: { input: { careTeamId: teamA(), userId: otherClinician, escalationOrder: 5 } } }),
        gql(api, ADD_PATIENT, { token: admin.accessToken, variables: { input: { careTeamId: teamA(), patientId: other.patientId } } }),
        gql(api, ADD_PATIENT, { token: admin.accessToken, variables: { input: { careTeamId: '00000000-0000-4000-8000-000000000000', patientId: aikoId() } } }),
        gql(api, ADD_PATIENT, { token: admin.accessToken, variables: { input: { careTeamId: 'not-a-uuid', patientId: aikoId() } } }),
      ];
      for (const response of await Promise.all(cases)) {
        expect(response.status).toBeLessThan(500);
        expect(response.errors[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', errorCode: 'CARE_TEAM_NOT_FOUND' });
        expect(response.errors[0]?.message).toMatch(/^No such (care team|user|patient)\.$/);
      }
      const members = await api.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM care_team_members WHERE care_team_id = $1', [otherTeam]);
      expect(members[0]?.n).toBe(1);
    });

    it('clinicians and auditors may not change teams: FORBIDDEN, audited', async () => {
      for (const token of [rivera.accessToken, auditor.accessToken]) {
        const refused = await gql(api, ADD_PATIENT, { token, variables: { input: { careTeamId: teamA(), patientId: aikoId() } } });
        expect(errorCodeOf(refused)).toBe('AUTHZ_FORBIDDEN');
        expect(await auditEntriesOf(api.dataSource, refused.requestId)).toContainEqual(containing({ action: 'authz.denied', reason: 'not permitted: update CareTeam' }));
      }
    });
  });

  describe('formulary changes: a clinician with the formulary permission, e-signed "approved", versioned', () => {
    const change = (token: string, overrides: Record<string, unknown> = {}) =>
      gql<{ changeFormularyDrug: { drug: string; version: number; stepsMg: number[]; maxDailyMg: number; changeReason: string; signatureId: string } }>(api, CHANGE_FORMULARY, {
        token,
        variables: {
          input: {
            drug: 'lisinopril',
            stepsMg: [2.5, 5, 10, 20, 40],
            note: 'ACC/AHA usual 10-40; 2.5 mg start for the frail',
            source: 'P&T committee, 2026-11',
            reason: 'Add a 2.5 mg starting step for frail and CKD patients',
            email: 'dr.rivera@demo.clinloop.test',
            password: DEMO_PASSWORD,
            ...overrides,
          },
        },
      });
    const versions = () => api.dataSource.query<{ version: number; steps_mg: string[]; signature_id: string | null }[]>("SELECT version, steps_mg, signature_id FROM formulary_drugs WHERE drug = 'lisinopril' ORDER BY version");

    it('without a valid signature nothing changes (ESIGN_INVALID_CREDENTIALS), and the attempt is audited', async () => {
      const refused = await change(rivera.accessToken, { password: 'not the password' });
      expect(refused.errors[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', errorCode: 'ESIGN_INVALID_CREDENTIALS' });
      expect(await versions()).toHaveLength(1);
      expect(await auditEntriesOf(api.dataSource, refused.requestId)).toContainEqual(containing({ action: 'esign.sign', outcome: 'failure', reason: 'wrong password', resource_type: 'FormularyDrug' }));
      const someoneElse = await change(rivera.accessToken, { email: 'np.okafor@demo.clinloop.test' });
      expect(errorCodeOf(someoneElse)).toBe('ESIGN_INVALID_CREDENTIALS');
      expect(await versions()).toHaveLength(1);
    });

    it('with the signature: version 2 next to version 1 (never rewritten), the signature bound to it, audited', async () => {
      const changed = await change(rivera.accessToken);
      expect(changed.errors).toEqual([]);
      expect(changed.data?.changeFormularyDrug).toMatchObject({ drug: 'lisinopril', version: 2, stepsMg: [2.5, 5, 10, 20, 40], maxDailyMg: 40 });
      const rows = await versions();
      expect(rows.map((row) => [row.version, row.steps_mg.map(Number)])).toEqual([
        [1, [5, 10, 20, 40]],
        [2, [2.5, 5, 10, 20, 40]],
      ]);
      const signature = (await api.dataSource.query<{ meaning: string; record_type: string; record_id: string; printed_name: string }[]>(
        'SELECT meaning, record_type, record_id, printed_name FROM electronic_signatures WHERE id = $1',
        [rows[1]?.signature_id],
      ))[0];
      expect(signature).toEqual({ meaning: 'approved', record_type: 'FormularyDrug', record_id: 'lisinopril@2', printed_name: 'Dr. Ana Rivera' });
      const entries = await auditEntriesOf(api.dataSource, changed.requestId);
      expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(['esign.sign', 'formulary.change']));
      expect((await gql<{ formulary: { drug: string; version: number }[] }>(api, '{ formulary { drug version } }')).data?.formulary).toContainEqual({ drug: 'lisinopril', version: 2 });
      await expect(api.dataSource.query("UPDATE formulary_drugs SET note = 'rewritten' WHERE drug = 'lisinopril' AND version = 1")).rejects.toThrow(/append-only/);
    });

    it('an admin may not change the formulary, nor a clinician without the permission: FORBIDDEN, audited', async () => {
      for (const token of [admin.accessToken, okafor.accessToken]) {
        const refused = await change(token);
        expect(errorCodeOf(refused)).toBe('AUTHZ_FORBIDDEN');
        expect(await auditEntriesOf(api.dataSource, refused.requestId)).toContainEqual(containing({ action: 'authz.denied', reason: 'not permitted: update Formulary' }));
      }
      expect(await versions()).toHaveLength(2);
    });

    it('refuses unknown drugs and unordered steps before asking for the signature', async () => {
      expect(errorCodeOf(await change(rivera.accessToken, { drug: 'nodrug' }))).toBe('FORMULARY_UNKNOWN_DRUG');
      expect(errorCodeOf(await change(rivera.accessToken, { stepsMg: [10, 5] }))).toBe('FORMULARY_INVALID_CHANGE');
      api.clock.advance(TOTP_STEP_MS);
    });
  });
});
