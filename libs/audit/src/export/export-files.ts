import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { KeyObject } from 'node:crypto';
import { SignedCheckpoint } from '../checkpoint';
import { VerificationResult } from '../verification';
import { CsvExportWriter, readCsvRecords } from './csv-format';
import { ExportFormat, ExportRecord, ReadExportRecord } from './export-records';
import { ExportVerifier } from './export-verifier';
import { FhirExportWriter, readFhirRecords } from './fhir-format';
import { ENTRY_FRAME_START, jsonlChunk, jsonlRecordsOf, VerifierRecord } from './jsonl-format';
import { LineSpans, readLineBatches, readLineSpans, TextLine } from './text-lines';

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
 * Verifies an export from any text source (a file stream, a string in tests), stopping at the first
 * problem. Entry lines of a full JSON Lines export take the verifier's hot path where they can;
 * every other line, and any line that path declines, is read as a record.
 */
export async function verifyExport(chunks: AsyncIterable<string>, options: VerifyExportOptions): Promise<VerificationResult> {
  const verifier = new ExportVerifier(options);
  const spans = readLineSpans(chunks);
  const first = await spans.next();
  if (first.done) return verifier.finish();
  if (!first.value.text.startsWith('{"record"')) {
    for await (const records of readBatches(textBatches(first.value, spans), false)) {
      for (const record of records) {
        const problem = verifier.accept(record);
        if (problem) return problem;
      }
    }
    return verifier.finish();
  }
  for (let batch: IteratorResult<LineSpans> = first; !batch.done; batch = await spans.next()) {
    const { text, ends } = batch.value;
    let start = 0;
    for (let index = 0; index < ends.length; start = (ends[index] ?? 0) + 1, index++) {
      const end = ends[index] ?? 0;
      const fast = text.startsWith(ENTRY_FRAME_START, start) ? verifier.acceptNextEntryLine(text, start, end) : undefined;
      if (fast !== undefined) {
        if (fast) return fast;
        continue;
      }
      const line = { text: text.slice(start, end), number: batch.value.firstNumber + index, terminated: !batch.value.unterminated };
      for (const record of jsonlRecordsOf([line], true)) {
        const problem = verifier.accept(record);
        if (problem) return problem;
      }
    }
  }
  return verifier.finish();
}

/** Spans back as decoded text chunks, for the readers of CSV and FHIR. */
async function* textBatches(first: LineSpans, rest: AsyncIterator<LineSpans>): AsyncGenerator<string> {
  for (let batch: IteratorResult<LineSpans> = { done: false, value: first }; !batch.done; batch = await rest.next()) {
    const { text, ends, unterminated } = batch.value;
    const last = ends[ends.length - 1] ?? 0;
    yield unterminated ? text : text.slice(0, last + 1);
  }
}

export async function verifyExportFile(file: string, options: VerifyExportOptions): Promise<VerificationResult> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    return await verifyExport(stream, options);
  } finally {
    stream.destroy();
  }
}
