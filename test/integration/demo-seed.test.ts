import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditSigner, verifyDatabase } from '@clinloop/audit';
import { DEMO_PATIENTS, DEMO_STAFF, seedDemo } from '@clinloop/demo';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('clinloop seed --demo', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  const auditedActions = async (): Promise<{ action: string; patient_id: string | null }[]> =>
    database.dataSource.query('SELECT action, patient_id FROM audit_entries ORDER BY seq');

  it('writes the demo organization and its audit trail in one go, and is idempotent', async () => {
    const first = await seedDemo(database.dataSource, new Date('2026-11-23T09:00:00Z'));
    expect(first.created).toBe(true);
    const trail = await auditedActions();
    expect(trail.filter((entry) => entry.action === 'patient.create')).toHaveLength(DEMO_PATIENTS.length);
    expect(trail.filter((entry) => entry.action === 'user.create')).toHaveLength(DEMO_STAFF.length + DEMO_PATIENTS.length);
    expect(trail.filter((entry) => entry.action === 'regimen_version.create').every((entry) => entry.patient_id !== null)).toBe(true);
    expect(trail.map((entry) => entry.action)).toContain('organization.create');

    const second = await seedDemo(database.dataSource, new Date('2026-11-23T10:00:00Z'));
    expect(second).toMatchObject({ created: false, organizationId: first.organizationId });
    expect(await auditedActions()).toHaveLength(trail.length);
  });

  it('leaves a chain that verifies', async () => {
    const { signer } = generateAuditSigner();
    const result = await verifyDatabase(database.dataSource, { publicKey: signer.publicKey, trusted: [] });
    expect(result).toMatchObject({ ok: true });
  });
});
