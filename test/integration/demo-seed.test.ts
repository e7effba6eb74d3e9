import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditSigner, verifyDatabase } from '@clinloop/audit';
import { TotpSecretCipher } from '@clinloop/auth';
import { DEMO_PATIENTS, DEMO_STAFF, DEMO_TOTP_SECRET, seedDemo, seedDemoReadings } from '@clinloop/demo';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { countRows, TEST_POLICY } from '../support/ingestion-fixtures';

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
    const cipher = new TotpSecretCipher(TotpSecretCipher.generateKey());
    const first = await seedDemo(database.dataSource, new Date('2026-11-23T09:00:00Z'), { totpCipher: cipher });
    expect(first.created).toBe(true);
    // Staff TOTP secrets are sealed with the API's key, never stored in clear.
    const secrets = await database.dataSource.query<{ user_id: string; totp_secret: string }[]>('SELECT user_id, totp_secret FROM user_credentials WHERE totp_secret IS NOT NULL');
    expect(secrets.length).toBeGreaterThan(0);
    for (const row of secrets) {
      expect(row.totp_secret).not.toContain(DEMO_TOTP_SECRET);
      expect(cipher.open(row.totp_secret, row.user_id)).toMatchObject({ secret: DEMO_TOTP_SECRET });
    }
    const trail = await auditedActions();
    expect(trail.filter((entry) => entry.action === 'patient.create')).toHaveLength(DEMO_PATIENTS.length);
    expect(trail.filter((entry) => entry.action === 'user.create')).toHaveLength(DEMO_STAFF.length + DEMO_PATIENTS.length);
    expect(trail.filter((entry) => entry.action === 'regimen_version.create').every((entry) => entry.patient_id !== null)).toBe(true);
    expect(trail.map((entry) => entry.action)).toContain('organization.create');

    const second = await seedDemo(database.dataSource, new Date('2026-11-23T10:00:00Z'));
    expect(second).toMatchObject({ created: false, organizationId: first.organizationId });
    expect(await auditedActions()).toHaveLength(trail.length);
  });

  it('fills 30 days of readings through the ingest path, audited per batch; a second run stores nothing', async () => {
    const now = new Date();
    const observations = () =>
      database.dataSource.query<{ mrn: string; readings: string; counting: string; late: string; sources: string[] }[]>(
        `SELECT p.mrn, count(o.id) AS readings, count(o.id) FILTER (WHERE o.counts_toward_decisions) AS counting, count(o.id) FILTER (WHERE o.late) AS late,
                array_agg(DISTINCT o.source) AS sources
           FROM patients p JOIN observations o ON o.patient_id = p.id GROUP BY p.mrn ORDER BY p.mrn`,
      );
    const ingestAudits = () => countRows(database.dataSource, `SELECT count(*) FROM audit_entries WHERE action = 'observations.ingest'`);

    const first = await seedDemoReadings(database.dataSource, { now, policy: TEST_POLICY });
    // 2 sessions of 2-3 readings a day for 30 days; today's later sessions are not measured yet.
    expect(first).toMatchObject({ patients: DEMO_PATIENTS.length, duplicates: 0, rejected: 0 });
    expect(first.stored).toBeGreaterThanOrEqual(DEMO_PATIENTS.length * 29 * 4);
    expect(first.stored).toBeLessThanOrEqual(DEMO_PATIENTS.length * 30 * 6);
    const stored = await observations();
    expect(stored.map((row) => row.mrn)).toEqual(DEMO_PATIENTS.map((patient) => patient.mrn));
    for (const row of stored) {
      expect(row.sources).toEqual(['device']);
      expect(Number(row.late)).toBe(0);
      // The cuffless wearable's readings are supporting data; the validated cuffs' all count.
      expect(Number(row.counting)).toBe(row.mrn === 'DEMO-0004' ? 0 : Number(row.readings));
    }
    expect(await ingestAudits()).toBe(DEMO_PATIENTS.length);

    const second = await seedDemoReadings(database.dataSource, { now, policy: TEST_POLICY });
    expect(second).toEqual({ patients: DEMO_PATIENTS.length, stored: 0, duplicates: first.stored, rejected: 0 });
    expect(await observations()).toEqual(stored);
    expect(await ingestAudits()).toBe(DEMO_PATIENTS.length);

    const [windows] = await database.dataSource.query<{ sessions_30d: number; adherence_7d: number; session_mean_sbp_30d: number }[]>(
      `SELECT w.sessions_30d, w.adherence_7d, w.session_mean_sbp_30d FROM patient_feature_windows w JOIN patients p ON p.id = w.patient_id WHERE p.mrn = 'DEMO-0001'`,
    );
    expect(windows?.sessions_30d).toBeGreaterThanOrEqual(58);
    expect(windows?.adherence_7d).toBeGreaterThanOrEqual(6 / 7);
    expect(windows?.session_mean_sbp_30d).toBeGreaterThan(135);
  });

  it('leaves a chain that verifies', async () => {
    const { signer } = generateAuditSigner();
    const result = await verifyDatabase(database.dataSource, { publicKey: signer.publicKey, trusted: [] });
    expect(result).toMatchObject({ ok: true });
  });
});
