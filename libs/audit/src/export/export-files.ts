import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { FileHandle, open, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { hash, KeyObject } from 'node:crypto';
import { SignedCheckpoint } from '../checkpoint';
import { VerificationFailure, VerificationResult } from '../verification';
import { CsvExportWriter, readCsvRecords } from './csv-format';
import { ExportFormat, ExportRecord, ReadExportRecord } from './export-records';
import { ExportVerifier } from './export-verifier';
import { FhirExportWriter, readFhirRecords } from './fhir-format';
import { fullEntryLineLayout, jsonlChunk, jsonlRecordsOf, VerifierRecord } from './jsonl-format';
import { ByteLines, bytesAt, readByteLines, utf8Chunks } from './byte-lines';
import { checkSegment, EntryLineLayout, SegmentIo, SegmentResult, SegmentTask } from './entry-segments';
import { SegmentThread } from './segment-thread';
import { entryHashPrefixV2 } from '../entry-encoding-v2';
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

export interface VerifyExportOptions {
  readonly publicKey: KeyObject;
  readonly trusted: readonly SignedCheckpoint[];
}

/**
 * Verifies an export from any source of its bytes (a stream) or text (a string in tests), on this
 * thread, stopping at the first problem. A JSON Lines export is checked as bytes: entry lines of a
 * full export take the verifier's path for them where they can; every other line, and any line that
 * path declines, is decoded and read as a record. CSV and FHIR are decoded and read record by record.
 * `verifyExportFile` gives the same answers, faster.
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
  for await (const batch of readByteLines(bytes)) {
    const problem = verifyJsonLines(verifier, batch, 0);
    if (problem) return problem;
  }
  return verifier.finish();
}

/** The lines of one batch, in order, until the first problem; line numbers `numberedFrom` on from the batch's. */
function verifyJsonLines(verifier: ExportVerifier, { bytes, start: firstStart, ends, firstNumber, unterminated }: ByteLines, numberedFrom: number): VerificationFailure | null {
  let start = firstStart;
  for (let index = 0; index < ends.length; start = (ends[index] ?? 0) + 1, index++) {
    const end = ends[index] ?? 0;
    const fast = verifier.acceptNextEntryLine(bytes, start, end);
    if (fast !== undefined) {
      if (fast) return fast;
      continue;
    }
    const line = { text: bytes.toString('utf8', start, end), number: numberedFrom + firstNumber + index, terminated: !unterminated };
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

export interface VerifyExportFileOptions extends VerifyExportOptions {
  /**
   * 2: segments of a full JSON Lines export are checked on this thread and a worker thread at once;
   * 1: on this thread only. Unless given, 2 from `PARALLEL_MIN_BYTES`.
   */
  readonly threads?: 1 | 2;
  /** The largest segment (tests make it small); `SEGMENT_BYTES` unless given. */
  readonly segmentBytes?: number;
}

/**
 * From this size a file is verified on two threads. The worker thread is running some 50-100 ms
 * after it is first started (measured on the 2-core development machine; a process starts it once),
 * while one thread verifies some 190 MB/s.
 */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Segments are at most this large (some 6,500 entries of the bench's kind): small enough that the
 * two threads end close together whatever their speeds, large enough that a segment's own costs
 * (opening the file, a read buffer, a message to the worker) do not show.
 */
export const SEGMENT_BYTES = 4 * 1024 * 1024;

/**
 * What `clinloop audit verify FILE` runs. A full JSON Lines export is cut into segments at line
 * starts, each checked on its own (entry-segments.ts) - on two threads from `PARALLEL_MIN_BYTES`,
 * shared between this thread and the worker as each is free (`SegmentSchedule`) - and joined to the chain in file
 * order; whatever a segment did not accept (a problem, an entry of encoding 1, the trailer) is read
 * line by line as `verifyExport` reads it, so the answer is `verifyExport`'s. Any other export is
 * read by `verifyExport`.
 */
export async function verifyExportFile(file: string, options: VerifyExportFileOptions): Promise<VerificationResult> {
  const { size } = await stat(file);
  const handle = await open(file, 'r');
  let header: Buffer | null;
  try {
    header = await headerLine(handle, size);
  } finally {
    await handle.close();
  }
  if (header === null) return verifyExport(fileChunks(file, 0, size), options);
  const verifier = new ExportVerifier(options);
  const headerProblem = verifyJsonLines(verifier, { bytes: header, start: 0, ends: [header.length - 1], firstNumber: 1, unterminated: false }, 0);
  if (headerProblem) return headerProblem;
  const plan = verifier.segmentPlan();
  const threads = options.threads ?? (size >= PARALLEL_MIN_BYTES ? 2 : 1);
  const starts = plan === null ? [] : await segmentStarts(file, header.length, size, options.segmentBytes ?? SEGMENT_BYTES);
  const tasks = starts.map((from, index): SegmentTask => ({
    file,
    from,
    to: starts[index + 1] ?? size,
    maxSeq: plan?.maxSeq ?? 0,
    cuts: plan?.cuts ?? [],
    layout: ENTRY_LINE_LAYOUT,
    cancel: threads === 2 ? new Int32Array(new SharedArrayBuffer(4)) : null,
  }));
  const schedule = new SegmentSchedule(tasks, threads === 2);
  let offset = header.length;
  let lineNumber = 2;
  const readOn = async (to: number): Promise<VerificationFailure | null> => {
    const { problem, lines } = await verifyLinesOfFile(verifier, file, offset, to, lineNumber - 1);
    offset = to;
    lineNumber += lines;
    return problem;
  };
  try {
    for (const [index, task] of tasks.entries()) {
      if (offset < task.from) {
        const problem = await readOn(task.from);
        if (problem) return problem;
      }
      const segment = await schedule.resultOf(index);
      if (verifier.acceptSegment(segment)) {
        offset = segment.stoppedAt;
        lineNumber += segment.count;
        if (verifier.failure) return verifier.failure;
      }
    }
    const problem = await readOn(size);
    return problem ?? verifier.finish();
  } finally {
    schedule.cancel();
  }
}

/** How many segments past the one being joined may be checked and waiting: their digest records are held meanwhile. */
const MAX_AHEAD = 4;
/** Segments the worker thread is given at once, so it has the next when it finishes one. */
const WORKER_QUEUE = 2;

/**
 * Who checks which segment. Both threads take the next unchecked segment in file order: this thread
 * whenever the segment to be joined is not ready (up to MAX_AHEAD ahead), the worker whenever it has
 * fewer than WORKER_QUEUE. A thread that is slower - the worker while it starts, either one while
 * another process shares its core - simply checks fewer segments; results are joined in order.
 */
class SegmentSchedule {
  private readonly results: (SegmentResult | Promise<SegmentResult> | undefined)[] = [];
  private next = 0;
  private onWorker = 0;
  private cancelled = false;

  constructor(
    private readonly tasks: readonly SegmentTask[],
    private readonly withWorker: boolean,
  ) {}

  /** The result of segment `index` (every earlier one was asked for first), checking others on this thread meanwhile. */
  async resultOf(index: number): Promise<SegmentResult> {
    for (;;) {
      const result = this.results[index];
      if (result !== undefined && !(result instanceof Promise)) return result;
      if (result === undefined || (this.next < this.tasks.length && this.next - index < MAX_AHEAD)) {
        // The segment to join is unclaimed (then it is the next one), or the worker has it: check the next one here.
        const claimed = this.next++;
        this.feedWorker();
        const task = this.tasks[claimed];
        if (task) this.results[claimed] = checkSegment(SEGMENT_IO, hash, task);
        // Lets the worker's answers in, and gives it more.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      return await result;
    }
  }

  /** Stops what is still being checked: the verification is over. */
  cancel(): void {
    this.cancelled = true;
    for (const task of this.tasks) if (task.cancel) Atomics.store(task.cancel, 0, 1);
  }

  private feedWorker(): void {
    if (!this.withWorker || this.cancelled) return;
    while (this.onWorker < WORKER_QUEUE && this.next < this.tasks.length) {
      const index = this.next++;
      const task = this.tasks[index];
      if (!task) continue;
      this.onWorker++;
      const pending = SegmentThread.shared()
        .check(task)
        .then((result) => {
          this.results[index] = result;
          return result;
        })
        .finally(() => {
          this.onWorker--;
          this.feedWorker();
        });
      // Answered even when the verification ends first; a failure is thrown where the result is awaited.
      pending.catch(() => undefined);
      this.results[index] = pending;
    }
  }
}

const SEGMENT_IO: SegmentIo = { openSync, readSync, closeSync };

const ENTRY_LINE_LAYOUT: EntryLineLayout = fullEntryLineLayout(entryHashPrefixV2());

/** The file's first line with its LF, when it is the header of a JSON Lines export; null otherwise (read by `verifyExport`). */
async function headerLine(handle: FileHandle, size: number): Promise<Buffer | null> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < size; ) {
    const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(64 * 1024), position: at });
    if (bytesRead === 0) break;
    const piece = buffer.subarray(0, bytesRead);
    const newline = piece.indexOf(0x0a);
    pieces.push(newline < 0 ? piece : piece.subarray(0, newline + 1));
    if (newline >= 0) {
      const line = Buffer.concat(pieces);
      return bytesAt(line, 0, JSONL_START) ? line : null;
    }
    at += bytesRead;
  }
  return null;
}

/**
 * Where the segments of the lines in [from, size) start: `from`, then the line starts nearest after
 * even cuts of the bytes, no segment larger than `segmentBytes` (but for a longer line).
 */
async function segmentStarts(file: string, from: number, size: number, segmentBytes: number): Promise<number[]> {
  const bytes = size - from;
  if (bytes <= 0) return [];
  const count = Math.max(1, Math.ceil(bytes / segmentBytes));
  const starts = [from];
  const handle = await open(file, 'r');
  try {
    let reached = from;
    for (let index = 1; index < count; index++) {
      const cut = from + Math.floor((index * bytes) / count);
      // A cut inside the line of the previous start would find the same start again.
      if (cut <= reached) continue;
      reached = await lineStartFrom(handle, cut, size);
      if (reached < size) starts.push(reached);
    }
  } finally {
    await handle.close();
  }
  return starts;
}

/** The first line start at or after `at` (`at` itself when the byte before it is an LF), or `size`. */
async function lineStartFrom(handle: FileHandle, at: number, size: number): Promise<number> {
  const window = Buffer.alloc(64 * 1024);
  for (let position = at - 1; position < size; position += window.length) {
    const { bytesRead } = await handle.read({ buffer: window, position });
    if (bytesRead === 0) break;
    const newline = window.subarray(0, bytesRead).indexOf(0x0a);
    if (newline >= 0) return position + newline + 1;
  }
  return size;
}

/** Lines of the file in [from, to), which start and end at line starts (or the file's end), as `verifyExport` reads them. */
async function verifyLinesOfFile(verifier: ExportVerifier, file: string, from: number, to: number, numberedFrom: number): Promise<{ problem: VerificationFailure | null; lines: number }> {
  let lines = 0;
  if (to <= from) return { problem: null, lines };
  for await (const batch of readByteLines(fileChunks(file, from, to))) {
    const problem = verifyJsonLines(verifier, batch, numberedFrom);
    if (problem) return { problem, lines };
    lines += batch.ends.length;
  }
  return { problem: null, lines };
}

async function* fileChunks(file: string, from: number, to: number): AsyncGenerator<Buffer> {
  if (to <= from) return;
  const stream = createReadStream(file, { start: from, end: to - 1, highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}
