import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKey, verifyExport } from '@clinloop/audit';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntriesOf, demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, type SecureApi, type Tokens } from '../support/auth-api';
import { seedOtherOrganization } from '../support/auth-fixtures';

const VERIFY = '{ verifyAuditTrail { ok entries failureReason failedSeq summary } }';

function chunks(text: string): AsyncIterable<string> {
  return Readable.from([text]) as AsyncIterable<string>;
}

describe('auditor access to the audit trail (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let dataDir: string;
  let auditor: Tokens;
  let clinician: Tokens;
  let patientId: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'clinloop-auditor-'));
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    patientId = (await demoIds(database.dataSource)).patients['DEMO-0001'] ?? '';
    api = await startSecureApi(database, { DATA_DIR: dataDir });
    auditor = await signIn(api, 'auditor@demo.clinloop.test');
    clinician = await signIn(api, 'dr.rivera@demo.clinloop.test');
    await gql(api, 'query P($id: ID!) { patient(id: $id) { id } }', { token: clinician.accessToken, variables: { id: patientId } });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('an auditor verifies the live trail through GraphQL; the check itself is audited', async () => {
    const response = await gql<{ verifyAuditTrail: { ok: boolean; entries: number; summary: string } }>(api, VERIFY, { token: auditor.accessToken });
    expect(response.errors).toEqual([]);
    expect(response.data?.verifyAuditTrail).toMatchObject({ ok: true, failureReason: null });
    expect(response.data?.verifyAuditTrail.entries).toBeGreaterThan(0);
    expect(await auditEntriesOf(api.dataSource, response.requestId)).toContainEqual(expect.objectContaining({ action: 'audit.verify', actor_role: 'auditor' }));
  });

  it('a clinician may not', async () => {
    expect(errorCodeOf(await gql(api, VERIFY, { token: clinician.accessToken }))).toBe('AUTHZ_FORBIDDEN');
    const exported = await request(api.app.getHttpServer()).get('/audit/export').set('authorization', `Bearer ${clinician.accessToken}`);
    expect(exported.status).toBe(403);
    expect(exported.body).toMatchObject({ error: { code: 'FORBIDDEN', errorCode: 'AUTHZ_FORBIDDEN' } });
  });

  it("streams a patient's entries as an export that verifies offline with the audit public key", async () => {
    const response = await request(api.app.getHttpServer())
      .get('/audit/export')
      .query({ format: 'jsonl', patient: patientId })
      .set('authorization', `Bearer ${auditor.accessToken}`)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      });
    expect(response.status, String(response.body)).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/jsonl/);
    const text = response.body as string;
    const lines = text.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('patient.read');
    const { signer } = await loadSigningKey({ keyFile: undefined, dataDir, allowGenerate: false });
    const verdict = await verifyExport(chunks(text), { publicKey: signer.publicKey, trusted: [] });
    expect(verdict.ok).toBe(true);
  });

  it("never exports beyond the auditor's organization", async () => {
    const other = await seedOtherOrganization(database.dataSource);
    const foreign = await request(api.app.getHttpServer()).get('/audit/export').query({ patient: other.patientId }).set('authorization', `Bearer ${auditor.accessToken}`);
    expect(foreign.status).toBe(404);
    const unscoped = await request(api.app.getHttpServer()).get('/audit/export').set('authorization', `Bearer ${auditor.accessToken}`);
    expect(unscoped.status).toBe(403);
    expect(await auditEntriesOf(api.dataSource, String(unscoped.headers['x-request-id']))).toContainEqual(
      expect.objectContaining({ action: 'audit.export', outcome: 'denied', reason: 'unscoped export in a multi-organization installation' }),
    );
  });
});
