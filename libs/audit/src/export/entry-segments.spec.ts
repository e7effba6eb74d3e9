import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { hash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunksOf, collectRecords, entryPositions, renderExport, tamper, Tampering } from '../../../../test/support/audit-tampering';
import { AuditEntryInput } from '../audit-entry';
import { AuditSigner, SignedCheckpoint } from '../checkpoint';
import { entryHashPrefixV2 } from '../entry-encoding-v2';
import { AuditErrorCode } from '../errors';
import { InMemoryAuditLog } from '../in-memory-audit-log';
import { merkleRoot, MerkleAccumulator } from '../merkle-tree';
import { generateAuditSigner } from '../signing-key';
import { VerificationResult } from '../verification';
import { checkSegment, SegmentResult, SegmentTask } from './entry-segments';
import { verifyExport, verifyExportFile } from './export-files';
import { EntriesDigest, ExportRecord } from './export-records';
import { FULL_ENTRY_LINE, fullEntryLineLayout } from './jsonl-format';
import { SegmentThread } from './segment-thread';

const ORGANIZATION = '11111111-2222-4333-8444-555555555555';
const PATIENT = '6f1c2a3b-0d4e-4f50-8a61-7b2c3d4e5f60';
const CLINICIAN = { type: 'user', userId: 'c0ffee00-0000-4000-8000-000000000001', role: 'clinician', organizationId: ORGANIZATION } as const;
const WORKER = { type: 'system', component: 'worker.readings', organizationId: ORGANIZATION } as const;

function input(index: number): AuditEntryInput {
  return index % 3 === 0
    ? { actor: WORKER, action: 'readings.ingested', resource: { type: 'reading-batch', id: `b-${index}` }, outcome: 'success', payload: { count: index, note: 'über ✓ 😀' } }
    : {
        actor: CLINICIAN,
        action: 'patient.read',
        resource: { type: 'patient', id: PATIENT },
        patientId: PATIENT,
        outcome: index % 5 === 0 ? 'denied' : 'success',
        reason: index % 4 === 0 ? `reason ${index}:\n"quoted"` : null,
        // Members that look like the ones the segment check finds from the end of the text.
        payload: { index, prevHash: 'f'.repeat(64), tail: ',"seq":1}' },
      };
}

const LAYOUT = fullEntryLineLayout(entryHashPrefixV2());
const IO = { openSync, readSync, closeSync };

let directory: string;
let signer: AuditSigner;
let log: InMemoryAuditLog;
let checkpoint: SignedCheckpoint;
let records: ExportRecord[];
let fileCount = 0;

function writeTemp(content: string | Buffer): string {
  const file = path.join(directory, `export-${fileCount++}.jsonl`);
  writeFileSync(file, content);
  return file;
}

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'clinloop-segments-'));
  signer = generateAuditSigner().signer;
  log = new InMemoryAuditLog();
  for (let index = 0; index < 9; index++) log.append([input(index)], `2026-05-0${index + 1}T08:00:00.00000${index}Z`);
  checkpoint = log.checkpoint(signer, '2026-05-10T00:00:00.000000Z');
  records = await collectRecords(log.exportRecords({ checkpoint, signer, exportedAt: checkpoint.issuedAt }));
});

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  await SegmentThread.close();
});

interface EntryLine {
  readonly start: number;
  readonly end: number;
  readonly seq: number;
}

function entryLinesOf(bytes: Buffer): EntryLine[] {
  const lines: EntryLine[] = [];
  let seq = 0;
  for (let start = 0, end = bytes.indexOf(0x0a); end >= 0; start = end + 1, end = bytes.indexOf(0x0a, start)) {
    if (bytes.toString('latin1', start, start + 18) === '{"record":"entry",') lines.push({ start, end, seq: ++seq });
  }
  return lines;
}

function task(file: string, from: number, to: number, overrides: Partial<SegmentTask> = {}): SegmentTask {
  return { file, from, to, maxSeq: checkpoint.treeSize, cuts: [], layout: LAYOUT, cancel: null, ...overrides };
}

