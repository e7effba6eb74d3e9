import { createHash, Hash } from 'node:crypto';
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES, AuditActorType, AuditEntry, AuditOutcome, JsonObject } from '../audit-entry';
import { isAuditTimestamp, isHexHash } from '../canonical-encoding';
import { canonicalJson } from '../canonical-json';
import { SignedCheckpoint } from '../checkpoint';

/**
 * The logical content of an export, whatever the file format: a header, the entries, optional
 * consistency proofs, and a trailer. Writers turn records into JSON Lines, CSV or a FHIR Bundle;
 * readers turn files back into the same records for the verifier.
 */

export const EXPORT_FORMATS = ['jsonl', 'csv', 'fhir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `full`: every entry from seq 1 to the checkpoint, chained. `filtered`: matching entries, each with an inclusion proof. */
export type ExportMode = 'full' | 'filtered';

export interface ExportFilters {
  /** Inclusive lower bound on recordedAt (entry time format). */
  readonly from: string | null;
  /** Exclusive upper bound on recordedAt. */
  readonly to: string | null;
  readonly patientId: string | null;
  readonly actorId: string | null;
  readonly action: string | null;
}

export const NO_FILTERS: ExportFilters = { from: null, to: null, patientId: null, actorId: null, action: null };

export function isUnfiltered(filters: ExportFilters): boolean {
  return Object.values(filters).every((value) => value === null);
}

/** RFC 9162 inclusion proof of entry `leafIndex + 1` in the tree of the covering checkpoint. */
export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly path: readonly string[];
}

export interface ExportHeader {
  readonly kind: 'header';
  readonly formatVersion: 1;
  readonly mode: ExportMode;
  readonly filters: ExportFilters;
  readonly exportedAt: string;
  /** The covering checkpoint, here so a verifier can check proofs while it streams; repeated in the trailer. */
  readonly checkpoint: SignedCheckpoint;
}

export interface ExportEntryRecord {
  readonly kind: 'entry';
  readonly entry: AuditEntry;
  readonly proof: InclusionProof | null;
}

/** RFC 9162 consistency proof from a checkpoint the auditor trusts to the covering checkpoint. */
export interface ExportConsistencyRecord {
  readonly kind: 'consistency';
  readonly fromSize: number;
  readonly fromRoot: string;
  readonly toSize: number;
  readonly toRoot: string;
  readonly path: readonly string[];
}

export interface ExportTrailer {
  readonly kind: 'trailer';
  readonly checkpoint: SignedCheckpoint;
  readonly entryCount: number;
  readonly entriesDigest: string;
  /** Ed25519 over `exportManifestMessage`: binds header, entry count and digest, so a filtered export cannot lose entries unnoticed. */
  readonly manifestSignature: string;
}

/** What a reader yields for a record it cannot parse; the verifier reports it as `malformed`. */
export interface MalformedRecord {
  readonly kind: 'malformed';
  readonly location: string;
  readonly seq: number | null;
  readonly message: string;
  /** The record parsed, but an element outside the hashed fields was changed (FHIR): an edit, not damage. */
  readonly altered?: boolean;
}

export type ExportRecord = ExportHeader | ExportEntryRecord | ExportConsistencyRecord | ExportTrailer;
export type ReadExportRecord = ExportRecord | MalformedRecord;

export const EXPORT_MANIFEST_HEADER = 'clinloop-audit-export/v1';

export interface ExportManifest {
  readonly mode: ExportMode;
  readonly filters: ExportFilters;
  readonly exportedAt: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly entryCount: number;
  readonly entriesDigest: string;
  readonly keyId: string;
}

/** The bytes the manifest signature covers: LF-terminated `name: value` lines, like a checkpoint. */
export function exportManifestMessage(manifest: ExportManifest): Buffer {
  return Buffer.from(
    [
      EXPORT_MANIFEST_HEADER,
      `mode: ${manifest.mode}`,
      `filters: ${canonicalJson(manifest.filters)}`,
      `exported-at: ${manifest.exportedAt}`,
      `tree-size: ${manifest.treeSize}`,
      `root: ${manifest.rootHash}`,
      `entry-count: ${manifest.entryCount}`,
      `entries-digest: ${manifest.entriesDigest}`,
      `key-id: ${manifest.keyId}`,
      '',
    ].join('\n'),
    'utf8',
  );
}

/** SHA-256 over `u64be(seq) || hash` of every exported entry, in file order. */
export class EntriesDigest {
  private readonly digest: Hash = createHash('sha256');
  private entries = 0;

  add(seq: number, entryHash: string): void {
    const chunk = Buffer.allocUnsafe(40);
    chunk.writeBigUInt64BE(BigInt(seq), 0);
    chunk.write(entryHash, 8, 'hex');
    this.digest.update(chunk);
    this.entries++;
  }

