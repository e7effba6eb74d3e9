import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedContentHash } from '@clinloop/auth';
import { withTransaction } from '@clinloop/database';
import { SafetyBoundsError, SafetyBoundsService, safetyBoundsSignedContent, SafetyBoundsVersionEntity } from '@clinloop/safety-bounds';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntriesOf, clinicianPrincipal, containing, demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, type SecureApi, type Tokens } from '../support/auth-api';

const VERSION_FIELDS = 'id patientId version targetSbp targetDbp allowedDrugs { drug minDailyMg maxDailyMg } maxAutoIncreaseSteps minIncreaseIntervalDays confidenceFloor rulesVersion authoredBy signatureId createdAt';
const SIGN = `mutation S($input: SignSafetyBoundsInput!) { signSafetyBounds(input: $input) { ${VERSION_FIELDS} } }`;
const CURRENT = `query B($patientId: ID!) { safetyBounds(patientId: $patientId) { ${VERSION_FIELDS} } }`;
const HISTORY = 'query H($patientId: ID!) { safetyBoundsHistory(patientId: $patientId) { version targetSbp } }';
const CHECK = 'query C($input: CheckProposalInput!) { checkProposal(input: $input) { tier urgent reasons { rule message } rulesVersion boundsVersion } }';
const PASSWORD = 'clinloop-demo-only';
const CHANGE_FORMULARY = 'mutation F($input: ChangeFormularyDrugInput!) { changeFormularyDrug(input: $input) { drug version maxDailyMg } }';
/** The rules version of the seeded formulary: the built-in rules plus exactly the database rows used. */
const SEEDED_RULES_VERSION = 'acc-aha-2017.1+formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,lisinopril@1,losartan@1';

interface SignedVersion {
  id: string;
  patientId: string;
  version: number;
  targetSbp: number;
  allowedDrugs: { drug: string; minDailyMg: number; maxDailyMg: number }[];
  maxAutoIncreaseSteps: number | null;
  rulesVersion: string;
  authoredBy: string;
  signatureId: string;
}

const BOUNDS = {
  targetSbp: 130,
  targetDbp: 80,
  allowedDrugs: [
    { drug: 'Lisinopril', minDailyMg: 5, maxDailyMg: 40 },
    { drug: 'amlodipine', minDailyMg: 2.5, maxDailyMg: 10 },
  ],
  maxAutoIncreaseSteps: 1,
  minIncreaseIntervalDays: 14,
  confidenceFloor: 0.8,
};

