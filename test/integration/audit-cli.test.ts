import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCheckpoint, readTrustedCheckpoints, readPublicKeyFile, SignedCheckpoint } from '@clinloop/audit';
import { Topics } from '@clinloop/messaging';
import { registerAuditCommands } from '../../apps/cli/src/commands/audit.command';
import { appendInTransactions, PATIENTS, sampleInputs } from '../support/audit-fixtures';
import { createTestDatabase, TestDatabase } from '../support/database';
import { runCommandInProcess, type CommandRunResult } from '../support/cli-in-process';

/**
 * The `clinloop audit` commands end to end: a real PostgreSQL (DATABASE_URL), a real Kafka broker
 * for the published checkpoints, and the files an auditor would get, verified with the public key.
 */

const run = (...args: string[]): Promise<CommandRunResult> => runCommandInProcess(registerAuditCommands, args);

/** The checkpoints on the topic signed by this test's key (the broker may hold other runs' messages). */
async function publishedCheckpoints(brokers: string[], keyId: string, atLeast: number): Promise<SignedCheckpoint[]> {
  const kafka = new Kafka({ clientId: `audit-cli-test-${keyId}`, brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `audit-cli-test-${keyId}` });
  const found: SignedCheckpoint[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: Topics.auditCheckpoints.name, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`only ${found.length} checkpoints of key ${keyId} arrived`)), 30_000);
      void consumer.run({
        eachMessage: ({ message }) => {
          const checkpoint = parseCheckpoint(JSON.parse(message.value?.toString('utf8') ?? 'null'));
          if (typeof checkpoint !== 'string' && checkpoint.keyId === keyId && message.key?.toString() === 'clinloop-audit') found.push(checkpoint);
          if (found.length >= atLeast) {
            clearTimeout(timeout);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
}

describe('clinloop audit', () => {
  let database: TestDatabase;
  let dataDir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'clinloop-audit-cli-'));
    Object.assign(process.env, { DATABASE_URL: database.url, DATA_DIR: dataDir, KAFKA_BROKERS: inject('kafkaBrokers'), NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    await appendInTransactions(database.dataSource, sampleInputs(30), 10);
  });

  afterAll(async () => {
    process.env = saved;
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('checkpoint signs with a generated development key, appends to the checkpoint file and publishes to Kafka', async () => {
    const result = await run('audit', 'checkpoint');
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toMatch(/Generated a development audit signing key in .*audit-signing-key\.pem/);
    expect(result.stdout).toMatch(/Signed checkpoint 30 \(root [0-9a-f]{64}, key [0-9a-f]{16}\) and published it\./);
    const publicKey = await readPublicKeyFile(path.join(dataDir, 'audit-signing-key.pem.pub'));
    const [kept] = await readTrustedCheckpoints(path.join(dataDir, 'audit-checkpoints.jsonl'), publicKey);
    expect(kept?.treeSize).toBe(30);
    const published = await publishedCheckpoints(inject('kafkaBrokers').split(','), kept?.keyId ?? '', 1);
    expect(published).toEqual([kept]);

    expect((await run('audit', 'checkpoint')).stdout).toContain('Checkpoint 30 already covers every entry');
  });

  it('export writes files that verify offline with only the public key, against the checkpoints the auditor kept', async () => {
    await appendInTransactions(database.dataSource, sampleInputs(12, 'more'), 4);
    const publicKeyFile = path.join(dataDir, 'audit-signing-key.pem.pub');
    const trusted = path.join(dataDir, 'audit-checkpoints.jsonl');
    const full = path.join(dataDir, 'full.csv');
    const filtered = path.join(dataDir, 'patient.fhir.json');

    expect(await run('audit', 'export', '--format', 'csv', '--out', full)).toMatchObject({ exitCode: 0 });
    expect((await readFile(full, 'utf8')).split('\n')[0]).toMatch(/^record,seq,recorded_at,/);
    const exported = await run('audit', 'export', '--format', 'fhir', '--out', filtered, '--patient', PATIENTS[0], '--from', '2000-01-01', '--trusted', trusted);
    expect(exported.stdout).toMatch(/^Exported \d+ entries \(filtered\) covered by checkpoint 42/m);

    for (const file of [full, filtered]) {
      const verified = await run('audit', 'verify', file, '--public-key', publicKeyFile, '--trusted', trusted);
      // The file now holds checkpoint 30 and the one the first export signed (42).
      expect(verified.stdout, file).toMatch(/^OK .*consistent with 2 trusted checkpoint/);
      expect(verified.exitCode).toBe(0);
    }
  });

  it('verify --db passes on the live table and fails, naming the seq, after a superuser edit', async () => {
    expect(await run('audit', 'verify', '--db')).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^OK database trail of 42 entries intact/) as unknown });
    const superuser = database.dataSource;
    await superuser.query(`ALTER TABLE audit_entries DISABLE TRIGGER USER`);
    await superuser.query(`UPDATE audit_entries SET outcome = 'success' WHERE seq = 17`);
    await superuser.query(`UPDATE audit_entries SET payload = payload || '{"index": 0}' WHERE seq = 21`);
    await superuser.query(`ALTER TABLE audit_entries ENABLE TRIGGER USER`);
    const result = await run('audit', 'verify', '--db', '--trusted', path.join(dataDir, 'audit-checkpoints.jsonl'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^FAILED at seq (17|21) \(hash-mismatch\)/);
  });
});