  get count(): number {
    return this.entries;
  }

  finish(): string {
    return this.digest.digest('hex');
  }
}

/** An entry as a JSON object, fields in canonical order (JSON Lines exports). */
export function entryToJson(entry: AuditEntry): Record<string, unknown> {
  return {
    seq: entry.seq,
    recordedAt: entry.recordedAt,
    actorType: entry.actorType,
    actorId: entry.actorId,
    actorRole: entry.actorRole,
    actorOrganizationId: entry.actorOrganizationId,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    patientId: entry.patientId,
    outcome: entry.outcome,
    reason: entry.reason,
    requestId: entry.requestId,
    payload: entry.payload,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

/** Strict: every field present with the right type (null is not the same as missing). */
export function parseEntryJson(value: unknown): AuditEntry | string {
  if (typeof value !== 'object' || value === null) return 'an entry must be a JSON object';
  const r = value as Record<string, unknown>;
  const seq = r.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return 'seq must be a whole number >= 1';
  const recordedAt = r.recordedAt;
  if (typeof recordedAt !== 'string' || !isAuditTimestamp(recordedAt)) return 'recordedAt must be a UTC time with six fractional digits';
  const actorType = r.actorType;
  if (typeof actorType !== 'string' || !(AUDIT_ACTOR_TYPES as readonly string[]).includes(actorType)) return 'actorType must be user or system';
  const outcome = r.outcome;
  if (typeof outcome !== 'string' || !(AUDIT_OUTCOMES as readonly string[]).includes(outcome)) return 'outcome must be success, failure or denied';
  const payload = r.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'payload must be a JSON object';
  const prevHash = r.prevHash;
  const entryHash = r.hash;
  if (typeof prevHash !== 'string' || !isHexHash(prevHash)) return 'prevHash must be 64 lowercase hex digits';
  if (typeof entryHash !== 'string' || !isHexHash(entryHash)) return 'hash must be 64 lowercase hex digits';
  const texts = readTexts(r, ['actorId', 'action', 'resourceType'], ['actorRole', 'actorOrganizationId', 'resourceId', 'patientId', 'reason', 'requestId']);
  if (typeof texts === 'string') return texts;
  return {
    seq,
    recordedAt,
    actorType: actorType as AuditActorType,
    actorId: texts.actorId ?? '',
    actorRole: texts.actorRole ?? null,
    actorOrganizationId: texts.actorOrganizationId ?? null,
    action: texts.action ?? '',
    resourceType: texts.resourceType ?? '',
    resourceId: texts.resourceId ?? null,
    patientId: texts.patientId ?? null,
    outcome: outcome as AuditOutcome,
    reason: texts.reason ?? null,
    requestId: texts.requestId ?? null,
    payload: payload as JsonObject,
    prevHash,
    hash: entryHash,
  };
}

function readTexts(record: Record<string, unknown>, required: readonly string[], optional: readonly string[]): Record<string, string | null> | string {
  const texts: Record<string, string | null> = {};
  for (const field of required) {
    const value = record[field];
    if (typeof value !== 'string') return `${field} must be a string`;
    texts[field] = value;
  }
  for (const field of optional) {
    const value = record[field];
    if (value !== null && typeof value !== 'string') return `${field} must be a string or null`;
    texts[field] = value;
  }
  return texts;
}

export function parseInclusionProof(value: unknown): InclusionProof | null | string {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'proof must be an object or null';
  const { leafIndex, treeSize, path } = value as Record<string, unknown>;
  if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0) return 'proof.leafIndex must be a whole number >= 0';
  if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 1) return 'proof.treeSize must be a whole number >= 1';
  const hashes = parseHashList(path);
  if (typeof hashes === 'string') return `proof.path ${hashes}`;
  return { leafIndex, treeSize, path: hashes };
}

export function parseHashList(value: unknown): string[] | string {
  if (!Array.isArray(value)) return 'must be a list of hashes';
  const hashes: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || !isHexHash(item)) return 'must hold 64-digit lowercase hex hashes';
    hashes.push(item);
  }
  return hashes;
}

export function parseFilters(value: unknown): ExportFilters | string {
  if (typeof value !== 'object' || value === null) return 'filters must be an object';
  const record = value as Record<string, unknown>;
  const read = (key: keyof ExportFilters): string | null | undefined => {
    const item = record[key];
    return item === null || typeof item === 'string' ? item : undefined;
  };
  const [from, to, patientId, actorId, action] = [read('from'), read('to'), read('patientId'), read('actorId'), read('action')];
  if (from === undefined || to === undefined || patientId === undefined || actorId === undefined || action === undefined) {
    return 'filters must hold from, to, patientId, actorId and action, each a string or null';
  }
  return { from, to, patientId, actorId, action };
}
