import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKey, readExportRecords, verifyExport, type AuditEntry } from '@clinloop/audit';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { auditEntriesOf, containing, demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, type SecureApi, type Tokens } from '../support/auth-api';
import { OTHER_PASSWORD, seedOtherOrganization } from '../support/auth-fixtures';

const VERIFY = '{ verifyAuditTrail { ok entries failureReason failedSeq summary } }';

const anyString: unknown = expect.any(String);

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

  async function verifiesOffline(text: string): Promise<boolean> {
    const { signer } = await loadSigningKey({ keyFile: undefined, dataDir, allowGenerate: false });
    return (await verifyExport(chunks(text), { publicKey: signer.publicKey, trusted: [] })).ok;
  }

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

  it("never exports beyond the auditor's organization: someone else's patient is not found, an unfiltered export holds only its own entries", async () => {
    const other = await seedOtherOrganization(database.dataSource);
    const foreign = await request(api.app.getHttpServer()).get('/audit/export').query({ patient: other.patientId }).set('authorization', `Bearer ${auditor.accessToken}`);
    expect(foreign.status).toBe(404);
    expect(await auditEntriesOf(api.dataSource, String(foreign.headers['x-request-id']))).toContainEqual(
      expect.objectContaining({ action: 'audit.export', outcome: 'denied', reason: "patient outside the auditor's organization" }),
    );
    // The other organization's clinician leaves entries of their own (sign-in, a patient read).
    const otherClinician = await signIn(api, other.clinicianEmail, { password: OTHER_PASSWORD, organization: 'other-clinic', totp: true });
    await gql(api, 'query P($id: ID!) { patient(id: $id) { id } }', { token: otherClinician.accessToken, variables: { id: other.patientId } });
    const otherOrganizationEntries = await api.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM audit_entries WHERE actor_organization_id = $1 OR patient_id = $2',
      [other.organizationId, other.patientId],
    );
    expect(otherOrganizationEntries[0]?.n).toBeGreaterThan(0);

    const unscoped = await download(request(api.app.getHttpServer()).get('/audit/export').set('authorization', `Bearer ${auditor.accessToken}`));
    expect(unscoped.status).toBe(200);
    const entries = await entriesOf(unscoped.text);
    expect(entries.length).toBeGreaterThan(3);
    expect(entries.filter((entry) => entry.actorOrganizationId === other.organizationId || entry.patientId === other.patientId)).toEqual([]);
    expect(await verifiesOffline(unscoped.text)).toBe(true);
  });

  describe('through GraphQL: requestAuditExport gives a single-use, five-minute, audited download link', () => {
    const REQUEST = 'mutation R($input: AuditExportRequestInput!) { requestAuditExport(input: $input) { url path expiresAt format } }';
    interface Link {
      readonly url: string;
      readonly path: string;
      readonly expiresAt: string;
      readonly format: string;
    }

    async function requestLink(token: string, input: Record<string, unknown> = {}): Promise<{ link: Link; requestId: string }> {
      const response = await gql<{ requestAuditExport: Link }>(api, REQUEST, { token, variables: { input } });
      expect(response.errors).toEqual([]);
      const link = response.data?.requestAuditExport;
      if (!link) throw new Error('no link');
      return { link, requestId: response.requestId };
    }

    it('the link streams the export without an Authorization header; it verifies offline; issuing and using it are audited', async () => {
      const { link, requestId } = await requestLink(auditor.accessToken, { format: 'JSONL', patientId });
      expect(link.path).toMatch(/^\/audit\/export\/cdt_[A-Za-z0-9_-]{43}$/);
      expect(link.url.endsWith(link.path)).toBe(true);
      expect(new Date(link.expiresAt).getTime() - api.clock.now().getTime()).toBeLessThanOrEqual(5 * 60_000);
      expect(link.format).toBe('JSONL');
      const issued = await auditEntriesOf(api.dataSource, requestId);
      expect(issued).toContainEqual(expect.objectContaining({ action: 'audit.export_link', outcome: 'success', actor_role: 'auditor', patient_id: patientId }));
      // Only the hash of the link is stored.
      const stored = await api.dataSource.query<{ token_hash: string }[]>('SELECT token_hash FROM download_tickets');
      expect(JSON.stringify(stored)).not.toContain(link.path.split('/').pop());

      const response = await download(request(api.app.getHttpServer()).get(link.path));
      expect(response.status, response.text).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/jsonl/);
      const entries = await entriesOf(response.text);
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((entry) => entry.patientId === patientId)).toBe(true);
      expect(await verifiesOffline(response.text)).toBe(true);
      // The download is audited as the auditor's, with the link it used, although no token came with it.
      expect(await auditEntriesOf(api.dataSource, String(response.headers['x-request-id']))).toContainEqual(
        containing({ action: 'audit.export', outcome: 'success', actor_role: 'auditor', payload: containing({ ticketId: anyString }) }),
      );
      // The export covers its own audit entry (the checkpoint is made after it).
      expect(entries.some((entry) => entry.action === 'audit.export_link')).toBe(true);
    });

    it('a link works once: the second use is refused (410 AUTH_TICKET_USED) and audited', async () => {
      const { link } = await requestLink(auditor.accessToken, { patientId });
      expect((await download(request(api.app.getHttpServer()).get(link.path))).status).toBe(200);
      const again = await request(api.app.getHttpServer()).get(link.path);
      expect(again.status).toBe(410);
      expect(again.body).toMatchObject({ error: { code: 'GONE', errorCode: 'AUTH_TICKET_USED' } });
      expect(await auditEntriesOf(api.dataSource, String(again.headers['x-request-id']))).toContainEqual(
        expect.objectContaining({ action: 'audit.export', outcome: 'denied', reason: 'download link refused: AUTH_TICKET_USED', resource_type: 'DownloadTicket' }),
      );
    });

    it('an expired link is refused (410 AUTH_TICKET_EXPIRED), audited, and streams nothing', async () => {
      const { link } = await requestLink(auditor.accessToken, { patientId });
      api.clock.advance(5 * 60_000 + 1_000);
      const late = await request(api.app.getHttpServer()).get(link.path);
      expect(late.status).toBe(410);
      expect(late.body).toMatchObject({ error: { errorCode: 'AUTH_TICKET_EXPIRED' } });
      expect(await auditEntriesOf(api.dataSource, String(late.headers['x-request-id']))).toContainEqual(
        expect.objectContaining({ action: 'audit.export', outcome: 'denied', reason: 'download link refused: AUTH_TICKET_EXPIRED' }),
      );
    });

    it("another user's link is refused (403 AUTH_TICKET_NOT_YOURS), audited as that user's attempt, and spent for its holder too", async () => {
      const { link } = await requestLink(auditor.accessToken, { patientId });
      const stolen = await request(api.app.getHttpServer()).get(link.path).set('authorization', `Bearer ${clinician.accessToken}`);
      expect(stolen.status).toBe(403);
      expect(stolen.body).toMatchObject({ error: { code: 'FORBIDDEN', errorCode: 'AUTH_TICKET_NOT_YOURS' } });
      expect(await auditEntriesOf(api.dataSource, String(stolen.headers['x-request-id']))).toContainEqual(
        expect.objectContaining({ action: 'audit.export', outcome: 'denied', actor_role: 'clinician', reason: 'download link refused: AUTH_TICKET_NOT_YOURS' }),
      );
      expect((await request(api.app.getHttpServer()).get(link.path)).status).toBe(410);
    });

    it('a link dies with the session it was issued in, and an unknown link is not found', async () => {
      const { link } = await requestLink(auditor.accessToken, { patientId });
      await gql(api, 'mutation { signOut }', { token: auditor.accessToken });
      const afterSignOut = await request(api.app.getHttpServer()).get(link.path);
      expect(afterSignOut.status).toBe(401);
      expect(afterSignOut.body).toMatchObject({ error: { errorCode: 'AUTH_SESSION_ENDED' } });
      const unknown = await request(api.app.getHttpServer()).get('/audit/export/cdt_not-a-real-link');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ error: { errorCode: 'AUTH_TICKET_INVALID' } });
      api.clock.advance(30_000); // a new TOTP step: the same code is never accepted twice
      auditor = await signIn(api, 'auditor@demo.clinloop.test');
    });

    it("only auditors may ask, and only within their organization: a clinician is FORBIDDEN, another organization's patient NOT_FOUND", async () => {
      const asClinician = await gql(api, REQUEST, { token: clinician.accessToken, variables: { input: { patientId } } });
      expect(errorCodeOf(asClinician)).toBe('AUTHZ_FORBIDDEN');
      const other = await api.dataSource.query<{ id: string }[]>("SELECT id FROM patients WHERE mrn = 'OTHER-0001'");
      const foreign = await gql(api, REQUEST, { token: auditor.accessToken, variables: { input: { patientId: other[0]?.id } } });
      expect(errorCodeOf(foreign)).toBe('AUTH_NOT_FOUND');
    });
  });
});

/** A streamed download, read to the end as text. */
async function download(call: request.Test): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const response = await call.buffer(true).parse((res, done) => {
    let text = '';
    res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    res.on('end', () => done(null, text));
  });
  return { status: response.status, headers: response.headers, text: String(response.body) };
}

/** The audit entries of an export, read as the verifier reads them (any format, either entry encoding). */
async function entriesOf(text: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const record of readExportRecords(chunks(text))) if (record.kind === 'entry') entries.push(record.entry);
  return entries;
}
