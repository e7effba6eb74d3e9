import { createHash, Hash } from 'node:crypto';
import { AuditEntry, JsonObject } from '../audit-entry';
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
  /**
   * Entries of one organization: its people and components acting (actorOrganizationId), or the data
   * of its patients (patientId of a patient whose organization it is).
   */
  readonly organizationId: string | null;
}

export const NO_FILTERS: ExportFilters = { from: null, to: null, patientId: null, actorId: null, action: null, organizationId: null };

/** The filter names, in the order the header and the manifest list them. */
export const EXPORT_FILTER_NAMES: readonly (keyof ExportFilters)[] = ['from', 'to', 'patientId', 'actorId', 'action', 'organizationId'];

export function isUnfiltered(filters: ExportFilters): boolean {
  return EXPORT_FILTER_NAMES.every((name) => filters[name] === null);
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
  /** Records are collected and hashed a block at a time: a native call per entry costs about as much as the entry's own hash. */
  private readonly pending = Buffer.allocUnsafe(DIGEST_RECORD_BYTES * DIGEST_BLOCK_RECORDS);
  private pendingBytes = 0;
  private entries = 0;

  add(seq: number, entryHash: string): void {
    const at = this.pendingBytes;
    // seq < 2^53: high and low 32-bit words, without a BigInt per entry.
    this.pending.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), at);
    this.pending.writeUInt32BE(seq % 0x1_0000_0000, at + 4);
    if (this.pending.write(entryHash, at + 8, 'hex') !== 32) throw new RangeError(`not an entry hash: ${entryHash}`);
    this.pendingBytes += DIGEST_RECORD_BYTES;
    this.entries++;
    if (this.pendingBytes === this.pending.length) this.flush();
  }

  /** `add` with the hash as its 32 bytes, as the export verifier decodes it from the line. */
  addBytes(seq: number, entryHash: Uint8Array): void {
    const at = this.pendingBytes;
    this.pending.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), at);
    this.pending.writeUInt32BE(seq % 0x1_0000_0000, at + 4);
    if (entryHash.length !== 32) throw new RangeError('not an entry hash');
    for (let index = 0; index < 32; index++) this.pending[at + 8 + index] = entryHash[index] ?? 0;
    this.pendingBytes += DIGEST_RECORD_BYTES;
    this.entries++;
    if (this.pendingBytes === this.pending.length) this.flush();
  }

  /** `count` records as `add` makes them (`u64be(seq) || hash`, 40 bytes each), in order. */
  addRecords(records: Uint8Array, count: number): void {
    if (records.length !== DIGEST_RECORD_BYTES * count) throw new RangeError(`${count} digest records are ${DIGEST_RECORD_BYTES * count} bytes, not ${records.length}`);
    this.flush();
    this.digest.update(records);
    this.entries += count;
  }

  get count(): number {
    return this.entries;
  }

  finish(): string {
    this.flush();
    return this.digest.digest('hex');
  }

  private flush(): void {
    if (this.pendingBytes > 0) this.digest.update(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }
}

const DIGEST_RECORD_BYTES = 40;
const DIGEST_BLOCK_RECORDS = 1024;

/** An entry of encoding 1 as a JSON object, fields in canonical order (the JSON Lines entry line of encoding 1). */
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

/**
 * Strict: every field present with the right type (null is not the same as missing). `encoding` is
 * 1 when absent: the entry lines and rows of encoding 1 never named it.
 */
export function parseEntryJson(value: unknown): AuditEntry | string {
  if (typeof value !== 'object' || value === null) return 'an entry must be a JSON object';
  const r = value as Record<string, unknown>;
  const encoding = r.encoding === undefined ? 1 : r.encoding;
  if (encoding !== 1 && encoding !== 2) return 'encoding must be 1 or 2';
  const { seq, recordedAt, actorType, actorId, actorRole, actorOrganizationId, action, resourceType, resourceId, patientId, outcome, reason, requestId, payload, prevHash, hash } = r;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return 'seq must be a whole number >= 1';
  if (typeof recordedAt !== 'string' || !isAuditTimestamp(recordedAt)) return 'recordedAt must be a UTC time with six fractional digits';
  if (actorType !== 'user' && actorType !== 'system') return 'actorType must be user or system';
  if (outcome !== 'success' && outcome !== 'failure' && outcome !== 'denied') return 'outcome must be success, failure or denied';
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'payload must be a JSON object';
  if (typeof prevHash !== 'string' || !isHexHash(prevHash)) return 'prevHash must be 64 lowercase hex digits';
  if (typeof hash !== 'string' || !isHexHash(hash)) return 'hash must be 64 lowercase hex digits';
  if (typeof actorId !== 'string') return 'actorId must be a string';
  if (typeof action !== 'string') return 'action must be a string';
  if (typeof resourceType !== 'string') return 'resourceType must be a string';
  if (!isNullableText(actorRole)) return 'actorRole must be a string or null';
  if (!isNullableText(actorOrganizationId)) return 'actorOrganizationId must be a string or null';
  if (!isNullableText(resourceId)) return 'resourceId must be a string or null';
  if (!isNullableText(patientId)) return 'patientId must be a string or null';
  if (!isNullableText(reason)) return 'reason must be a string or null';
  if (!isNullableText(requestId)) return 'requestId must be a string or null';
  return {
    seq,
    recordedAt,
    actorType,
    actorId,
    actorRole,
    actorOrganizationId,
    action,
    resourceType,
    resourceId,
    patientId,
    outcome,
    reason,
    requestId,
    payload: payload as JsonObject,
    encoding,
    prevHash,
    hash,
  };
}

function isNullableText(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
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
  if (Object.keys(record).length !== EXPORT_FILTER_NAMES.length) return FILTERS_SHAPE;
  const read = (name: keyof ExportFilters): string | null | undefined => {
    const item = record[name];
    return item === null || typeof item === 'string' ? item : undefined;
  };
  const [from, to, patientId, actorId, action, organizationId] = [read('from'), read('to'), read('patientId'), read('actorId'), read('action'), read('organizationId')];
  if (from === undefined || to === undefined || patientId === undefined || actorId === undefined || action === undefined || organizationId === undefined) return FILTERS_SHAPE;
  return { from, to, patientId, actorId, action, organizationId };
}

const FILTERS_SHAPE = `filters must hold exactly ${EXPORT_FILTER_NAMES.join(', ')}, each a string or null`;