describe('safety bounds as data: versioned, e-signed, audited (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let rivera: Tokens;
  let okafor: Tokens;
  let maria: Tokens;
  let mariaId: string;
  let aikoId: string;

  const sign = (token: string, input: Record<string, unknown>) => gql<{ signSafetyBounds: SignedVersion }>(api, SIGN, { token, variables: { input } });
  const rowsOf = (patientId: string) =>
    api.dataSource.query<{ version: number; content: unknown; signature_id: string }[]>('SELECT version, content, signature_id FROM safety_bounds_versions WHERE patient_id = $1 ORDER BY version', [patientId]);

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    api = await startSecureApi(database);
    rivera = await signIn(api, 'dr.rivera@demo.clinloop.test');
    okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
    maria = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
    mariaId = ids.patients['DEMO-0001'] ?? '';
    aikoId = ids.patients['DEMO-0003'] ?? '';
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('signs version 1 (meaning authored), binds the signature to exactly the stored content, and audits both in the same request', async () => {
    const response = await sign(rivera.accessToken, { patientId: mariaId, ...BOUNDS, email: 'dr.rivera@demo.clinloop.test', password: PASSWORD });
    expect(response.errors).toEqual([]);
    const signed = response.data?.signSafetyBounds;
    expect(signed).toMatchObject({ patientId: mariaId, version: 1, targetSbp: 130, rulesVersion: SEEDED_RULES_VERSION, authoredBy: ids.users['dr.rivera@demo.clinloop.test'], maxAutoIncreaseSteps: 1 });
    expect(signed?.allowedDrugs.map((allowed) => allowed.drug)).toEqual(['lisinopril', 'amlodipine']);

    const [signature] = await api.dataSource.query<{ meaning: string; record_type: string; record_id: string; content_hash: string }[]>(
      'SELECT meaning, record_type, record_id::text, content_hash FROM electronic_signatures WHERE id = $1',
      [signed?.signatureId],
    );
    expect(signature).toMatchObject({ meaning: 'authored', record_type: 'SafetyBounds', record_id: signed?.id });
    const stored = await api.dataSource.getRepository(SafetyBoundsVersionEntity).findOneByOrFail({ id: signed?.id ?? '' });
    expect(signature?.content_hash).toBe(signedContentHash({ type: 'SafetyBounds', id: stored.id, content: safetyBoundsSignedContent(stored) }));

    const audit = await auditEntriesOf(api.dataSource, response.requestId);
    expect(audit).toContainEqual(expect.objectContaining({ action: 'esign.sign', outcome: 'success', reason: 'authored', patient_id: mariaId }));
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'safety-bounds.sign', outcome: 'success', resource_type: 'SafetyBounds', resource_id: signed?.id, patient_id: mariaId, payload: containing({ version: 1, signatureId: signed?.signatureId }) }),
    );
  });

  it('a new signing writes version 2 and never rewrites version 1; current and history read it back', async () => {
    const before = await rowsOf(mariaId);
    const response = await sign(rivera.accessToken, { patientId: mariaId, ...BOUNDS, targetSbp: 125, maxAutoIncreaseSteps: null, email: 'dr.rivera@demo.clinloop.test', password: PASSWORD });
    expect(response.errors).toEqual([]);
    expect(response.data?.signSafetyBounds).toMatchObject({ version: 2, targetSbp: 125, maxAutoIncreaseSteps: null });
    const after = await rowsOf(mariaId);
    expect(after.map((row) => row.version)).toEqual([1, 2]);
    expect(after[0]).toEqual(before[0]);

    const current = await gql<{ safetyBounds: SignedVersion }>(api, CURRENT, { token: okafor.accessToken, variables: { patientId: mariaId } });
    expect(current.errors).toEqual([]);
    expect(current.data?.safetyBounds).toMatchObject({ version: 2, targetSbp: 125 });
    const history = await gql<{ safetyBoundsHistory: { version: number }[] }>(api, HISTORY, { token: maria.accessToken, variables: { patientId: mariaId } });
    expect(history.errors).toEqual([]);
    expect(history.data?.safetyBoundsHistory.map((version) => version.version)).toEqual([2, 1]);
  });

  it('refuses bounds outside the formulary with a coded error, writes nothing, and audits the refusal', async () => {
    const before = await rowsOf(mariaId);
    const tooHigh = await sign(rivera.accessToken, {
      patientId: mariaId,
      ...BOUNDS,
      allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 80 }],
      email: 'dr.rivera@demo.clinloop.test',
      password: PASSWORD,
    });
    expect(errorCodeOf(tooHigh)).toBe('SAFETY_BOUNDS_OUTSIDE_FORMULARY');
    expect(tooHigh.errors[0]?.message).toMatch(/lisinopril maxDailyMg 80 exceeds the formulary maximum of 40/);
    const unknownDrug = await sign(rivera.accessToken, {
      patientId: mariaId,
      ...BOUNDS,
      allowedDrugs: [{ drug: 'atenolol', minDailyMg: 25, maxDailyMg: 50 }],
      email: 'dr.rivera@demo.clinloop.test',
      password: PASSWORD,
    });
    expect(errorCodeOf(unknownDrug)).toBe('SAFETY_BOUNDS_OUTSIDE_FORMULARY');
    const inverted = await sign(rivera.accessToken, { patientId: mariaId, ...BOUNDS, targetSbp: 70, email: 'dr.rivera@demo.clinloop.test', password: PASSWORD });
    expect(errorCodeOf(inverted)).toBe('SAFETY_BOUNDS_INVALID');
    expect(await rowsOf(mariaId)).toEqual(before);
    expect(await auditEntriesOf(api.dataSource, tooHigh.requestId)).toContainEqual(
      expect.objectContaining({ action: 'safety-bounds.sign', outcome: 'failure', reason: 'SAFETY_BOUNDS_OUTSIDE_FORMULARY', patient_id: mariaId }),
    );
  });

  it('refuses a wrong password (no version written, the failed signing audited)', async () => {
    const before = await rowsOf(mariaId);
    const response = await sign(rivera.accessToken, { patientId: mariaId, ...BOUNDS, email: 'dr.rivera@demo.clinloop.test', password: 'wrong-password-x' });
    expect(errorCodeOf(response)).toBe('ESIGN_INVALID_CREDENTIALS');
    expect(await rowsOf(mariaId)).toEqual(before);
    expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(expect.objectContaining({ action: 'esign.sign', outcome: 'failure', reason: 'wrong password' }));
  });

  it('only a clinician of the patient\'s care team signs: outside the team not found, a patient forbidden', async () => {
    const outsideTeam = await sign(okafor.accessToken, { patientId: aikoId, ...BOUNDS, email: 'np.okafor@demo.clinloop.test', password: PASSWORD });
    expect(errorCodeOf(outsideTeam)).toBe('PATIENTS_NOT_FOUND');
    const patient = await sign(maria.accessToken, { patientId: mariaId, ...BOUNDS, email: 'maria.gonzalez@demo.clinloop.test', password: PASSWORD });
    expect(errorCodeOf(patient)).toBe('AUTHZ_FORBIDDEN');
    const read = await gql(api, CURRENT, { token: okafor.accessToken, variables: { patientId: aikoId } });
    expect(errorCodeOf(read)).toBe('PATIENTS_NOT_FOUND');
    expect(await rowsOf(aikoId)).toEqual([]);
  });

  it('the service signs inside the caller\'s transaction and refuses outside the formulary before anything is written', async () => {
    const service = api.app.get(SafetyBoundsService);
    const clinician = await clinicianPrincipal(api.dataSource, 'dr.rivera@demo.clinloop.test');
    expect(clinician.formularyPermission).toBe(true);
    const credentials = { email: 'dr.rivera@demo.clinloop.test', password: PASSWORD };
    const saved = await withTransaction(api.dataSource, (manager) => service.signBounds(manager, clinician, aikoId, BOUNDS, credentials));
    expect(saved.version).toBe(1);
    await expect(
      withTransaction(api.dataSource, (manager) => service.signBounds(manager, clinician, aikoId, { ...BOUNDS, allowedDrugs: [{ drug: 'amlodipine', minDailyMg: 0, maxDailyMg: 20 }] }, credentials)),
    ).rejects.toBeInstanceOf(SafetyBoundsError);
    expect((await rowsOf(aikoId)).map((row) => row.version)).toEqual([1]);
  });

  it('is append-only in the database: UPDATE and DELETE are refused by trigger', async () => {
    await expect(api.dataSource.query('UPDATE safety_bounds_versions SET rules_version = $1', ['x'])).rejects.toThrow(/append-only/);
    await expect(api.dataSource.query('DELETE FROM safety_bounds_versions')).rejects.toThrow(/append-only/);
    const [grants] = await api.dataSource.query<{ update: boolean; delete: boolean; insert: boolean }[]>(
      `SELECT has_table_privilege('clinloop_app', 'safety_bounds_versions', 'UPDATE') AS update,
              has_table_privilege('clinloop_app', 'safety_bounds_versions', 'DELETE') AS delete,
              has_table_privilege('clinloop_app', 'safety_bounds_versions', 'INSERT') AS insert`,
    );
    expect(grants).toEqual({ update: false, delete: false, insert: true });
  });

  it('enforces the signed formulary in the database: after lisinopril is lowered to 20 mg/day, bounds of 40 are refused and an increase to 40 is blocked', async () => {
    type Decision = { checkProposal: { tier: string; reasons: { rule: string; message: string }[]; rulesVersion: string } };
    const upTo40 = {
      now: '2025-06-01T12:00:00Z',
      patient: {
        regimen: [{ drug: 'lisinopril', dailyDoseMg: 20 }],
        bounds: { version: '9', ...BOUNDS, signedAt: '2025-05-01T00:00:00Z', signedBy: 'dr.rivera' },
        pregnant: false,
        angioedemaHistory: false,
        sulfonamideAllergy: false,
        anuria: false,
        openAlerts: [],
        lastIncreaseAt: null,
      },
      proposal: { drug: 'lisinopril', fromMg: 20, toMg: 40, confidence: 0.9 },
    };
    const signMax40 = () => sign(rivera.accessToken, { patientId: mariaId, ...BOUNDS, email: 'dr.rivera@demo.clinloop.test', password: PASSWORD });
    const check = () => gql<Decision>(api, CHECK, { token: rivera.accessToken, variables: { input: upTo40 } });

    const before = await signMax40();
    expect(before.errors).toEqual([]);
    expect(before.data?.signSafetyBounds.rulesVersion).toBe(SEEDED_RULES_VERSION);
    const allowed = await check();
    expect(allowed.errors).toEqual([]);
    expect(allowed.data?.checkProposal).toMatchObject({ tier: 'AUTO', rulesVersion: SEEDED_RULES_VERSION });

    const changed = await gql<{ changeFormularyDrug: { version: number; maxDailyMg: number } }>(api, CHANGE_FORMULARY, {
      token: rivera.accessToken,
      variables: {
        input: { drug: 'lisinopril', stepsMg: [5, 10, 20], note: 'capped at 20 mg', source: 'P&T committee', reason: 'Lower the lisinopril ceiling to 20 mg/day', email: 'dr.rivera@demo.clinloop.test', password: PASSWORD },
      },
    });
    expect(changed.errors).toEqual([]);
    expect(changed.data?.changeFormularyDrug).toEqual({ drug: 'lisinopril', version: 2, maxDailyMg: 20 });

    const rowsBefore = await rowsOf(mariaId);
    const refused = await signMax40();
    expect(errorCodeOf(refused)).toBe('SAFETY_BOUNDS_OUTSIDE_FORMULARY');
    expect(refused.errors[0]?.message).toMatch(/lisinopril maxDailyMg 40 exceeds the formulary maximum of 20/);
    expect(await rowsOf(mariaId)).toEqual(rowsBefore);

    const blocked = await check();
    expect(blocked.errors).toEqual([]);
    expect(blocked.data?.checkProposal.tier).toBe('BLOCKED');
    expect(blocked.data?.checkProposal.reasons).toContainEqual({ rule: 'BLOCK_ABOVE_FORMULARY_MAX', message: '40 mg/day of lisinopril exceeds the formulary maximum of 20 mg/day' });
    expect(blocked.data?.checkProposal.rulesVersion).toBe('acc-aha-2017.1+formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,lisinopril@2,losartan@1');
  });
});

