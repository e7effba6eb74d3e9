import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunksOf, collectRecords, entryPositions, renderExport, tamper, Tampering } from '../../../../test/support/audit-tampering';
import { AuditEntryInput } from '../audit-entry';
import { AuditSigner, SignedCheckpoint } from '../checkpoint';
import { InMemoryAuditLog } from '../in-memory-audit-log';
import { generateAuditSigner } from '../signing-key';
import { VerificationResult } from '../verification';
import { DeferredLines, EntryHashWorker } from './entry-hash-worker';
import { EntryHashing, verifyExport, verifyExportFile } from './export-files';
import { ExportRecord } from './export-records';
import { entryTextMismatch } from './export-verifier';
import { FULL_ENTRY_LINE } from './jsonl-format';

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
        payload: { index, prevHash: 'f'.repeat(64), tail: ',"seq":1}' },
      };
}

let signer: AuditSigner;
let log: InMemoryAuditLog;
let checkpoint: SignedCheckpoint;
let records: ExportRecord[];

beforeAll(async () => {
  signer = generateAuditSigner().signer;
  log = new InMemoryAuditLog();
  for (let index = 0; index < 9; index++) log.append([input(index)], `2026-05-0${index + 1}T08:00:00.00000${index}Z`);
  checkpoint = log.checkpoint(signer, '2026-05-10T00:00:00.000000Z');
  records = await collectRecords(log.exportRecords({ checkpoint, signer, exportedAt: checkpoint.issuedAt }));
});

interface EntryLine {
  readonly start: number;
  readonly end: number;
  readonly seq: number;
  readonly lineNumber: number;
}

function entryLinesOf(bytes: Buffer): EntryLine[] {
  const lines: EntryLine[] = [];
  let seq = 0;
  for (let start = 0, end = bytes.indexOf(0x0a), lineNumber = 1; end >= 0; start = end + 1, end = bytes.indexOf(0x0a, start), lineNumber++) {
    if (bytes.toString('latin1', start, start + 18) === '{"record":"entry",') lines.push({ start, end, seq: ++seq, lineNumber });
  }
  return lines;
}

function deferredLines(lines: readonly EntryLine[]): DeferredLines {
  const deferred = new DeferredLines(lines.length);
  for (const line of lines) deferred.add(line.start, line.end, line.seq, line.lineNumber);
  return deferred;
}

function flipLowBit(bytes: Buffer, at: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
}

describe('EntryHashWorker', () => {
  it('finds nothing wrong with intact entry lines', async () => {
    const bytes = Buffer.from(renderExport(records, 'jsonl'));
    const worker = EntryHashWorker.start();
    worker.submit(bytes, deferredLines(entryLinesOf(bytes)));
    expect(await worker.settled()).toBeNull();
  });

  it('names the first line whose entry text or recorded hash was changed, in any batch', { timeout: 60_000 }, async () => {
    const text = renderExport(records, 'jsonl');
    const lines = entryLinesOf(Buffer.from(text));
    for (const [index, line] of lines.entries()) {
      for (const offset of [line.end - 3, line.start + 30]) {
        // Two batches (the entry lines before this one, and the rest); the changed byte is an entry text's or a hash digit.
        const bytes = Buffer.from(text);
        bytes[offset] = bytes[offset] === 0x61 ? 0x62 : 0x61;
        const later = lines[lines.length - 1];
        if (later && later !== line) flipLowBit(bytes, later.end - 3);
        const worker = EntryHashWorker.start();
        worker.submit(Buffer.from(bytes), deferredLines(lines.slice(0, index)));
        worker.submit(bytes, deferredLines(lines.slice(index)));
        expect(await worker.settled(), `line ${line.lineNumber}, byte ${offset}`).toEqual(entryTextMismatch(`line ${line.lineNumber}`, line.seq));
      }
    }
  });
});

/** Applied at every position, as the verifier's own tests do. */
const TAMPERINGS: readonly Tampering[] = ['edit', 'edit-and-rehash', 'delete', 'insert', 'swap-with-next'];

async function verifyWith(text: string, entryHashing: EntryHashing, chunkSize: number, trusted: readonly SignedCheckpoint[] = []): Promise<VerificationResult> {
  return verifyExport(chunksOf(text, chunkSize), { publicKey: signer.publicKey, trusted, entryHashing });
}

