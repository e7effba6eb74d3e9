/**
 * Audit trail benchmark (issue 4).
 *
 * 1. Append throughput through the production API (withTransaction + AuditService.append, as the
 *    application role) at 1, 100 and 1000 entries per transaction, synchronous_commit on, in a
 *    database of its own (created and dropped here). Goal: 1000 per transaction >= 20x the rate of
 *    one per transaction.
 * 2. Verification speed in entries/s next to one plain SHA-256 per entry over the very same bytes,
 *    in the same process, rounds alternating. Goal: >= 50% of raw. Raw is single-threaded: one
 *    `crypto.hash` call per entry over 0x00 || tag || canonical JSON text (entry encoding 2, what
 *    new entries are written as), the buffers built beforehand.
 *    (a) in memory: re-encode every entry canonically, SHA-256 it, check the link, fold it into the
 *        Merkle root, compare with the signed checkpoint (one thread);
 *    (b) what an auditor runs: the same trail written to a JSON Lines export file and verified by
 *        `verifyExportFile`, the function `clinloop audit verify FILE` calls, with its defaults: the
 *        file (from the page cache after the first round) is cut into segments at line starts, each
 *        read a megabyte at a time and checked on its own - each entry line's text hashed as it
 *        stands in the read buffer (no JSON parsing), its seq and prevHash compared in place, its
 *        hash folded into the complete Merkle subtrees inside the segment - and joined to the chain
 *        in order, then tree root, entries digest and manifest signature. Files of 16 MiB or more
 *        (this one is about 63 MiB for 100,000 entries) are verified on TWO THREADS, the segments
 *        alternating between the main thread and a worker thread the process keeps (started in the
 *        first round, which is also measured): raw is single-threaded.
 *    (b1) the same file on one thread (`threads: 1`), like raw.
 *    Also shown, to say where the time goes: re-encoding and hashing alone, and JSON.parse of the
 *    export's lines alone (what any verifier that parses each line would pay before hashing).
 *
 * PostgreSQL: DATABASE_URL (a superuser URL), else the local server on 5432, else an embedded one.
 * Knobs: AUDIT_BENCH_VERIFY_ENTRIES (100000), AUDIT_BENCH_ROUNDS (5), AUDIT_BENCH_PARTS (append,verify).
 * Run: npm run bench -- audit   (or: node -r @swc-node/register bench/audit.bench.ts)
 */
import 'reflect-metadata';
import { hash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  applicationRoleUrl,
  AuditEntry,
  AuditService,
  ChainVerifier,
  entryHash,
  entryHashInput,
  entryHashInputV2,
  exportChunker,
  generateAuditSigner,
  InMemoryAuditLog,
  PARALLEL_MIN_BYTES,
  verifyExportFile,
} from '@clinloop/audit';
import { runMigrations, withTransaction } from '@clinloop/database';
import { createAppDataSource } from '@clinloop/persistence';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { sampleInputs } from '../test/support/audit-fixtures';
import { databaseUrl, ensurePostgresServer } from '../test/support/postgres-server';

const VERIFY_ENTRIES = Number(process.env.AUDIT_BENCH_VERIFY_ENTRIES ?? 100_000);
const ROUNDS = Number(process.env.AUDIT_BENCH_ROUNDS ?? 5);
/** Which parts to run: AUDIT_BENCH_PARTS=verify skips the append part (both unless given). */
const PARTS = new Set((process.env.AUDIT_BENCH_PARTS ?? 'append,verify').split(','));
/** [entries per transaction, transactions per round]: each round a similar amount of work. */
const APPEND_SHAPES: readonly (readonly [number, number])[] = [
  [1, 200],
  [100, 20],
  [1000, 4],
];

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function rate(count: number, nanoseconds: bigint): number {
  return count / (Number(nanoseconds) / 1e9);
}

function format(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US').padStart(11);
}

