import {
  AuditEntry,
  entryHash,
  exportChunker,
  ExportFormat,
  ExportRecord,
  readExportRecords,
} from '@clinloop/audit';

/**
 * What an attacker with the export file (or the database) can do to one entry. Each tampering is
 * applied at a position of the entry list; the tests expect the verifier to name the seq.
 */
export type Tampering = 'edit' | 'edit-and-rehash' | 'delete' | 'insert' | 'swap-with-next';

export async function collectRecords(records: AsyncIterable<ExportRecord>): Promise<ExportRecord[]> {
  const collected: ExportRecord[] = [];
  for await (const record of records) collected.push(record);
  return collected;
}

/** Parses an export text back into records; fails the test on anything malformed. */
export async function parseExportText(text: string): Promise<ExportRecord[]> {
  const records: ExportRecord[] = [];
  for await (const record of readExportRecords(chunksOf(text))) {
    if (record.kind === 'malformed') throw new Error(`untampered export did not parse: ${record.location}: ${record.message}`);
    records.push(record);
  }
  return records;
}

export function renderExport(records: readonly ExportRecord[], format: ExportFormat): string {
  const chunker = exportChunker(format);
  return records.map((record) => chunker.chunk(record)).join('');
}

/** Text as a stream of small chunks, so readers meet lines and characters split across chunks. */
export async function* chunksOf(text: string, size = 97): AsyncGenerator<string> {
  for (let offset = 0; offset < text.length; offset += size) {
    await Promise.resolve();
    yield text.slice(offset, offset + size);
  }
}

export function entryPositions(records: readonly ExportRecord[]): number[] {
  return records.flatMap((record, index) => (record.kind === 'entry' ? [index] : []));
}

function entryAt(records: readonly ExportRecord[], position: number): Extract<ExportRecord, { kind: 'entry' }> {
  const record = records[position];
  if (record?.kind !== 'entry') throw new Error(`record ${position} is not an entry`);
  return record;
}

/** A changed field the hash covers, with the hashes left as they were. */
export function editedEntry(entry: AuditEntry): AuditEntry {
  return { ...entry, reason: `${entry.reason ?? ''} (tampered)` };
}

/** A changed field with the entry's own hash recomputed: only the chain (or the proof) can tell. */
export function rehashedEntry(entry: AuditEntry): AuditEntry {
  const edited = editedEntry(entry);
  return { ...edited, hash: entryHash(edited, edited.prevHash, edited.encoding) };
}

/** Applies one tampering to the entry at `position` of `records` (an index into the record list). */
export function tamper(records: readonly ExportRecord[], position: number, tampering: Tampering): ExportRecord[] {
  const copy = [...records];
  const record = entryAt(records, position);
  switch (tampering) {
    case 'edit':
      copy[position] = { ...record, entry: editedEntry(record.entry) };
      return copy;
    case 'edit-and-rehash':
      copy[position] = { ...record, entry: rehashedEntry(record.entry) };
      return copy;
    case 'delete':
      copy.splice(position, 1);
      return copy;
    case 'insert': {
      // A forged entry that claims this entry's place in the chain, correctly hashed and linked.
      const forged = { ...record.entry, reason: 'forged' };
      copy.splice(position, 0, { ...record, entry: { ...forged, hash: entryHash(forged, forged.prevHash, forged.encoding) } });
      return copy;
    }
    case 'swap-with-next': {
      const next = entryAt(records, position + 1);
      copy[position] = next;
      copy[position + 1] = record;
      return copy;
    }
  }
}