describe('checkProposal: what the envelope would do, creating nothing (running API)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let rivera: Tokens;
  let maria: Tokens;

  const input = (proposal: Record<string, unknown>, patient: Record<string, unknown> = {}) => ({
    now: '2025-06-01T12:00:00Z',
    patient: {
      regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }],
      bounds: { version: '3', ...BOUNDS, signedAt: '2025-05-01T00:00:00Z', signedBy: 'dr.rivera' },
      pregnant: false,
      angioedemaHistory: false,
      sulfonamideAllergy: false,
      anuria: false,
      openAlerts: [],
      lastIncreaseAt: null,
      ...patient,
    },
    proposal: { drug: 'lisinopril', fromMg: 10, toMg: 20, confidence: 0.9, ...proposal },
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    api = await startSecureApi(database);
    rivera = await signIn(api, 'dr.rivera@demo.clinloop.test');
    maria = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('routes a one-step increase within signed bounds AUTO, and names the bounds and rules versions', async () => {
    const response = await gql<{ checkProposal: { tier: string; urgent: boolean; reasons: { rule: string }[]; rulesVersion: string; boundsVersion: string } }>(api, CHECK, {
      token: rivera.accessToken,
      variables: { input: input({}) },
    });
    expect(response.errors).toEqual([]);
    expect(response.data?.checkProposal).toMatchObject({ tier: 'AUTO', urgent: false, rulesVersion: SEEDED_RULES_VERSION, boundsVersion: '3' });
    expect(response.data?.checkProposal.reasons.length).toBeGreaterThan(0);
  });

  it('blocks a contraindicated proposal and sends low confidence to review', async () => {
    const pregnant = await gql<{ checkProposal: { tier: string; reasons: { rule: string }[] } }>(api, CHECK, { token: rivera.accessToken, variables: { input: input({}, { pregnant: true }) } });
    expect(pregnant.data?.checkProposal.tier).toBe('BLOCKED');
    expect(pregnant.data?.checkProposal.reasons.map((reason) => reason.rule).join(' ')).toMatch(/BLOCK_/);
    const unsure = await gql<{ checkProposal: { tier: string } }>(api, CHECK, { token: rivera.accessToken, variables: { input: input({ confidence: 0.5 }) } });
    expect(unsure.data?.checkProposal.tier).toBe('REVIEW');
  });

  it('refuses malformed input with a coded error naming the field', async () => {
    const response = await gql(api, CHECK, { token: rivera.accessToken, variables: { input: input({ confidence: 1.5 }) } });
    expect(errorCodeOf(response)).toBe('CLINICAL_INVALID_INPUT');
    expect(response.errors[0]?.message).toMatch(/proposal\.confidence/);
  });

  it('is for clinicians and integrators, not patients or anonymous callers', async () => {
    expect(errorCodeOf(await gql(api, CHECK, { token: maria.accessToken, variables: { input: input({}) } }))).toBe('AUTHZ_FORBIDDEN');
    expect(errorCodeOf(await gql(api, CHECK, { variables: { input: input({}) } }))).toBe('AUTH_UNAUTHENTICATED');
  });
});