async function benchAppend(app: DataSource): Promise<Map<number, number>> {
  const audit = new AuditService();
  const inputs = sampleInputs(1000, 'bench');
  const rates = new Map<number, number[]>();
  // Warm-up: connections, JIT, plan caches.
  for (const [perTransaction] of APPEND_SHAPES)
    await withTransaction(app, (manager) => audit.append(manager, inputs.slice(0, perTransaction)));
  for (let round = 0; round < ROUNDS; round++) {
    const shapes = round % 2 === 0 ? APPEND_SHAPES : [...APPEND_SHAPES].reverse();
    for (const [perTransaction, transactions] of shapes) {
      const batch = inputs.slice(0, perTransaction);
      const started = process.hrtime.bigint();
      for (let index = 0; index < transactions; index++)
        await withTransaction(app, (manager) => audit.append(manager, batch));
      rates.set(perTransaction, [
        ...(rates.get(perTransaction) ?? []),
        rate(perTransaction * transactions, process.hrtime.bigint() - started),
      ]);
    }
  }
  return new Map([...rates].map(([size, values]) => [size, median(values)]));
}

interface VerifyRates {
  readonly raw: number;
  /** Re-encoding and hashing alone: the floor of any verifier that checks fields, not bytes. */
  readonly encodeAndHash: number;
  readonly verify: number;
  /** JSON.parse of every line of the export and nothing else (the verifier no longer does it for entry lines). */
  readonly parseJsonl: number;
  /** `verifyExportFile` as the CLI calls it. */
  readonly verifyFile: number;
  /** The first of those rounds: the process starts its worker thread in it. */
  readonly verifyFileFirst: number;
  /** `verifyExportFile` on one thread. */
  readonly verifyFileOneThread: number;
  readonly fileBytes: number;
}

