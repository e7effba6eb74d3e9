import { ExportRecord, ReadExportRecord } from './export-records';
import { recordFromJson, recordToJson } from './record-json';
import { TextLine } from './text-lines';

/** JSON Lines: one record per line, header first, trailer last. */
export function jsonlChunk(record: ExportRecord): string {
  return `${JSON.stringify(recordToJson(record))}\n`;
}

export async function* readJsonlRecords(lines: AsyncIterable<TextLine>): AsyncGenerator<ReadExportRecord> {
  for await (const line of lines) {
    if (line.text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      // A half-written last line is a cut-off file, which the verifier reports as truncated.
      if (!line.terminated) return;
      yield { kind: 'malformed', location: `line ${line.number}`, seq: null, message: 'not valid JSON' };
      continue;
    }
    yield recordFromJson(value, `line ${line.number}`);
  }
}
