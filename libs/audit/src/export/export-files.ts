import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { KeyObject } from 'node:crypto';
import { SignedCheckpoint } from '../checkpoint';
import { VerificationFailure, VerificationResult } from '../verification';
import { CsvExportWriter, readCsvRecords } from './csv-format';
import { ExportFormat, ExportRecord, ReadExportRecord } from './export-records';
import { ExportVerifier } from './export-verifier';
import { FhirExportWriter, readFhirRecords } from './fhir-format';
import { jsonlChunk, jsonlRecordsOf, VerifierRecord } from './jsonl-format';
import { ByteLines, bytesAt, readByteLines, utf8Chunks } from './byte-lines';
import { DeferredLines, EntryHashWorker } from './entry-hash-worker';
import { readLineBatches, TextLine } from './text-lines';

export interface ExportChunker {
  chunk(record: ExportRecord): string;
}

export function exportChunker(format: ExportFormat): ExportChunker {
  switch (format) {
    case 'jsonl':
      return { chunk: jsonlChunk };
    case 'csv':
      return new CsvExportWriter();
    case 'fhir':
      return new FhirExportWriter();
  }
}

/** Writes records as they come, waiting for the stream to drain: memory stays flat whatever the export size. */
export async function writeExport(records: AsyncIterable<ExportRecord>, format: ExportFormat, out: Writable): Promise<{ entries: number }> {
  const chunker = exportChunker(format);
  // A stream error (disk full, unwritable path) may come while we are reading the database, not writing.
  const stream: { error: Error | null } = { error: null };
  const remember = (error: Error): void => {
    stream.error ??= error;
  };
  out.on('error', remember);
  let entries = 0;
  try {
    for await (const record of records) {
      if (stream.error) throw stream.error;
      if (record.kind === 'entry') entries++;
      const text = chunker.chunk(record);
      if (text !== '' && !out.write(text)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
  } catch (error) {
    out.destroy();
    throw error;
  } finally {
    out.off('error', remember);
  }
  return { entries };
}

/**
 * Reads any of the three formats, recognised by the first line, a batch of records at a time: JSON
 * Lines records come a chunk's worth together (parsed without an asynchronous step per record, which
 * would cost more than the record's hash); CSV and FHIR records, which may span lines, one by one.
 */
export function readExportRecordBatches(chunks: AsyncIterable<string>): AsyncGenerator<readonly ReadExportRecord[]> {
  return readBatches(chunks, false) as AsyncGenerator<readonly ReadExportRecord[]>;
}

/** As `readExportRecordBatches`, but JSON Lines entries of encoding 2 come as their text, for the verifier to hash. */
async function* readBatches(chunks: AsyncIterable<string>, encodedEntries: boolean): AsyncGenerator<readonly VerifierRecord[]> {
  const batches = readLineBatches(chunks);
  const first = await batches.next();
  if (first.done) return;
  const firstLine = first.value[0];
  if (firstLine === undefined) return;
  const text = firstLine.text;
  if (text.startsWith('{"record"')) {
    const read = encodedEntries ? (lines: readonly TextLine[]) => jsonlRecordsOf(lines, true) : (lines: readonly TextLine[]) => jsonlRecordsOf(lines);
    yield read(first.value);
    for await (const lines of batches) yield read(lines);
    return;
  }
  const lines = linesOf(first.value, batches);
  const records = text.startsWith('record,seq,') ? readCsvRecords(lines) : text.startsWith('{"resourceType":"Bundle"') ? readFhirRecords(lines) : null;
  if (records === null) {
    if (firstLine.terminated) yield [{ kind: 'malformed', location: 'line 1', seq: null, message: 'not a ClinLoop audit export (JSON Lines, CSV or FHIR Bundle)' }];
    return;
  }
  for await (const record of records) yield [record];
}

/** The records of an export one by one (tests, tools); see `readExportRecordBatches`. */
export async function* readExportRecords(chunks: AsyncIterable<string>): AsyncGenerator<ReadExportRecord> {
  for await (const records of readExportRecordBatches(chunks)) yield* records;
}

async function* linesOf(first: readonly TextLine[], rest: AsyncIterable<TextLine[]>): AsyncGenerator<TextLine> {
  yield* first;
  for await (const lines of rest) yield* lines;
}

/**
 * Where the entry hashes of a full JSON Lines export are computed; whatever the choice, the result
 * is the same. 'this-thread': here, one line after another. 'shared': a worker thread is started
 * and, once it runs, hashes them while this thread makes every other check; until then (tens of
 * milliseconds) this thread hashes them itself, so a file verified before the worker runs waits for
 * nothing. 'worker': every batch goes to the worker from the start (tests of its path).
 */
export type EntryHashing = 'this-thread' | 'shared' | 'worker';

export interface VerifyExportOptions {
  readonly publicKey: KeyObject;
  readonly trusted: readonly SignedCheckpoint[];
  /** 'this-thread' unless given; `verifyExportFile` chooses by the file's size. */
  readonly entryHashing?: EntryHashing;
}

/** Batches (a megabyte each from a file) the worker may have waiting before this thread waits for it. */
const MAX_WAITING = 4;

/**
 * Verifies an export from any source of its bytes (a file stream) or text (a string in tests),
 * stopping at the first problem. A JSON Lines export is checked as bytes: entry lines of a full
 * export take the verifier's hot path where they can; every other line, and any line that path
 * declines, is decoded and read as a record. CSV and FHIR are decoded and read record by record.
 */
export async function verifyExport(chunks: AsyncIterable<string | Uint8Array>, options: VerifyExportOptions): Promise<VerificationResult> {
  const verifier = new ExportVerifier(options);
  const { head, rest } = await firstLine(utf8Chunks(chunks)[Symbol.asyncIterator]());
  if (head.length === 0) return verifier.finish();
  const bytes = withHead(head, rest);
  if (!bytesAt(head, 0, JSONL_START)) {
    for await (const records of readBatches(decodeUtf8(bytes), false)) {
      for (const record of records) {
        const problem = verifier.accept(record);
        if (problem) return problem;
      }
    }
    return verifier.finish();
  }
  const hashing = options.entryHashing ?? 'this-thread';
  // Started before the header is read, so it is starting while the first lines are checked here.
  const worker = hashing === 'this-thread' ? null : EntryHashWorker.start();
  try {
    let problem: VerificationFailure | null = null;
    for await (const batch of readByteLines(bytes)) {
      // Once the worker runs it takes every batch: hashing some here as well measured slower, as it
      // delays the checks that only this thread makes.
      const handOver = worker !== null && (hashing === 'worker' || worker.ready);
      if (worker && handOver) await worker.fewerWaitingThan(MAX_WAITING);
      const deferred = worker && handOver ? new DeferredLines(batch.ends.length) : null;
      problem = verifyJsonLines(verifier, batch, deferred);
      if (worker && deferred) worker.submit(batch.bytes, deferred);
      if (problem || worker?.failure) break;
    }
    // A line whose hash the worker found wrong comes before any problem found here after it.
    const mismatch = worker ? await worker.settled() : null;
    return mismatch ?? problem ?? verifier.finish();
  } finally {
    await worker?.close();
  }
}

/**
 * The lines of one batch, in order, until the first problem. With `deferred`, entry lines that pass
 * every other check are accepted on their recorded hash and collected there for the worker.
 */
function verifyJsonLines(verifier: ExportVerifier, { bytes, start: firstStart, ends, firstNumber, unterminated }: ByteLines, deferred: DeferredLines | null): VerificationFailure | null {
  let start = firstStart;
  for (let index = 0; index < ends.length; start = (ends[index] ?? 0) + 1, index++) {
    const end = ends[index] ?? 0;
    const fast = verifier.acceptNextEntryLine(bytes, start, end, deferred ? 'deferred' : 'here');
    if (fast !== undefined) {
      deferred?.add(start, end, verifier.lastEntrySeq, firstNumber + index);
      if (fast) return fast;
      continue;
    }
    const line = { text: bytes.toString('utf8', start, end), number: firstNumber + index, terminated: !unterminated };
    for (const record of jsonlRecordsOf([line], true)) {
      const problem = verifier.accept(record);
      if (problem) return problem;
    }
  }
  return null;
}

const JSONL_START = Buffer.from('{"record"', 'latin1');

/** Reads until the first line is complete (or the input ends), so the format can be told from it. */
async function firstLine(chunks: AsyncIterator<Buffer>): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const pieces: Buffer[] = [];
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    pieces.push(next.value);
    if (next.value.includes(0x0a)) break;
  }
  return { head: pieces.length === 1 && pieces[0] ? pieces[0] : Buffer.concat(pieces), rest: chunks };
}

async function* withHead(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

async function* decodeUtf8(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    if (text !== '') yield text;
  }
  const tail = decoder.end();
  if (tail !== '') yield tail;
}

/**
 * From this size a file's entry hashes are shared with a worker thread ('shared'). The worker is
 * running only 55-100 ms after it is started (measured on the 2-core development machine), while
 * this thread verifies 25,000-40,000 entries alone, and it then still compiles its code; measured
 * against one thread (2026-11-23, load 1.6-1.8): a 63 MiB export (100,000 entries) no faster,
 * 126 MiB 1.2x, 252 MiB 1.4x as fast.
 */
export const SHARED_HASHING_MIN_BYTES = 96 * 1024 * 1024;

/** What `clinloop audit verify FILE` runs: the file is read as bytes, a megabyte at a time. */
export async function verifyExportFile(file: string, options: VerifyExportOptions): Promise<VerificationResult> {
  const entryHashing = options.entryHashing ?? ((await stat(file)).size >= SHARED_HASHING_MIN_BYTES ? 'shared' : 'this-thread');
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    return await verifyExport(stream as AsyncIterable<Buffer>, { ...options, entryHashing });
  } finally {
    stream.destroy();
  }
}
