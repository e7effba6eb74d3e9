import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applicationRoleUrl,
  AuditEntry,
  AuditEntryInput,
  AuditError,
  AuditErrorCode,
  AuditSigner,
  CheckpointService,
  EXPORT_FORMATS,
  exportFromDatabase,
  generateAuditSigner,
  SignedCheckpoint,
  readExportRecords,
  toAuditTimestamp,
  verifyExport,
} from '@clinloop/audit';
import { createAppDataSource } from '@clinloop/persistence';
import { appendInTransactions } from '../support/audit-fixtures';
import { chunksOf, collectRecords, renderExport } from '../support/audit-tampering';
import { createTestDatabase, TestDatabase } from '../support/database';

/**
 * The organization filter (issue 5's auditor API scopes exports with it): an entry belongs to an
 * organization when one of its users or components wrote it, or when it is about one of its
 * patients - which only the patients table knows, so this runs against PostgreSQL.
 */

let database: TestDatabase;
let app: DataSource;
let signer: AuditSigner;
let checkpoint: SignedCheckpoint;
let appended: AuditEntry[];
const organizations: { north: string; south: string } = { north: '', south: '' };
const patients: { north: string; south: string } = { north: '', south: '' };

async function insertOrganization(slug: string): Promise<{ organizationId: string; patientId: string }> {
  const [organization] = await database.dataSource.query<{ id: string }[]>(`INSERT INTO organizations (slug, name) VALUES ($1, $1) RETURNING id`, [slug]);
  if (!organization) throw new Error('no organization inserted');
  const [patient] = await database.dataSource.query<{ id: string }[]>(
    `INSERT INTO patients (organization_id, mrn, given_name, family_name, time_zone) VALUES ($1, 'mrn-1', 'Test', 'Patient', 'Europe/Berlin') RETURNING id`,
    [organization.id],
  );
  if (!patient) throw new Error('no patient inserted');
  return { organizationId: organization.id, patientId: patient.id };
}

/** Which organization each entry is about: N = north only, S = south only. Order is the chain's. */
function inputs(): { input: AuditEntryInput; owner: 'north' | 'south' }[] {
  const user = (organization: string, userId: string): AuditEntryInput['actor'] => ({ type: 'user', userId, role: 'clinician', organizationId: organization });
  const northUser = user(organizations.north, 'c0ffee00-0000-4000-8000-00000000000a');
  const southUser = user(organizations.south, 'c0ffee00-0000-4000-8000-00000000000b');
  const read = (actor: AuditEntryInput['actor'], patientId: string | null, index: number): AuditEntryInput => ({
    actor,
    action: 'patient.read',
    resource: { type: 'patient', id: patientId },
    patientId,
    outcome: 'success',
    payload: { index },
  });
  return [
    { input: read(northUser, patients.north, 0), owner: 'north' },
    { input: read(southUser, patients.south, 1), owner: 'south' },
    // A component without an organization working on a north patient: north's by its patient.
    { input: read({ type: 'system', component: 'worker.readings' }, patients.north, 2), owner: 'north' },
    // A south component acting without a patient: south's by its actor.
    { input: read({ type: 'system', component: 'worker.alerts', organizationId: organizations.south }, null, 3), owner: 'south' },
    { input: read(northUser, null, 4), owner: 'north' },
    { input: read({ type: 'system', component: 'worker.readings' }, patients.south, 5), owner: 'south' },
    { input: read(southUser, patients.south, 6), owner: 'south' },
    { input: read(northUser, patients.north, 7), owner: 'north' },
  ];
}

let owners: ('north' | 'south')[];

beforeAll(async () => {
  database = await createTestDatabase();
  app = createAppDataSource(applicationRoleUrl(database.url), { databasePoolSize: 2 }, 'clinloop-test-app');
  await app.initialize();
  signer = generateAuditSigner().signer;
  const north = await insertOrganization('north');
  const south = await insertOrganization('south');
  Object.assign(organizations, { north: north.organizationId, south: south.organizationId });
  Object.assign(patients, { north: north.patientId, south: south.patientId });
  const planned = inputs();
  owners = planned.map((item) => item.owner);
  appended = await appendInTransactions(app, planned.map((item) => item.input), 3);
  ({ checkpoint } = await new CheckpointService({ dataSource: app, signer, checkpointFile: null, publisher: null }).createCheckpoint());
});

afterAll(async () => {
  await app.destroy();
  await database.drop();
});

async function organizationExport(organizationId: string, format: (typeof EXPORT_FORMATS)[number]): Promise<string> {
  const records = exportFromDatabase(app, { filters: { organizationId }, checkpoint, trusted: [], signer, exportedAt: toAuditTimestamp(new Date()), pageSize: 2 });
  return renderExport(await collectRecords(records), format);
}

/** The sequence numbers of an export's entries, read as the verifier reads them. */
async function exportedSeqs(text: string): Promise<number[]> {
  const seqs: number[] = [];
  for await (const record of readExportRecords(chunksOf(text, 1000))) if (record.kind === 'entry') seqs.push(record.entry.seq);
  return seqs;
}

describe('exporting one organization', () => {
  it('holds exactly the entries its actors wrote or that concern its patients, never one of the other organization', async () => {
    for (const organization of ['north', 'south'] as const) {
      const text = await organizationExport(organizations[organization], 'jsonl');
      const expected = appended.filter((_, index) => owners[index] === organization).map((entry) => entry.seq);
      expect(expected.length).toBeGreaterThan(2);
      expect(await exportedSeqs(text)).toEqual(expected);
    }
  });

  it.each(EXPORT_FORMATS)('%s: is a filtered export whose header names the organization, and verifies offline', async (format) => {
    const text = await organizationExport(organizations.south, format);
    const result = await verifyExport(chunksOf(text, 1000), { publicKey: signer.publicKey, trusted: [] });
    expect(result).toMatchObject({ ok: true, entries: owners.filter((owner) => owner === 'south').length });
    if (result.ok) expect(result.summary).toMatch(/^filtered export of 4 entries, each proven/);
  });

  it('signs the organization into the manifest: relabelling the export for the other organization is detected', async () => {
    const text = await organizationExport(organizations.north, 'jsonl');
    const [headerLine, ...rest] = text.split('\n');
    const header = JSON.parse(headerLine ?? '') as { filters: Record<string, unknown> };
    expect(header.filters).toEqual({ from: null, to: null, patientId: null, actorId: null, action: null, organizationId: organizations.north });
    header.filters.organizationId = organizations.south;
    const relabelled = [JSON.stringify(header), ...rest].join('\n');
    const result = await verifyExport(chunksOf(relabelled, 1000), { publicKey: signer.publicKey, trusted: [] });
    expect(result).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses an organization id that is not a UUID', async () => {
    const records = exportFromDatabase(app, { filters: { organizationId: 'north' }, checkpoint, trusted: [], signer, exportedAt: toAuditTimestamp(new Date()) });
    await expect(collectRecords(records)).rejects.toSatisfy((error: unknown) => error instanceof AuditError && error.code === AuditErrorCode.INVALID_EXPORT_REQUEST);
  });
});
