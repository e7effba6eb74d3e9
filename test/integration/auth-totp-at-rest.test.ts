import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp, TotpSecretCipher } from '@clinloop/auth';
import { DEMO_TOTP_SECRET } from '@clinloop/demo';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { containing, errorCodeOf, gql, seedDemoOrganization, signIn, signInResponse, startSecureApi, type SecureApi } from '../support/auth-api';

const TOTP_STEP_MS = 30_000;

interface CredentialRow {
  readonly email: string;
  readonly user_id: string;
  readonly totp_secret: string | null;
}

function credentials(api: SecureApi): Promise<CredentialRow[]> {
  return api.dataSource.query<CredentialRow[]>('SELECT u.email, c.user_id, c.totp_secret FROM user_credentials c JOIN users u ON u.id = c.user_id ORDER BY u.email');
}

/** TOTP secrets are encrypted at rest (AES-256-GCM, key from AUTH_TOTP_KEY_FILE) against real PostgreSQL. */
describe('TOTP secrets at rest (real PostgreSQL)', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let keyDir: string;
  let keyFile: string;
  let key: Buffer;

  beforeAll(async () => {
    keyDir = await mkdtemp(path.join(tmpdir(), 'clinloop-totp-'));
    key = TotpSecretCipher.generateKey();
    keyFile = path.join(keyDir, 'totp.key');
    await writeFile(keyFile, key.toString('base64'), { mode: 0o600 });
    database = await createTestDatabase();
    // Seeded before the API starts, as `clinloop start` does: the seed stores the demo secret in clear.
    await seedDemoOrganization(database.dataSource);
    api = await startSecureApi(database, { AUTH_TOTP_KEY_FILE: keyFile });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('the API encrypts clear secrets left from before when it starts, in one audited step', async () => {
    const rows = (await credentials(api)).filter((row) => row.totp_secret !== null);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row.totp_secret).toMatch(/^v1\./);
      expect(row.totp_secret).not.toContain(DEMO_TOTP_SECRET);
    }
    // Nothing in the table decodes to the secret either (base32 or base64 of it).
    const table = JSON.stringify(await api.dataSource.query('SELECT * FROM user_credentials'));
    expect(table).not.toContain(DEMO_TOTP_SECRET);
    expect(table).not.toContain(Buffer.from(DEMO_TOTP_SECRET).toString('base64'));
    const sweep = await api.dataSource.query<{ actor_id: string; payload: { count: number } }[]>("SELECT actor_id, payload FROM audit_entries WHERE action = 'auth.totp_secrets_encrypted'");
    expect(sweep).toEqual([containing({ actor_id: 'api:totp-secret-encryption', payload: containing({ count: rows.length, securityEvent: true }) })]);
  });

  it('staff still sign in with their authenticator code; a wrong code still fails', async () => {
    await expect(signIn(api, 'dr.rivera@demo.clinloop.test')).resolves.toMatchObject({ accessToken: expect.any(String) as unknown });
    api.clock.advance(TOTP_STEP_MS);
    expect(errorCodeOf(await signInResponse(api, 'np.okafor@demo.clinloop.test', { totpCode: '000000' }))).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('a new staff account gets a sealed secret; the secret shown once to the admin works', async () => {
    api.clock.advance(TOTP_STEP_MS);
    const admin = await signIn(api, 'admin@demo.clinloop.test');
    const created = await gql<{ createUser: { totpSecret: string; temporaryPassword: string } }>(
      api,
      'mutation C($input: CreateUserInput!) { createUser(input: $input) { temporaryPassword totpSecret } }',
      { token: admin.accessToken, variables: { input: { email: 'new.auditor@demo.clinloop.test', displayName: 'New Auditor', role: 'AUDITOR' } } },
    );
    const account = created.data?.createUser;
    if (!account) throw new Error(JSON.stringify(created.errors));
    const row = (await credentials(api)).find((candidate) => candidate.email === 'new.auditor@demo.clinloop.test');
    expect(row?.totp_secret).toMatch(/^v1\./);
    expect(row?.totp_secret).not.toContain(account.totpSecret);
    expect(new TotpSecretCipher(key).open(row?.totp_secret ?? '', row?.user_id ?? '')).toEqual({ secret: account.totpSecret, needsSealing: false });
    const first = await signInResponse(api, 'new.auditor@demo.clinloop.test', { password: account.temporaryPassword, totpCode: currentTotp(account.totpSecret, api.clock.now()) });
    expect(first.errors).toEqual([]);
  });

  it('a clear secret written later (an old seed) is sealed at that user\'s next sign-in', async () => {
    await api.dataSource.query("UPDATE user_credentials SET totp_secret = $1 WHERE user_id = (SELECT id FROM users WHERE email = 'auditor@demo.clinloop.test')", [DEMO_TOTP_SECRET]);
    api.clock.advance(TOTP_STEP_MS);
    await signIn(api, 'auditor@demo.clinloop.test');
    const row = (await credentials(api)).find((candidate) => candidate.email === 'auditor@demo.clinloop.test');
    expect(row?.totp_secret).toMatch(/^v1\./);
    expect(new TotpSecretCipher(key).open(row?.totp_secret ?? '', row?.user_id ?? '').secret).toBe(DEMO_TOTP_SECRET);
  });
});
