import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureService, signedContentHash, type SignableRecord } from '@clinloop/auth';
import type { UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntriesOf, containing, demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, type SecureApi, type Tokens } from '../support/auth-api';

const SIGN = 'mutation S($input: SignRecordInput!) { signRecord(input: $input) { id printedName meaning signedAt recordType recordId contentHash } }';
const VERIFY = 'query V($input: VerifySignatureInput!) { verifyElectronicSignature(input: $input) { valid signature { id printedName } } }';
const REGIMEN = 'query P($id: ID!) { patient(id: $id) { currentRegimen { id } } }';

describe('electronic signatures, 21 CFR Part 11 (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let rivera: Tokens;
  let okafor: Tokens;
  let admin: Tokens;
  let mariaRegimen: string;
  let aikoRegimen: string;

  const sign = (token: string, recordId: string, credentials: { email: string; password: string }) =>
    gql<{ signRecord: { id: string; printedName: string; meaning: string; signedAt: string; contentHash: string } }>(api, SIGN, {
      token,
      variables: { input: { recordType: 'RegimenVersion', recordId, meaning: 'REVIEWED', ...credentials } },
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    api = await startSecureApi(database);
    rivera = await signIn(api, 'dr.rivera@demo.clinloop.test');
    okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
    admin = await signIn(api, 'admin@demo.clinloop.test');
    const regimenOf = async (mrn: string) =>
      (await gql<{ patient: { currentRegimen: { id: string } } }>(api, REGIMEN, { token: rivera.accessToken, variables: { id: ids.patients[mrn] } })).data?.patient.currentRegimen.id ?? '';
    mariaRegimen = await regimenOf('DEMO-0001');
    aikoRegimen = await regimenOf('DEMO-0003');
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('re-asks both components and records printed name, time, meaning and the hash of what was signed (11.50, 11.200)', async () => {
    const response = await sign(rivera.accessToken, mariaRegimen, { email: 'DR.RIVERA@demo.clinloop.test', password: 'clinloop-demo-only' });
    expect(response.errors).toEqual([]);
    const signature = response.data?.signRecord;
    expect(signature).toMatchObject({ printedName: 'Dr. Ana Rivera', meaning: 'REVIEWED', recordType: 'RegimenVersion', recordId: mariaRegimen });
    expect(Math.abs(new Date(signature?.signedAt ?? 0).getTime() - Date.now())).toBeLessThan(60_000);
    const [row] = await api.dataSource.query<{ content: string }[]>(
      `SELECT json_build_object('patientId', v.patient_id, 'version', v.version, 'effectiveAt', to_char(v.effective_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'reason', v.reason,
              'items', (SELECT coalesce(json_agg(json_build_object('drug', i.drug, 'dailyDoseMg', i.daily_dose_mg::text) ORDER BY i.drug), '[]'::json) FROM regimen_items i WHERE i.regimen_version_id = v.id))::text AS content
         FROM regimen_versions v WHERE v.id = $1`,
      [mariaRegimen],
    );
    const content = JSON.parse(row?.content ?? '{}') as SignableRecord['content'];
    expect(signature?.contentHash).toBe(signedContentHash({ type: 'RegimenVersion', id: mariaRegimen, content }));
    expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(
      expect.objectContaining({ action: 'esign.sign', outcome: 'success', reason: 'reviewed', patient_id: ids.patients['DEMO-0001'], payload: containing({ signatureId: signature?.id }) }),
    );
  });

  it('is bound to its record: verifies for it, is refused for another, and for a record changed behind its back (11.70)', async () => {
    const signed = await sign(rivera.accessToken, aikoRegimen, { email: 'dr.rivera@demo.clinloop.test', password: 'clinloop-demo-only' });
    const signatureId = signed.data?.signRecord.id;
    const verify = (recordId: string) => gql(api, VERIFY, { token: rivera.accessToken, variables: { input: { signatureId, recordType: 'RegimenVersion', recordId } } });
    expect((await verify(aikoRegimen)).errors).toEqual([]);
    expect(errorCodeOf(await verify(mariaRegimen))).toBe('ESIGN_NOT_BOUND');
    await api.dataSource.query(`UPDATE regimen_versions SET reason = 'edited in place' WHERE id = $1`, [aikoRegimen]);
    const changed = await verify(aikoRegimen);
    expect(errorCodeOf(changed)).toBe('ESIGN_RECORD_CHANGED');
    expect(await auditEntriesOf(api.dataSource, changed.requestId)).toContainEqual(expect.objectContaining({ action: 'esign.verify', outcome: 'failure', reason: 'record changed after signing' }));
  });

  it("refuses another person's identification code, and records outside the signer's care", async () => {
    const otherId = await sign(rivera.accessToken, mariaRegimen, { email: 'np.okafor@demo.clinloop.test', password: 'clinloop-demo-only' });
    expect(errorCodeOf(otherId)).toBe('ESIGN_INVALID_CREDENTIALS');
    const outsideTeam = await sign(okafor.accessToken, aikoRegimen, { email: 'np.okafor@demo.clinloop.test', password: 'clinloop-demo-only' });
    expect(errorCodeOf(outsideTeam)).toBe('ESIGN_NOT_FOUND');
  });

  it('five failed attempts lock signing and write a security event; an admin unlocks (11.300(d))', async () => {
    const wrong = { email: 'np.okafor@demo.clinloop.test', password: 'not-my-password' };
    const codes: (string | undefined)[] = [];
    let fifth = '';
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await sign(okafor.accessToken, mariaRegimen, wrong);
      codes.push(errorCodeOf(response));
      fifth = response.requestId;
    }
    expect(codes).toEqual(['ESIGN_INVALID_CREDENTIALS', 'ESIGN_INVALID_CREDENTIALS', 'ESIGN_INVALID_CREDENTIALS', 'ESIGN_INVALID_CREDENTIALS', 'ESIGN_SIGNING_LOCKED']);
    expect(await auditEntriesOf(api.dataSource, fifth)).toContainEqual(
      expect.objectContaining({ action: 'esign.locked', payload: containing({ securityEvent: true, failedAttempts: 5 }) }),
    );
    const right = { email: 'np.okafor@demo.clinloop.test', password: 'clinloop-demo-only' };
    expect(errorCodeOf(await sign(okafor.accessToken, mariaRegimen, right))).toBe('ESIGN_SIGNING_LOCKED');
    const unlock = await gql(api, 'mutation U($id: ID!) { unlockUser(userId: $id) { signingLocked } }', { token: admin.accessToken, variables: { id: ids.users['np.okafor@demo.clinloop.test'] } });
    expect(unlock.data).toEqual({ unlockUser: { signingLocked: false } });
    expect((await sign(okafor.accessToken, mariaRegimen, right)).errors).toEqual([]);
  });

  it('is a service other features call in their own transaction: the signature rolls back with it, a failure stays counted', async () => {
    const signatures = api.app.get(SignatureService);
    const signer: UserPrincipal = {
      kind: 'user',
      userId: ids.users['dr.chen@demo.clinloop.test'] ?? '',
      organizationId: (await api.dataSource.query<{ id: string }[]>("SELECT id FROM organizations WHERE slug = 'demo-clinic'"))[0]?.id ?? '',
      role: 'clinician',
      email: 'dr.chen@demo.clinloop.test',
      displayName: 'Dr. Wei Chen',
      sessionId: null,
      patientId: null,
      careTeamIds: [],
      breakGlassPatientIds: [],
      formularyPermission: false,
      passwordChangeRequired: false,
    };
    const record: SignableRecord = { type: 'SafetyBounds', id: 'bounds-1', organizationId: signer.organizationId, patientId: null, content: { maxDailyMg: 40 } };
    const meta = { requestId: 'service-test', ip: null };
    await expect(
      withTransaction(api.dataSource, async (manager) => {
        await signatures.sign(manager, { signer, credentials: { email: signer.email, password: 'clinloop-demo-only' }, meaning: 'authored', record, meta });
        throw new Error('the feature failed after signing');
      }),
    ).rejects.toThrow('the feature failed after signing');
    expect(await api.dataSource.query("SELECT id FROM electronic_signatures WHERE record_id = 'bounds-1'")).toEqual([]);

    await expect(
      withTransaction(api.dataSource, (manager) => signatures.sign(manager, { signer, credentials: { email: signer.email, password: 'wrong-password' }, meaning: 'authored', record, meta })),
    ).rejects.toMatchObject({ code: 'ESIGN_INVALID_CREDENTIALS' });
    const [counts] = await api.dataSource.query<{ signing_failure_count: number }[]>('SELECT signing_failure_count FROM user_credentials WHERE user_id = $1', [signer.userId]);
    expect(counts?.signing_failure_count).toBe(1);
  });
});
