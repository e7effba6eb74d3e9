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
import { jsonlChunk, readJsonlRecords } from './jsonl-format';
import { readLines, TextLine } from './text-lines';

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

/** Reads any of the three formats, recognised by the first line. */
export async function* readExportRecords(chunks: AsyncIterable<string>): AsyncGenerator<ReadExportRecord> {
  const lines = readLines(chunks);
  const first = await lines.next();
  if (first.done) return;
  const all = prepend(first.value, lines);
  const text = first.value.text;
  if (text.startsWith('{"record"')) yield* readJsonlRecords(all);
  else if (text.startsWith('record,seq,')) yield* readCsvRecords(all);
  else if (text.startsWith('{"resourceType":"Bundle"')) yield* readFhirRecords(all);
  else if (first.value.terminated) yield { kind: 'malformed', location: 'line 1', seq: null, message: 'not a ClinLoop audit export (JSON Lines, CSV or FHIR Bundle)' };
}

async function* prepend(first: TextLine, rest: AsyncIterable<TextLine>): AsyncGenerator<TextLine> {
  yield first;
  yield* rest;
}

export interface VerifyExportOptions {
  readonly publicKey: KeyObject;
  readonly trusted: readonly SignedCheckpoint[];
}

/** Verifies an export from any text source (a file stream, a string in tests), stopping at the first problem. */
export async function verifyExport(chunks: AsyncIterable<string>, options: VerifyExportOptions): Promise<VerificationResult> {
  const verifier = new ExportVerifier(options);
  for await (const record of readExportRecords(chunks)) {
    const problem = verifier.accept(record);
    if (problem) return problem;
  }
  return verifier.finish();
}

export async function verifyExportFile(file: string, options: VerifyExportOptions): Promise<VerificationResult> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    return await verifyExport(stream, options);
  } finally {
    stream.destroy();
  }
}