async function benchVerify(): Promise<VerifyRates> {
  const { signer } = generateAuditSigner();
  const log = new InMemoryAuditLog();
  const inputs = sampleInputs(1000, 'verify');
  for (let start = 0; start < VERIFY_ENTRIES; start += inputs.length)
    log.append(
      inputs.slice(0, Math.min(inputs.length, VERIFY_ENTRIES - start)),
      `2026-06-01T00:00:00.${String(start % 1_000_000).padStart(6, '0')}Z`,
    );
  const entries: readonly AuditEntry[] = log.entries;
  const checkpoint = log.checkpoint(signer, '2026-06-02T00:00:00.000000Z');
  // The raw baseline hashes exactly the bytes verification hashes: 0x00 || tag || canonical JSON
  // (encoding 2, what new entries are written as; 0x00 || tag || canonical || prevHash for encoding 1).
  const bytes = entries.map((entry) =>
    entry.encoding === 2 ? entryHashInputV2(entry, entry.prevHash) : entryHashInput(entry, entry.prevHash),
  );
  const chunker = exportChunker('jsonl');
  let jsonl = '';
  for await (const record of log.exportRecords({ checkpoint, signer, exportedAt: checkpoint.issuedAt }))
    jsonl += chunker.chunk(record);
  const directory = await mkdtemp(path.join(tmpdir(), 'clinloop-audit-bench-'));
  const file = path.join(directory, 'export.jsonl');
  await writeFile(file, jsonl);
  const verifyFile = async (threads?: 1): Promise<number> => {
    const started = process.hrtime.bigint();
    const result = await verifyExportFile(file, {
      publicKey: signer.publicKey,
      trusted: [],
      ...(threads ? { threads } : {}),
    });
    if (!result.ok) throw new Error(`benchmark export does not verify: ${result.message}`);
    return rate(entries.length, process.hrtime.bigint() - started);
  };

  const raw: number[] = [];
  const encodeAndHash: number[] = [];
  const verify: number[] = [];
  const parseJsonl: number[] = [];
  const verifyFileRates: number[] = [];
  const verifyFileOneThread: number[] = [];
  let sink = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) await verifyRound(round);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }

  async function verifyRound(round: number): Promise<void> {
    const measureRaw = (): void => {
      const started = process.hrtime.bigint();
      for (const input of bytes) sink ^= hash('sha256', input, 'hex').charCodeAt(0);
      raw.push(rate(bytes.length, process.hrtime.bigint() - started));
    };
    const measureVerify = (): void => {
      const started = process.hrtime.bigint();
      const chain = new ChainVerifier([
        { checkpoint, reasonOnMismatch: 'checkpoint-mismatch', label: 'the checkpoint' },
      ]);
      for (const entry of entries) {
        if (chain.next(entry)) throw new Error(`benchmark log does not verify at ${entry.seq}`);
      }
      if (chain.unmet().length > 0 || chain.lastSeq !== checkpoint.treeSize)
        throw new Error('benchmark log did not reach its checkpoint');
      verify.push(rate(entries.length, process.hrtime.bigint() - started));
    };
    const measureEncodeAndHash = (): void => {
      const started = process.hrtime.bigint();
      for (const entry of entries) sink ^= entryHash(entry, entry.prevHash, entry.encoding).charCodeAt(0);
      encodeAndHash.push(rate(entries.length, process.hrtime.bigint() - started));
    };
    const measureParse = (): void => {
      const started = process.hrtime.bigint();
      for (
        let start = 0, end = jsonl.indexOf('\n');
        end >= 0;
        start = end + 1, end = jsonl.indexOf('\n', start)
      ) {
        sink ^= Object.keys(JSON.parse(jsonl.slice(start, end)) as object).length;
      }
      parseJsonl.push(rate(entries.length, process.hrtime.bigint() - started));
    };
    const measureFiles = async (): Promise<void> => {
      const [first, second] = round % 2 === 0 ? [undefined, 1 as const] : [1 as const, undefined];
      for (const threads of [first, second])
        (threads ? verifyFileOneThread : verifyFileRates).push(await verifyFile(threads));
    };
    // Raw is measured right before or after the file verifications, so both see much the same machine.
    if (round % 2 === 0) {
      for (const measure of [measureEncodeAndHash, measureVerify, measureParse, measureRaw]) measure();
      await measureFiles();
    } else {
      await measureFiles();
      for (const measure of [measureRaw, measureParse, measureVerify, measureEncodeAndHash]) measure();
    }
  }
  if (sink === -1) process.stdout.write('');
  return {
    raw: median(raw),
    encodeAndHash: median(encodeAndHash),
    verify: median(verify),
    parseJsonl: median(parseJsonl),
    verifyFile: median(verifyFileRates),
    verifyFileFirst: verifyFileRates[0] ?? Number.NaN,
    verifyFileOneThread: median(verifyFileOneThread),
    fileBytes: Buffer.byteLength(jsonl),
  };
}

