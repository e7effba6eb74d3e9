import { ExportRecord, ReadExportRecord } from './export-records';
import { recordFromJson, recordToJson } from './record-json';
import { TextLine } from './text-lines';

/** JSON Lines: one record per line, header first, trailer last. */
export function jsonlChunk(record: ExportRecord): string {
  return `${JSON.stringify(recordToJson(record))}\n`;
}

/** The records of some lines, in order; lines need no context, so this runs synchronously over a whole batch. */
export function jsonlRecordsOf(lines: readonly TextLine[]): ReadExportRecord[] {
  const records: ReadExportRecord[] = [];
  for (const line of lines) {
    if (line.text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      // A half-written last line is a cut-off file, which the verifier reports as truncated.
      if (line.terminated) records.push({ kind: 'malformed', location: `line ${line.number}`, seq: null, message: 'not valid JSON' });
      continue;
    }
    records.push(recordFromJson(value, `line ${line.number}`));
  }
  return records;
}