describe('verifying with the entry hashes on a worker thread', () => {
  it.each(TAMPERINGS)('%s at every position: the same first failure, reason and message as on one thread', async (tampering) => {
    const positions = entryPositions(records);
    const trusted = [3, 6].map((size) => log.checkpoint(signer, checkpoint.issuedAt, size));
    for (const [index, position] of positions.entries()) {
      if (tampering === 'swap-with-next' && index === positions.length - 1) continue;
      const text = renderExport(tamper(records, position, tampering), 'jsonl');
      // Lines split across small chunks (a batch each), and the whole export in one chunk, with checkpoints on the way.
      for (const [chunkSize, withTrusted, entryHashing] of [
        [97, [], 'worker'],
        [text.length, trusted, 'worker'],
        [text.length, [], 'shared'],
      ] as const) {
        const alone = await verifyWith(text, 'this-thread', chunkSize, withTrusted);
        expect(alone.ok, `${tampering} at entry ${index + 1}`).toBe(false);
        expect(await verifyWith(text, entryHashing, chunkSize, withTrusted), `${tampering} at entry ${index + 1}, ${entryHashing}, chunks of ${chunkSize}`).toEqual(alone);
      }
    }
  }, 60_000);

  it('an intact export: the same summary', async () => {
    const text = renderExport(records, 'jsonl');
    const alone = await verifyWith(text, 'this-thread', text.length);
    expect(alone).toMatchObject({ ok: true, entries: 9 });
    expect(await verifyWith(text, 'worker', text.length)).toEqual(alone);
    expect(await verifyWith(text, 'worker', 97)).toEqual(alone);
  });

  it('a character changed in an entry text: the same result as on one thread', async () => {
    const text = renderExport(records, 'jsonl');
    const lines = text.split('\n');
    let checked = 0;
    for (const [lineIndex, line] of lines.entries()) {
      if (!line.startsWith('{"record":"entry"')) continue;
      for (let at = line.indexOf(',"entry":') + 9; at < line.length - 1; at += 97) {
        const edited = [...lines.slice(0, lineIndex), `${line.slice(0, at)}${line[at] === 'x' ? 'y' : 'x'}${line.slice(at + 1)}`, ...lines.slice(lineIndex + 1)].join('\n');
        const alone = await verifyWith(edited, 'this-thread', edited.length);
        expect(alone.ok).toBe(false);
        expect(await verifyWith(edited, 'worker', edited.length), `line ${lineIndex + 1}, character ${at}`).toEqual(alone);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  }, 60_000);
});

describe('verifyExportFile of a multi-megabyte export, with the hashes on a worker thread', () => {
  let directory: string;
  let file: string;
  let text: string;
  let bigSigner: AuditSigner;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'clinloop-audit-'));
    file = path.join(directory, 'export.jsonl');
    bigSigner = generateAuditSigner().signer;
    const big = new InMemoryAuditLog();
    const batch = Array.from({ length: 1000 }, (_, index) => input(index));
    // Some 5 MiB: a few chunks of the file stream, handed to the worker as they were read.
    for (let round = 0; round < 8; round++) big.append(batch, '2026-05-01T08:00:00.000000Z');
    const covering = big.checkpoint(bigSigner, '2026-05-02T00:00:00.000000Z');
    text = renderExport(await collectRecords(big.exportRecords({ checkpoint: covering, signer: bigSigner, exportedAt: covering.issuedAt })), 'jsonl');
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 1024 * 1024);
  }, 120_000);

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('verifies it, and finds an entry edited anywhere at the seq one thread finds', async () => {
    writeFileSync(file, text);
    const verifyFile = (entryHashing: EntryHashing): Promise<VerificationResult> => verifyExportFile(file, { publicKey: bigSigner.publicKey, trusted: [], entryHashing });
    expect(await verifyFile('worker')).toMatchObject({ ok: true, entries: 8000 });
    expect(await verifyFile('shared')).toMatchObject({ ok: true, entries: 8000 });
    const entryLines = entryLinesOf(Buffer.from(text));
    for (const line of [entryLines[0], entryLines[Math.floor(entryLines.length / 2)], entryLines[entryLines.length - 1]]) {
      if (!line) continue;
      // A byte of the action's value: the line passes every check but its hash, which is the worker's to make.
      const bytes = Buffer.from(text);
      flipLowBit(bytes, line.start + FULL_ENTRY_LINE.entryAt + 12);
      writeFileSync(file, bytes);
      const alone = await verifyFile('this-thread');
      expect(alone).toMatchObject({ ok: false, reason: 'hash-mismatch', seq: line.seq });
      expect(await verifyFile('worker')).toEqual(alone);
      expect(await verifyFile('shared')).toEqual(alone);
    }
  }, 60_000);
});