/** The tree of the first `size` entries, extended by a segment's legs as the verifier extends it. */
function joinedRoot(size: number, segment: SegmentResult): Buffer {
  const leaves = log.entries.map((entry) => Buffer.from(entry.hash, 'hex'));
  const accumulator = MerkleAccumulator.empty();
  for (const leaf of leaves.slice(0, size)) accumulator.append(leaf);
  for (const leg of segment.legs) {
    leg.levels.forEach((level, index) => accumulator.appendSubtree(level, leg.nodes.subarray(32 * index, 32 * index + 32)));
    expect(accumulator.size).toBe(leg.size);
    expect(Buffer.from(leg.lastHash).toString('hex')).toBe(log.entries[leg.size - 1]?.hash);
  }
  return accumulator.root();
}

describe('checkSegment', () => {
  it('accepts every intact entry line from any line on, and its subtrees complete the tree', () => {
    const bytes = Buffer.from(renderExport(records, 'jsonl'));
    const file = writeTemp(bytes);
    const lines = entryLinesOf(bytes);
    const trailerStart = (lines[lines.length - 1]?.end ?? 0) + 1;
    for (const line of lines) {
      const segment = checkSegment(IO, hash, task(file, line.start, bytes.length));
      expect(segment).toMatchObject({ from: line.start, stoppedAt: trailerStart, count: lines.length - line.seq + 1, firstSeq: line.seq, cancelled: false });
      expect(Buffer.from(segment.firstPrevHash).toString('latin1')).toBe(log.entries[line.seq - 1]?.prevHash);
      expect(joinedRoot(line.seq - 1, segment)).toEqual(merkleRoot(log.entries.map((entry) => Buffer.from(entry.hash, 'hex'))));
      const digest = new EntriesDigest();
      for (const entry of log.entries.slice(line.seq - 1)) digest.add(entry.seq, entry.hash);
      const joined = new EntriesDigest();
      joined.addRecords(segment.digestRecords, segment.count);
      expect(joined.finish()).toBe(digest.finish());
    }
  });

  it('ends a leg at every cut, so the tree can be compared with a checkpoint of that size', () => {
    const bytes = Buffer.from(renderExport(records, 'jsonl'));
    const file = writeTemp(bytes);
    const segment = checkSegment(IO, hash, task(file, entryLinesOf(bytes)[1]?.start ?? 0, bytes.length, { cuts: [1, 2, 5, 6, 9] }));
    expect(segment.legs.map((leg) => leg.size)).toEqual([2, 5, 6, 9]);
    const accumulator = MerkleAccumulator.empty();
    accumulator.append(Buffer.from(log.entries[0]?.hash ?? '', 'hex'));
    for (const leg of segment.legs) {
      leg.levels.forEach((level, index) => accumulator.appendSubtree(level, leg.nodes.subarray(32 * index, 32 * index + 32)));
      expect(accumulator.root()).toEqual(merkleRoot(log.entries.slice(0, leg.size).map((entry) => Buffer.from(entry.hash, 'hex'))));
    }
  });

  it('stops at the first line it cannot accept: a changed byte anywhere in it, a gap, a seq past the checkpoint, the end of its bytes', () => {
    const text = renderExport(records, 'jsonl');
    const lines = entryLinesOf(Buffer.from(text));
    let cases = 0;
    for (const line of lines) {
      for (let at = line.start; at < line.end; at += 7) {
        const bytes = Buffer.from(text);
        bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61;
        const segment = checkSegment(IO, hash, task(writeTemp(bytes), lines[0]?.start ?? 0, bytes.length));
        // A changed byte of the first line's prevHash or seq is for the verifier to judge when it joins the segment.
        const judgedAtJoin = line.seq === 1 && segment.count === lines.length;
        if (!judgedAtJoin) expect(segment, `seq ${line.seq}, byte ${at - line.start}`).toMatchObject({ stoppedAt: line.start, count: line.seq - 1 });
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(400);
    const intact = Buffer.from(text);
    const file = writeTemp(intact);
    expect(checkSegment(IO, hash, task(file, lines[0]?.start ?? 0, intact.length, { maxSeq: 4 }))).toMatchObject({ count: 4, stoppedAt: lines[4]?.start });
    expect(checkSegment(IO, hash, task(file, lines[0]?.start ?? 0, lines[3]?.start ?? 0))).toMatchObject({ count: 3, stoppedAt: lines[3]?.start });
    const withoutFourth = Buffer.concat([intact.subarray(0, lines[3]?.start), intact.subarray((lines[3]?.end ?? 0) + 1)]);
    expect(checkSegment(IO, hash, task(writeTemp(withoutFourth), lines[0]?.start ?? 0, withoutFourth.length))).toMatchObject({ count: 3, stoppedAt: lines[3]?.start });
  });

  it('stops at its next read once cancelled', () => {
    const bytes = Buffer.from(renderExport(records, 'jsonl'));
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(cancel, 0, 1);
    expect(checkSegment(IO, hash, task(writeTemp(bytes), entryLinesOf(bytes)[0]?.start ?? 0, bytes.length, { cancel }))).toMatchObject({ count: 0, cancelled: true });
  });
});

describe('the worker thread', () => {
  it('checks a segment as this thread does', async () => {
    const bytes = Buffer.from(renderExport(records, 'jsonl'));
    const file = writeTemp(bytes);
    const segmentTask = task(file, entryLinesOf(bytes)[2]?.start ?? 0, bytes.length, { cuts: [4] });
    expect(await SegmentThread.shared().check(segmentTask)).toEqual(checkSegment(IO, hash, segmentTask));
  });

  it('fails what it was asked with AUDIT_VERIFIER_THREAD_FAILED when the check throws, and keeps working', async () => {
    await expect(SegmentThread.shared().check(task(path.join(directory, 'missing.jsonl'), 0, 100))).rejects.toMatchObject({
      code: AuditErrorCode.VERIFIER_THREAD_FAILED,
      message: expect.stringContaining('ENOENT') as unknown as string,
    });
    const bytes = Buffer.from(renderExport(records, 'jsonl'));
    expect(await SegmentThread.shared().check(task(writeTemp(bytes), entryLinesOf(bytes)[0]?.start ?? 0, bytes.length))).toMatchObject({ count: 9 });
  });
});

/** Applied at every position, as the verifier's own tests do. */
const TAMPERINGS: readonly Tampering[] = ['edit', 'edit-and-rehash', 'delete', 'insert', 'swap-with-next'];

/** Segments of one line, of a few lines, of half the file; on one thread and on two. */
const SPLITS = [
  { threads: 1, segmentBytes: 1 },
  { threads: 2, segmentBytes: 1 },
  { threads: 2, segmentBytes: 1500 },
  { threads: 2, segmentBytes: 1 << 20 },
] as const;

function inOneChunk(bytes: Buffer): AsyncIterable<Buffer> {
  return Readable.from([bytes]);
}

async function verifyText(text: string, trusted: readonly SignedCheckpoint[] = []): Promise<VerificationResult> {
  return verifyExport(chunksOf(text, 97), { publicKey: signer.publicKey, trusted });
}

describe('verifyExportFile in segments: the answers of verifyExport', () => {
  it.each(TAMPERINGS)('%s at every position: the same first failure, reason and message', async (tampering) => {
    const positions = entryPositions(records);
    const trusted = [3, 6].map((size) => log.checkpoint(signer, checkpoint.issuedAt, size));
    for (const [index, position] of positions.entries()) {
      if (tampering === 'swap-with-next' && index === positions.length - 1) continue;
      const text = renderExport(tamper(records, position, tampering), 'jsonl');
      const file = writeTemp(text);
      for (const withTrusted of [[], trusted]) {
        const alone = await verifyText(text, withTrusted);
        expect(alone.ok, `${tampering} at entry ${index + 1}`).toBe(false);
        for (const split of SPLITS) {
          expect(await verifyExportFile(file, { publicKey: signer.publicKey, trusted: withTrusted, ...split }), `${tampering} at entry ${index + 1}, ${JSON.stringify(split)}`).toEqual(alone);
        }
      }
    }
  }, 120_000);

  it('an intact export, with and without trusted checkpoints on the way: the same summary', async () => {
    const text = renderExport(records, 'jsonl');
    const file = writeTemp(text);
    for (const trusted of [[], [1, 4, 8, 9].map((size) => log.checkpoint(signer, checkpoint.issuedAt, size))]) {
      const alone = await verifyText(text, trusted);
      expect(alone).toMatchObject({ ok: true, entries: 9 });
      for (const split of SPLITS) expect(await verifyExportFile(file, { publicKey: signer.publicKey, trusted, ...split })).toEqual(alone);
    }
  });

  it('a trusted checkpoint that the entries do not reproduce: reported at its size, as on one line after another', async () => {
    const text = renderExport(records, 'jsonl');
    const file = writeTemp(text);
    const other = new InMemoryAuditLog();
    for (let index = 0; index < 9; index++) other.append([input(index + 1)], `2026-05-0${index + 1}T08:00:00.00000${index}Z`);
    const rewritten = [other.checkpoint(signer, checkpoint.issuedAt, 5)];
    const alone = await verifyText(text, rewritten);
    expect(alone).toMatchObject({ ok: false, seq: 5 });
    for (const split of SPLITS) expect(await verifyExportFile(file, { publicKey: signer.publicKey, trusted: rewritten, ...split })).toEqual(alone);
  });

  it('a character changed anywhere in an entry text or the trailer, or the file cut anywhere: the same result', async () => {
    const text = renderExport(records, 'jsonl');
    const bytes = Buffer.from(text);
    let checked = 0;
    for (let at = 0; at < bytes.length; at += 41) {
      const edited = Buffer.from(bytes);
      edited[at] = edited[at] === 0x78 ? 0x79 : 0x78;
      for (const variant of [edited, bytes.subarray(0, at)]) {
        const alone = await verifyExport(inOneChunk(variant), { publicKey: signer.publicKey, trusted: [] });
        const file = writeTemp(variant);
        for (const split of SPLITS) expect(await verifyExportFile(file, { publicKey: signer.publicKey, trusted: [], ...split }), `byte ${at}, ${JSON.stringify(split)}`).toEqual(alone);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  }, 120_000);
});

describe('a process that verifies on two threads', () => {
  it('ends by itself once the answer is printed: the worker thread does not hold it open', async () => {
    const file = writeTemp(renderExport(records, 'jsonl'));
    const keyFile = path.join(directory, 'public.pem');
    writeFileSync(keyFile, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, '../../../../test/support/verify-export-process.ts'), file, keyFile, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(exitCode).toBe(0);
    expect(JSON.parse(output)).toMatchObject({ ok: true, entries: 9 });
  }, 60_000);
});

describe('verifyExportFile of a multi-megabyte export on two threads', () => {
  let text: string;
  let bigSigner: AuditSigner;

  beforeAll(async () => {
    bigSigner = generateAuditSigner().signer;
    const big = new InMemoryAuditLog();
    const batch = Array.from({ length: 1000 }, (_, index) => input(index));
    // Some 5 MiB, in segments of 512 KiB, half of them checked on the worker thread.
    for (let round = 0; round < 8; round++) big.append(batch, '2026-05-01T08:00:00.000000Z');
    const covering = big.checkpoint(bigSigner, '2026-05-02T00:00:00.000000Z');
    text = renderExport(await collectRecords(big.exportRecords({ checkpoint: covering, signer: bigSigner, exportedAt: covering.issuedAt })), 'jsonl');
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 1024 * 1024);
  }, 120_000);

  it('verifies it, and finds an entry edited anywhere at the seq one thread finds', async () => {
    const verifyFile = (file: string, threads: 1 | 2): Promise<VerificationResult> => verifyExportFile(file, { publicKey: bigSigner.publicKey, trusted: [], threads, segmentBytes: 512 * 1024 });
    const intact = writeTemp(text);
    expect(await verifyFile(intact, 2)).toMatchObject({ ok: true, entries: 8000 });
    expect(await verifyFile(intact, 1)).toEqual(await verifyFile(intact, 2));
    const entryLines = entryLinesOf(Buffer.from(text));
    for (const line of [entryLines[0], entryLines[Math.floor(entryLines.length / 2)], entryLines[entryLines.length - 1]]) {
      if (!line) continue;
      // A byte of the action's value: the line passes every check but its hash.
      const bytes = Buffer.from(text);
      bytes[line.start + FULL_ENTRY_LINE.entryAt + 12] = (bytes[line.start + FULL_ENTRY_LINE.entryAt + 12] ?? 0) ^ 0x01;
      const file = writeTemp(bytes);
      const alone = await verifyExport(inOneChunk(bytes), { publicKey: bigSigner.publicKey, trusted: [] });
      expect(alone).toMatchObject({ ok: false, reason: 'hash-mismatch', seq: line.seq });
      expect(await verifyFile(file, 2)).toEqual(alone);
      expect(await verifyFile(file, 1)).toEqual(alone);
    }
  }, 60_000);
});
