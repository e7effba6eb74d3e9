import { AuditEntry } from '../audit-entry';
import { canonicalJson } from '../canonical-json';
import { ExportRecord, parseEntryJson, parseInclusionProof, ReadExportRecord } from './export-records';
import { recordFromJson, recordToJson } from './record-json';
import { TextLine } from './text-lines';

/**
 * CSV (RFC 4180, LF line ends). Entry rows spread the entry over one column per field; header,
 * consistency and trailer rows carry their JSON in `meta`. As in PostgreSQL's CSV COPY, an
 * unquoted empty field is NULL and `""` is the empty string, because the hash tells them apart.
 * Every text value is quoted; `payload` holds the canonical JSON of the payload. An entry row's
 * `meta` names its encoding when it is not 1; the verifier re-encodes the entry from the columns.
 */
export const CSV_COLUMNS = [
  'record',
  'seq',
  'recorded_at',
  'actor_type',
  'actor_id',
  'actor_role',
  'actor_organization_id',
  'action',
  'resource_type',
  'resource_id',
  'patient_id',
  'outcome',
  'reason',
  'request_id',
  'payload',
  'prev_hash',
  'hash',
  'proof',
  'meta',
] as const;

const HEADER_LINE = `${CSV_COLUMNS.join(',')}\n`;

function quote(value: string | null): string {
  return value === null ? '' : `"${value.replace(/"/g, '""')}"`;
}

export class CsvExportWriter {
  private headerWritten = false;

  chunk(record: ExportRecord): string {
    const prefix = this.headerWritten ? '' : HEADER_LINE;
    this.headerWritten = true;
    return `${prefix}${record.kind === 'entry' ? entryRow(record.entry, record.proof === null ? null : JSON.stringify(record.proof)) : metaRow(record)}\n`;
  }
}

function entryRow(entry: AuditEntry, proof: string | null): string {
  return [
    'entry',
    String(entry.seq),
    quote(entry.recordedAt),
    quote(entry.actorType),
    quote(entry.actorId),
    quote(entry.actorRole),
    quote(entry.actorOrganizationId),
    quote(entry.action),
    quote(entry.resourceType),
    quote(entry.resourceId),
    quote(entry.patientId),
    quote(entry.outcome),
    quote(entry.reason),
    quote(entry.requestId),
    quote(canonicalJson(entry.payload)),
    quote(entry.prevHash),
    quote(entry.hash),
    quote(proof),
    entry.encoding === 1 ? '' : quote(ENCODING_2_META),
  ].join(',');
}

/** The `meta` of an entry row of encoding 2; an entry row of encoding 1 has none. */
const ENCODING_2_META = '{"encoding":2}';

function metaRow(record: Exclude<ExportRecord, { kind: 'entry' }>): string {
  return [record.kind, ...Array<string>(CSV_COLUMNS.length - 2).fill(''), quote(JSON.stringify(recordToJson(record)))].join(',');
}

/** A parsed field: `null` for an unquoted empty field. */
type CsvField = string | null;

export async function* readCsvRecords(lines: AsyncIterable<TextLine>): AsyncGenerator<ReadExportRecord> {
  const iterator = lines[Symbol.asyncIterator]();
  let headerChecked = false;
  for (;;) {
    const first = await iterator.next();
    if (first.done) return;
    if (first.value.text === '' && first.value.terminated) continue;
    const location = `line ${first.value.number}`;
    const parsed = await parseCsvRecord(first.value, iterator);
    if (!('fields' in parsed)) {
      // A record cut off by the end of the file is a truncated export, which the verifier reports.
      if (parsed.problem === null) return;
      yield { kind: 'malformed', location, seq: null, message: parsed.problem };
      continue;
    }
    if (!headerChecked) {
      headerChecked = true;
      if (parsed.fields.join(',') !== CSV_COLUMNS.join(',')) yield { kind: 'malformed', location, seq: null, message: 'the first line must name the columns' };
      continue;
    }
    const record = csvRowToRecord(parsed.fields, location);
    // The last row without its newline may be cut anywhere, even right after a quote.
    if (record.kind === 'malformed' && !parsed.terminated) return;
    yield record;
  }
}

/** Why a CSV record could not be read; `problem: null` when the file ends inside it. */
interface CsvProblem {
  readonly problem: string | null;
}

const CUT_OFF: CsvProblem = { problem: null };

