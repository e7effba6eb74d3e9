import { checkpointJson, parseCheckpoint } from '../checkpoint';
import {
  entryToJson,
  ExportRecord,
  parseEntryJson,
  parseFilters,
  parseHashList,
  parseInclusionProof,
  ReadExportRecord,
} from './export-records';

/** Every record as one JSON object with a `record` discriminator: the JSON Lines format, and the `meta` of CSV rows. */
export function recordToJson(record: ExportRecord): Record<string, unknown> {
  switch (record.kind) {
    case 'header':
      return {
        record: 'header',
        formatVersion: record.formatVersion,
        mode: record.mode,
        filters: record.filters,
        exportedAt: record.exportedAt,
        checkpoint: checkpointJson(record.checkpoint),
      };
    case 'entry':
      return { record: 'entry', ...entryToJson(record.entry), proof: record.proof };
    case 'consistency':
      return { record: 'consistency', fromSize: record.fromSize, fromRoot: record.fromRoot, toSize: record.toSize, toRoot: record.toRoot, path: record.path };
    case 'trailer':
      return {
        record: 'trailer',
        checkpoint: checkpointJson(record.checkpoint),
        entryCount: record.entryCount,
        entriesDigest: record.entriesDigest,
        manifestSignature: record.manifestSignature,
      };
  }
}

export function recordFromJson(value: unknown, location: string): ReadExportRecord {
  const malformed = (message: string, seq: number | null = null): ReadExportRecord => ({ kind: 'malformed', location, seq, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('not a JSON object');
  const r = value as Record<string, unknown>;
  switch (r.record) {
    case 'header': {
      if (r.formatVersion !== 1) return malformed(`unsupported formatVersion ${String(r.formatVersion)}`);
      if (r.mode !== 'full' && r.mode !== 'filtered') return malformed('mode must be full or filtered');
      if (typeof r.exportedAt !== 'string') return malformed('exportedAt must be a string');
      const filters = parseFilters(r.filters);
      if (typeof filters === 'string') return malformed(filters);
      const checkpoint = parseCheckpoint(r.checkpoint);
      if (typeof checkpoint === 'string') return malformed(`header checkpoint: ${checkpoint}`);
      return { kind: 'header', formatVersion: 1, mode: r.mode, filters, exportedAt: r.exportedAt, checkpoint };
    }
    case 'entry': {
      const seq = typeof r.seq === 'number' ? r.seq : null;
      const entry = parseEntryJson(r);
      if (typeof entry === 'string') return malformed(entry, seq);
      const proof = parseInclusionProof(r.proof ?? null);
      if (typeof proof === 'string') return malformed(proof, seq);
      return { kind: 'entry', entry, proof };
    }
    case 'consistency': {
      const { fromSize, fromRoot, toSize, toRoot } = r;
      if (typeof fromSize !== 'number' || typeof toSize !== 'number' || typeof fromRoot !== 'string' || typeof toRoot !== 'string') {
        return malformed('a consistency record needs fromSize, fromRoot, toSize and toRoot');
      }
      const path = parseHashList(r.path);
      if (typeof path === 'string') return malformed(`consistency path ${path}`);
      return { kind: 'consistency', fromSize, fromRoot, toSize, toRoot, path };
    }
    case 'trailer': {
      const checkpoint = parseCheckpoint(r.checkpoint);
      if (typeof checkpoint === 'string') return malformed(`trailer checkpoint: ${checkpoint}`);
      const { entryCount, entriesDigest, manifestSignature } = r;
      if (typeof entryCount !== 'number' || typeof entriesDigest !== 'string' || typeof manifestSignature !== 'string') {
        return malformed('the trailer needs entryCount, entriesDigest and manifestSignature');
      }
      return { kind: 'trailer', checkpoint, entryCount, entriesDigest, manifestSignature };
    }
    default:
      return malformed(`unknown record type ${JSON.stringify(r.record)}`);
  }
}
