import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry, generateAuditSigner, streamEntries, verifyDatabase } from '@clinloop/audit';
import { createTestDatabase, TestDatabase } from '../support/database';

const ROOT = path.resolve(__dirname, '../..');
const WRITERS = ['alpha', 'bravo', 'charlie'] as const;
const TRANSACTIONS_PER_WRITER = 60;

function runWriter(url: string, label: string, startAt: number): Promise<{ label: string; appended: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'test/support/audit-append-worker.ts'), url, label, String(TRANSACTIONS_PER_WRITER), String(startAt)], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(stdout.trim()) as { label: string; appended: number });
      else reject(new Error(`writer ${label} exited with ${String(code)}: ${stderr}`));
    });
  });
}

describe('several OS processes appending at once', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('produce one unbroken chain with every batch contiguous', async () => {
    // Children need a few seconds to load TypeScript; they all start appending at the same moment.
    const startAt = Date.now() + 8000;
    const results = await Promise.all(WRITERS.map((label) => runWriter(database.url, label, startAt)));
    const total = results.reduce((sum, result) => sum + result.appended, 0);

    const verification = await verifyDatabase(database.dataSource, { publicKey: generateAuditSigner().signer.publicKey, trusted: [] });
    expect(verification).toMatchObject({ ok: true, entries: total });

    const entries: AuditEntry[] = [];
    for await (const page of streamEntries(database.dataSource, { afterSeq: 0, upToSeq: Number.MAX_SAFE_INTEGER })) entries.push(...page);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: total }, (_, index) => index + 1));

    // Each batch is one run of consecutive sequence numbers, never interleaved with another writer's.
    const batches = new Map<string, number[]>();
    for (const entry of entries) {
      const key = JSON.stringify([entry.payload.writer, entry.payload.batch]);
      batches.set(key, [...(batches.get(key) ?? []), entry.seq]);
    }
    expect(batches.size).toBe(WRITERS.length * TRANSACTIONS_PER_WRITER);
    for (const [key, seqs] of batches) {
      expect(seqs, key).toEqual(seqs.map((_, index) => (seqs[0] ?? 0) + index));
    }
    // The writers really overlapped: their batches alternate in the chain.
    const writerChanges = entries.filter((entry, index) => index > 0 && entry.payload.writer !== entries[index - 1]?.payload.writer).length;
    expect(writerChanges).toBeGreaterThan(WRITERS.length);
    // Times never run backwards along the chain.
    expect(entries.every((entry, index) => index === 0 || entry.recordedAt >= (entries[index - 1]?.recordedAt ?? ''))).toBe(true);
  }, 120_000);
});
