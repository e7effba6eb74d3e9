import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  applicationRoleUrl,
  AuditError,
  AuditErrorCode,
  AuditService,
  AuditSigner,
  canonicalJson,
  chainEntries,
  CheckpointService,
  EXPORT_FORMATS,
  exportFromDatabase,
  generateAuditSigner,
  insertEntries,
  lockChainHead,
  NO_FILTERS,
  readTrustedCheckpoints,
  SignedCheckpoint,
  startCheckpointSchedule,
  toAuditTimestamp,
  toEntryDraft,
  verifyDatabase,
  VerificationResult,
  verifyExport,
} from '@clinloop/audit';
import { withTransaction } from '@clinloop/database';
import { createAppDataSource } from '@clinloop/persistence';
import { appendInTransactions, PATIENTS, sampleInputs } from '../support/audit-fixtures';
import { chunksOf, collectRecords, entryPositions, renderExport, tamper } from '../support/audit-tampering';
import { createTestDatabase, TestDatabase } from '../support/database';

/**
 * The trail against a real PostgreSQL: appends through the application role, checkpoints, exports
 * in every format verified offline, and what the database itself refuses or reveals.
 */

let signer: AuditSigner;
let scratch: string;

beforeAll(async () => {
  signer = generateAuditSigner().signer;
  scratch = await mkdtemp(path.join(tmpdir(), 'clinloop-audit-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A database of its own, and a pool that works as the application role. */
async function openTrail(): Promise<{ database: TestDatabase; app: DataSource; drop(): Promise<void> }> {
  const database = await createTestDatabase();
  const app = createAppDataSource(applicationRoleUrl(database.url), { databasePoolSize: 3 }, 'clinloop-test-app');
  await app.initialize();
  return {
    database,
    app,
    drop: async () => {
      await app.destroy();
      await database.drop();
    },
  };
}

function checkpoints(dataSource: DataSource, file: string | null = null): CheckpointService {
  return new CheckpointService({ dataSource, signer, checkpointFile: file, publisher: null });
}

async function exportText(dataSource: DataSource, checkpoint: SignedCheckpoint, format: (typeof EXPORT_FORMATS)[number], filters = NO_FILTERS, trusted: readonly SignedCheckpoint[] = []): Promise<string> {
  const records = await collectRecords(exportFromDatabase(dataSource, { filters, checkpoint, trusted, signer, exportedAt: toAuditTimestamp(new Date()), pageSize: 7 }));
  return renderExport(records, format);
}

async function verifyText(text: string, trusted: readonly SignedCheckpoint[] = []): Promise<VerificationResult> {
  return verifyExport(chunksOf(text, 4096), { publicKey: signer.publicKey, trusted });
}

function outcome(result: VerificationResult): string {
  return result.ok ? 'verified' : `${result.reason} at ${String(result.seq)}`;
}

describe('appending', () => {
  let trail: Awaited<ReturnType<typeof openTrail>>;
  beforeAll(async () => {
    trail = await openTrail();
  });
  afterAll(async () => {
    await trail.drop();
  });

  it('runs as the application role', async () => {
    const [row] = await trail.app.query<{ role: string }[]>('SELECT current_user AS role');
    expect(row?.role).toBe('clinloop_app');
  });

  it('numbers a batch consecutively under one lock and chains it to the previous batch', async () => {
    const first = await appendInTransactions(trail.app, sampleInputs(3, 'first'), 3);
    const second = await appendInTransactions(trail.app, sampleInputs(1000, 'second'), 1000);
    expect(first.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(second[0]?.seq).toBe(4);
    expect(second[999]?.seq).toBe(1003);
    expect(second[0]?.prevHash).toBe(first[2]?.hash);
    expect(new Set(second.map((entry) => entry.recordedAt)).size).toBe(1);
    expect((second[0]?.recordedAt ?? '') >= (first[0]?.recordedAt ?? '~')).toBe(true);
  });

  it('rolls back with the change it records, leaving no gap', async () => {
    await expect(
      withTransaction(trail.app, async (manager) => {
        await new AuditService().append(manager, sampleInputs(2, 'rolled-back'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const [next] = await appendInTransactions(trail.app, sampleInputs(1, 'after-rollback'), 1);
    expect(next?.seq).toBe(1004);
  });

  it('refuses to append outside a transaction', async () => {
    const error = await new AuditService().append(trail.app.manager, sampleInputs(1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuditError);
    expect((error as AuditError).code).toBe(AuditErrorCode.NOT_IN_TRANSACTION);
  });

  it('stores exactly what it hashed (microsecond times, payload, nulls) so the live table verifies', async () => {
    const result = await verifyDatabase(trail.app, { publicKey: signer.publicKey, trusted: [] });
    expect(result).toMatchObject({ ok: true, entries: 1004 });
  });
});

describe('checkpoints, exports and verification', () => {
  let trail: Awaited<ReturnType<typeof openTrail>>;
  let checkpointFile: string;
  let first: SignedCheckpoint;
  let latest: SignedCheckpoint;

  beforeAll(async () => {
    trail = await openTrail();
    checkpointFile = path.join(scratch, 'checkpoints.jsonl');
    await appendInTransactions(trail.app, sampleInputs(23, 'a'), 5);
    first = (await checkpoints(trail.app, checkpointFile).createCheckpoint()).checkpoint;
    await appendInTransactions(trail.app, sampleInputs(18, 'b'), 4);
    latest = (await checkpoints(trail.app, checkpointFile).createCheckpoint()).checkpoint;
  });
  afterAll(async () => {
    await trail.drop();
  });

  it('signs a root over everything so far, keeps it and appends it to the checkpoint file', async () => {
    expect(first.treeSize).toBe(23);
    expect(latest.treeSize).toBe(41);
    const again = await checkpoints(trail.app, checkpointFile).createCheckpoint();
    expect(again).toEqual({ checkpoint: latest, created: false });
    expect(await readTrustedCheckpoints(checkpointFile, signer.publicKey)).toEqual([first, latest]);
    expect((await readFile(checkpointFile, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it.each(EXPORT_FORMATS)('%s: a full and a filtered export from the database verify offline', async (format) => {
    const full = await exportText(trail.app, latest, format);
    expect(await verifyText(full, [first])).toMatchObject({ ok: true, entries: 41 });
    const filtered = await exportText(trail.app, latest, format, { ...NO_FILTERS, patientId: PATIENTS[1] }, [first]);
    const result = await verifyText(filtered, [first]);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.entries).toBeGreaterThan(5);
  });

  it('filters by time, actor and action with an inclusion proof per entry', async () => {
    const byAction = await exportText(trail.app, latest, 'jsonl', { ...NO_FILTERS, action: 'readings.ingested' });
    expect(await verifyText(byAction)).toMatchObject({ ok: true });
    const lines = byAction.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const entries = lines.filter((line) => line.record === 'entry');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry) => (entry.entry as Record<string, unknown>).action === 'readings.ingested' && entry.proof !== null)).toBe(true);
    const future = await exportText(trail.app, latest, 'csv', { ...NO_FILTERS, from: '2999-01-01T00:00:00.000000Z' });
    expect(await verifyText(future)).toMatchObject({ ok: true, entries: 0 });
  });

  it('detects editing, deleting, inserting or reordering any single entry of a small export, naming its seq', async () => {
    const records = await collectRecords(exportFromDatabase(trail.app, { filters: NO_FILTERS, checkpoint: first, trusted: [], signer, exportedAt: first.issuedAt }));
    const positions = entryPositions(records);
    const last = positions.length;
    for (const [index, position] of positions.entries()) {
      const seq = index + 1;
      const results = {
        edit: outcome(await verifyText(renderExport(tamper(records, position, 'edit'), 'jsonl'))),
        rehash: outcome(await verifyText(renderExport(tamper(records, position, 'edit-and-rehash'), 'jsonl'))),
        delete: outcome(await verifyText(renderExport(tamper(records, position, 'delete'), 'jsonl'))),
        insert: outcome(await verifyText(renderExport(tamper(records, position, 'insert'), 'jsonl'))),
        swap: seq === last ? `reorder at ${seq}` : outcome(await verifyText(renderExport(tamper(records, position, 'swap-with-next'), 'jsonl'))),
      };
      expect(results, `entry ${seq}`).toEqual({
        edit: `hash-mismatch at ${seq}`,
        rehash: seq === last ? `checkpoint-mismatch at ${seq}` : `broken-link at ${seq}`,
        delete: seq === last ? `truncated at ${seq}` : `gap at ${seq}`,
        insert: `reorder at ${seq}`,
        swap: `reorder at ${seq}`,
      });
    }
  });

  it('detects a truncated export and a forged checkpoint signature', async () => {
    const text = await exportText(trail.app, latest, 'jsonl');
    const lines = text.split('\n');
    expect(outcome(await verifyText(lines.slice(0, 30).join('\n')))).toBe('truncated at 30');
    const forged = text.replace(latest.signature, generateAuditSigner().signer.sign(Buffer.from('forged')).toString('base64'));
    expect(outcome(await verifyText(forged))).toBe('bad-signature at 41');
  });
});

describe('a trail written under encoding 1 and continued under encoding 2', () => {
  let trail: Awaited<ReturnType<typeof openTrail>>;
  let older: SignedCheckpoint;
  let latest: SignedCheckpoint;

  beforeAll(async () => {
    trail = await openTrail();
    // What the previous release appended: the same statements, hashed under encoding 1.
    for (let start = 0; start < 12; start += 4) {
      await withTransaction(trail.app, async (manager) => {
        const drafts = sampleInputs(12, 'v1').slice(start, start + 4).map(toEntryDraft);
        const head = await lockChainHead(manager);
        await insertEntries(manager, chainEntries(drafts, head, head.now, 1), drafts.map((draft) => canonicalJson(draft.payload)));
      });
    }
    older = (await checkpoints(trail.app).createCheckpoint()).checkpoint;
    await appendInTransactions(trail.app, sampleInputs(13, 'v2'), 5);
    latest = (await checkpoints(trail.app).createCheckpoint()).checkpoint;
  });
  afterAll(async () => {
    await trail.drop();
  });

  it('keeps each entry under the encoding it was written with', async () => {
    const rows = await trail.app.query<{ encoding: number; entries: string; first: string; last: string }[]>(
      `SELECT encoding, count(*)::text AS entries, min(seq)::text AS first, max(seq)::text AS last FROM audit_entries GROUP BY encoding ORDER BY encoding`,
    );
    expect(rows).toEqual([
      { encoding: 1, entries: '12', first: '1', last: '12' },
      { encoding: 2, entries: '13', first: '13', last: '25' },
    ]);
  });

  it('verifies in the database, against the checkpoint signed over the encoding 1 entries', async () => {
    expect(await verifyDatabase(trail.app, { publicKey: signer.publicKey, trusted: [older] })).toMatchObject({ ok: true, entries: 25 });
  });

  it.each(EXPORT_FORMATS)('%s: full and filtered exports verify offline', async (format) => {
    expect(await verifyText(await exportText(trail.app, latest, format), [older])).toMatchObject({ ok: true, entries: 25 });
    const filtered = await exportText(trail.app, latest, format, { ...NO_FILTERS, patientId: PATIENTS[0] }, [older]);
    expect(await verifyText(filtered, [older])).toMatchObject({ ok: true });
  });

  it('detects any single-entry tampering on either side of the change, naming its seq', async () => {
    const records = await collectRecords(exportFromDatabase(trail.app, { filters: NO_FILTERS, checkpoint: latest, trusted: [], signer, exportedAt: latest.issuedAt }));
    const positions = entryPositions(records);
    for (const [index, position] of positions.entries()) {
      const seq = index + 1;
      if (seq !== 1 && seq !== 12 && seq !== 13 && seq !== 25) continue;
      for (const format of EXPORT_FORMATS) {
        expect(outcome(await verifyText(renderExport(tamper(records, position, 'edit'), format))), `${format} entry ${seq}`).toBe(`hash-mismatch at ${seq}`);
        expect(outcome(await verifyText(renderExport(tamper(records, position, 'delete'), format))), `${format} entry ${seq}`).toBe(seq === 25 ? `truncated at ${seq}` : `gap at ${seq}`);
        expect(outcome(await verifyText(renderExport(tamper(records, position, 'insert'), format))), `${format} entry ${seq}`).toBe(`reorder at ${seq}`);
      }
    }
  });
});

describe('what the database refuses', () => {
  let trail: Awaited<ReturnType<typeof openTrail>>;
  beforeAll(async () => {
    trail = await openTrail();
    await appendInTransactions(trail.app, sampleInputs(6), 3);
    await checkpoints(trail.app).createCheckpoint();
  });
  afterAll(async () => {
    await trail.drop();
  });

  it.each([
    ['UPDATE', `UPDATE audit_entries SET reason = 'changed' WHERE seq = 2`],
    ['DELETE', `DELETE FROM audit_entries WHERE seq = 2`],
    ['TRUNCATE', `TRUNCATE audit_entries`],
    ['UPDATE of a checkpoint', `UPDATE audit_checkpoints SET key_id = 'x'`],
    ['DELETE of Merkle nodes', `DELETE FROM audit_merkle_nodes`],
    ['moving the chain head back', `UPDATE audit_chain_head SET last_seq = 1`],
  ])('the application role may not %s', async (_what, sql) => {
    await expect(trail.app.query(sql)).rejects.toThrow(/permission denied|only moves forward/);
  });

  it.each([
    ['UPDATE', `UPDATE audit_entries SET reason = 'changed' WHERE seq = 2`],
    ['DELETE', `DELETE FROM audit_entries WHERE seq = 2`],
    ['TRUNCATE', `TRUNCATE audit_entries`],
    ['TRUNCATE of checkpoints', `TRUNCATE audit_checkpoints`],
    ['moving the chain head back', `UPDATE audit_chain_head SET last_seq = 1`],
  ])('the trigger refuses %s even to the table owner (superuser)', async (_what, sql) => {
    await expect(trail.database.dataSource.query(sql)).rejects.toThrow(/append-only|only moves forward/);
  });

  it('leaves the trail intact after all those attempts', async () => {
    expect(await verifyDatabase(trail.app, { publicKey: signer.publicKey, trusted: [] })).toMatchObject({ ok: true, entries: 6 });
  });
});

describe('what a superuser does behind the trigger’s back', () => {
  async function tamperedTrail(sql: string): Promise<{ result: VerificationResult; trusted: SignedCheckpoint }> {
    const trail = await openTrail();
    try {
      await appendInTransactions(trail.app, sampleInputs(9), 2);
      const trusted = (await checkpoints(trail.app).createCheckpoint()).checkpoint;
      await appendInTransactions(trail.app, sampleInputs(3, 'later'), 3);
      const superuser = trail.database.dataSource;
      await superuser.query(`ALTER TABLE audit_entries DISABLE TRIGGER USER`);
      await superuser.query(`ALTER TABLE audit_chain_head DISABLE TRIGGER USER`);
      await superuser.query(sql);
      await superuser.query(`ALTER TABLE audit_entries ENABLE TRIGGER USER`);
      await superuser.query(`ALTER TABLE audit_chain_head ENABLE TRIGGER USER`);
      return { result: await verifyDatabase(trail.app, { publicKey: signer.publicKey, trusted: [trusted] }), trusted };
    } finally {
      await trail.drop();
    }
  }

  it.each([
    ['an edited field', `UPDATE audit_entries SET reason = 'nothing happened' WHERE seq = 4`, 'hash-mismatch at 4'],
    ['an edited time (one microsecond)', `UPDATE audit_entries SET recorded_at = recorded_at + interval '1 microsecond' WHERE seq = 7`, 'hash-mismatch at 7'],
    ['a deleted entry', `DELETE FROM audit_entries WHERE seq = 5`, 'gap at 5'],
    ['deleted newest entries, head left alone', `DELETE FROM audit_entries WHERE seq > 10`, 'truncated at 11'],
    ['deleted entries a checkpoint covers', `DELETE FROM audit_entries WHERE seq > 8; UPDATE audit_chain_head SET last_seq = 8, last_hash = (SELECT hash FROM audit_entries WHERE seq = 8)`, 'truncated at 9'],
    ['two entries swapped', `UPDATE audit_entries SET seq = seq + 1000 WHERE seq IN (2, 3); UPDATE audit_entries SET seq = 1005 - seq WHERE seq IN (1002, 1003)`, 'hash-mismatch at 2'],
    ['a row inserted beyond the head', `INSERT INTO audit_entries SELECT seq + 100, recorded_at, actor_type, actor_id, actor_role, actor_organization_id, action, resource_type, resource_id, patient_id, outcome, reason, request_id, payload, prev_hash, hash, encoding FROM audit_entries WHERE seq = 12`, 'gap at 13'],
    ['an entry presented under the other encoding', `UPDATE audit_entries SET encoding = 1 WHERE seq = 6`, 'hash-mismatch at 6'],
  ])('is caught by verify --db: %s', async (_what, sql, expected) => {
    const { result } = await tamperedTrail(sql);
    expect(outcome(result)).toBe(expected);
  });

  it('cannot see newest entries removed together with the head before any checkpoint covered them: the window checkpoints close', async () => {
    const { result } = await tamperedTrail(`DELETE FROM audit_entries WHERE seq > 10; UPDATE audit_chain_head SET last_seq = 10, last_hash = (SELECT hash FROM audit_entries WHERE seq = 10)`);
    expect(outcome(result)).toBe('verified');
  });

  it('a history rewritten and re-signed with the key still fails against the checkpoint the auditor kept', async () => {
    const trail = await openTrail();
    try {
      await appendInTransactions(trail.app, sampleInputs(9), 3);
      const kept = (await checkpoints(trail.app).createCheckpoint()).checkpoint;
      // Rewrite seq 3 and everything after it, with correct hashes, then sign a fresh checkpoint.
      const superuser = trail.database.dataSource;
      for (const table of ['audit_entries', 'audit_chain_head', 'audit_checkpoints', 'audit_merkle_nodes']) await superuser.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      await superuser.query(`DELETE FROM audit_entries WHERE seq >= 3`);
      await superuser.query(`DELETE FROM audit_checkpoints`);
      await superuser.query(`DELETE FROM audit_merkle_nodes`);
      await superuser.query(`UPDATE audit_chain_head SET last_seq = 2, last_hash = (SELECT hash FROM audit_entries WHERE seq = 2)`);
      for (const table of ['audit_entries', 'audit_chain_head', 'audit_checkpoints', 'audit_merkle_nodes']) await superuser.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
      await appendInTransactions(trail.app, sampleInputs(7, 'rewritten'), 7);
      const resigned = (await checkpoints(trail.app).createCheckpoint()).checkpoint;
      expect(resigned.treeSize).toBe(kept.treeSize);

      expect(outcome(await verifyDatabase(trail.app, { publicKey: signer.publicKey, trusted: [] }))).toBe('verified');
      expect(outcome(await verifyDatabase(trail.app, { publicKey: signer.publicKey, trusted: [kept] }))).toBe('inconsistent at 9');
      const exported = await exportText(trail.app, resigned, 'jsonl');
      expect(outcome(await verifyText(exported))).toBe('verified');
      expect(outcome(await verifyText(exported, [kept]))).toBe('inconsistent at 9');
    } finally {
      await trail.drop();
    }
  });
});

describe('the checkpoint schedule', () => {
  let trail: Awaited<ReturnType<typeof openTrail>>;
  beforeAll(async () => {
    trail = await openTrail();
  });
  afterAll(async () => {
    await trail.drop();
  });

  it('signs every N entries, or after the interval when fewer arrived', async () => {
    const signed: number[] = [];
    const errors: unknown[] = [];
    const byCount = startCheckpointSchedule(checkpoints(trail.app), { everyEntries: 10, intervalMs: 60_000, pollMs: 40, onCheckpoint: (checkpoint) => signed.push(checkpoint.treeSize), onError: (error) => errors.push(error) });
    try {
      await appendInTransactions(trail.app, sampleInputs(4), 4);
      await vi.waitFor(() => expect(signed).toEqual([4]), { timeout: 5000 }); // the first checkpoint is due at once
      await appendInTransactions(trail.app, sampleInputs(5), 5);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(signed).toEqual([4]); // 5 < 10 and the minute has not passed
      await appendInTransactions(trail.app, sampleInputs(6), 6);
      await vi.waitFor(() => expect(signed).toEqual([4, 15]), { timeout: 5000 });
    } finally {
      await byCount.stop();
    }
    const byTime = startCheckpointSchedule(checkpoints(trail.app), { everyEntries: 1000, intervalMs: 300, pollMs: 40, onCheckpoint: (checkpoint) => signed.push(checkpoint.treeSize), onError: (error) => errors.push(error) });
    try {
      await appendInTransactions(trail.app, sampleInputs(1), 1);
      await vi.waitFor(() => expect(signed).toEqual([4, 15, 16]), { timeout: 5000 });
    } finally {
      await byTime.stop();
    }
    expect(errors).toEqual([]);
  });
});