/** One CSV record starting at `line`, pulling further lines while a quoted field is open (a value with a newline). */
async function parseCsvRecord(line: TextLine, more: AsyncIterator<TextLine>): Promise<{ fields: CsvField[]; terminated: boolean } | CsvProblem> {
  const fields: CsvField[] = [];
  let text = line.text;
  let terminated = line.terminated;
  let position = 0;
  for (;;) {
    if (text[position] === '"') {
      let value = '';
      position++;
      for (;;) {
        const close = text.indexOf('"', position);
        if (close < 0) {
          value += text.slice(position);
          const next = await more.next();
          if (next.done || !terminated) return CUT_OFF;
          value += '\n';
          text = next.value.text;
          terminated = next.value.terminated;
          position = 0;
          continue;
        }
        value += text.slice(position, close);
        if (text[close + 1] === '"') {
          value += '"';
          position = close + 2;
          continue;
        }
        position = close + 1;
        break;
      }
      fields.push(value);
    } else {
      const comma = text.indexOf(',', position);
      const raw = comma < 0 ? text.slice(position) : text.slice(position, comma);
      if (raw.includes('"')) return { problem: 'a quote inside an unquoted field' };
      fields.push(raw === '' ? null : raw);
      position = comma < 0 ? text.length : comma;
    }
    if (position >= text.length) break;
    if (text[position] !== ',') return { problem: 'a quoted field must be followed by a comma or the end of the line' };
    position++;
    if (position === text.length) {
      fields.push(null);
      break;
    }
  }
  if (!terminated && fields.length < CSV_COLUMNS.length) return CUT_OFF;
  return { fields, terminated };
}

function csvRowToRecord(fields: readonly CsvField[], location: string): ReadExportRecord {
  if (fields.length !== CSV_COLUMNS.length) return { kind: 'malformed', location, seq: null, message: `expected ${CSV_COLUMNS.length} columns, found ${fields.length}` };
  const column = (name: (typeof CSV_COLUMNS)[number]): CsvField => fields[CSV_COLUMNS.indexOf(name)] ?? null;
  const kind = column('record');
  if (kind !== 'entry') {
    const meta = column('meta');
    if (meta === null) return { kind: 'malformed', location, seq: null, message: `a ${String(kind)} row needs its meta JSON` };
    const value = parseJson(meta);
    if (value === undefined) return { kind: 'malformed', location, seq: null, message: 'meta is not valid JSON' };
    if (typeof value === 'object' && value !== null && (value as Record<string, unknown>).record !== kind) {
      return { kind: 'malformed', location, seq: null, message: `the record column says ${String(kind)} but meta says otherwise` };
    }
    return recordFromJson(value, location);
  }
  const seqText = column('seq');
  const seq = seqText !== null && /^[1-9]\d{0,15}$/.test(seqText) ? Number(seqText) : null;
  if (seq === null) return { kind: 'malformed', location, seq: null, message: 'seq must be a whole number >= 1' };
  const payloadText = column('payload');
  const payload = payloadText === null ? undefined : parseJson(payloadText);
  const proofText = column('proof');
  const proofValue = proofText === null ? null : parseJson(proofText);
  const meta = column('meta');
  if (meta !== null && meta !== ENCODING_2_META) return { kind: 'malformed', location, seq, message: `the meta of an entry row is empty (encoding 1) or ${ENCODING_2_META}` };
  const entry = parseEntryJson({
    encoding: meta === null ? 1 : 2,
    seq,
    recordedAt: column('recorded_at'),
    actorType: column('actor_type'),
    actorId: column('actor_id'),
    actorRole: column('actor_role'),
    actorOrganizationId: column('actor_organization_id'),
    action: column('action'),
    resourceType: column('resource_type'),
    resourceId: column('resource_id'),
    patientId: column('patient_id'),
    outcome: column('outcome'),
    reason: column('reason'),
    requestId: column('request_id'),
    payload,
    prevHash: column('prev_hash'),
    hash: column('hash'),
  });
  if (typeof entry === 'string') return { kind: 'malformed', location, seq, message: entry };
  if (canonicalOrNull(entry.payload) !== payloadText) return { kind: 'malformed', location, seq, message: 'payload is not in canonical JSON form' };
  const proof = parseInclusionProof(proofValue ?? null);
  if (typeof proof === 'string') return { kind: 'malformed', location, seq, message: proof };
  return { kind: 'entry', entry, proof };
}

function canonicalOrNull(value: unknown): string | null {
  try {
    return canonicalJson(value);
  } catch {
    return null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