async function main(): Promise<void> {
  const server = await ensurePostgresServer(() => undefined);
  const name = `clinloop_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(server.adminUrl, `CREATE DATABASE "${name}"`);
  // Durable commits whatever the server default: the number must mean "survives a crash".
  await adminQuery(server.adminUrl, `ALTER DATABASE "${name}" SET synchronous_commit = on`);
  const url = databaseUrl(server.adminUrl, name);
  const owner = createAppDataSource(url, { databasePoolSize: 1 }, 'clinloop-bench-migrate');
  const app = createAppDataSource(applicationRoleUrl(url), { databasePoolSize: 4 }, 'clinloop-bench');
  try {
    await owner.initialize();
    await runMigrations(owner);
    await owner.destroy();
    await app.initialize();
    const [settings] = await app.query<
      { synchronous_commit: string; fsync: string; role: string; version: string }[]
    >(
      `SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync, current_user AS role, current_setting('server_version') AS version`,
    );
    process.stdout.write(
      `audit bench: PostgreSQL ${settings?.version ?? '?'} (${server.source}), synchronous_commit=${settings?.synchronous_commit ?? '?'}, fsync=${settings?.fsync ?? '?'}, role=${settings?.role ?? '?'}; ` +
        `${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2) ?? '?'}; median of ${ROUNDS} rounds\n\n`,
    );

    const append = PARTS.has('append') ? await benchAppend(app) : new Map<number, number>();
    if (PARTS.has('append')) reportAppend(append);
    if (PARTS.has('verify')) reportVerify(await benchVerify());
    process.stdout.write(`  load at the end: ${loadavg()[0]?.toFixed(2) ?? '?'}\n`);
  } finally {
    if (owner.isInitialized) await owner.destroy();
    if (app.isInitialized) await app.destroy();
    await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await server.stop();
  }
}

function reportAppend(append: ReadonlyMap<number, number>): void {
  const single = append.get(1) ?? Number.NaN;
  process.stdout.write('append (production API, one transaction per batch)\n');
  for (const [perTransaction] of APPEND_SHAPES) {
    const perSecond = append.get(perTransaction) ?? Number.NaN;
    process.stdout.write(
      `  ${String(perTransaction).padStart(4)} entries/transaction: ${format(perSecond)} entries/s  (${(perSecond / single).toFixed(1)}x one per transaction)\n`,
    );
  }
  const batchedRatio = (append.get(1000) ?? Number.NaN) / single;
  process.stdout.write(
    `  goal: 1000/transaction >= 20x 1/transaction -> ${batchedRatio.toFixed(1)}x ${batchedRatio >= 20 ? 'MET' : 'NOT MET'}\n\n`,
  );
}

function reportVerify(verify: VerifyRates): void {
  const percent = (perSecond: number): string => `${((100 * perSecond) / verify.raw).toFixed(0)}% of raw`;
  const goal = (perSecond: number): string =>
    `${percent(perSecond)} ${perSecond / verify.raw >= 0.5 ? 'MET' : 'NOT MET'}`;
  const threads =
    verify.fileBytes >= PARALLEL_MIN_BYTES
      ? '2 threads (main + worker); raw is single-threaded'
      : '1 thread, like raw';
  process.stdout.write(
    `verification (${VERIFY_ENTRIES.toLocaleString('en-US')} entries; export file ${(verify.fileBytes / 2 ** 20).toFixed(1)} MiB)\n`,
  );
  process.stdout.write(
    `  raw SHA-256 over the same bytes (1 thread):       ${format(verify.raw)} entries/s\n`,
  );
  process.stdout.write(
    `  re-encode + hash only (no link, no tree):         ${format(verify.encodeAndHash)} entries/s  (${percent(verify.encodeAndHash)})\n`,
  );
  process.stdout.write(
    `  (a) verify in memory (encode, hash, link, tree):  ${format(verify.verify)} entries/s  (${percent(verify.verify)})\n`,
  );
  process.stdout.write(
    `  JSON.parse of the export's lines alone:           ${format(verify.parseJsonl)} entries/s  (${percent(verify.parseJsonl)}: what parsing each line costs)\n`,
  );
  process.stdout.write(
    `  (b) the export file as \`audit verify FILE\` runs: ${format(verify.verifyFile)} entries/s  (${percent(verify.verifyFile)}; ${threads})\n`,
  );
  process.stdout.write(
    `      its first round, starting the worker thread:  ${format(verify.verifyFileFirst)} entries/s  (${percent(verify.verifyFileFirst)})\n`,
  );
  process.stdout.write(
    `  (b1) the same on one thread (threads: 1):         ${format(verify.verifyFileOneThread)} entries/s  (${percent(verify.verifyFileOneThread)}; 1 thread, like raw)\n`,
  );
  process.stdout.write(
    `  goal: verify >= 50% of raw hashing -> (a) ${goal(verify.verify)}; (b) ${goal(verify.verifyFile)}; (b1) ${goal(verify.verifyFileOneThread)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `audit bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
