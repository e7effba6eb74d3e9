import { hash } from 'node:crypto';
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES, AuditEntryContent } from './audit-entry';
import { isAuditTimestamp } from './canonical-encoding';
import { canonicalJson, canonicalJsonString } from './canonical-json';
import { AuditError, AuditErrorCode } from './errors';

/**
 * Entry encoding 2 (compliance/audit-export-format.md section 3.2):
 *
 *   entryHash = SHA-256( 0x00 || "clinloop.audit.entry.v2" || canonicalEntryJson(entry, prevHash) )
 *
 * where `canonicalEntryJson` is the RFC 8785 text of one object holding the 14 fields (nulls
 * written out) and `prevHash` (hex). A JSON Lines export carries that text verbatim, so a verifier
 * hashes the very bytes the auditor's JSON tools read, without parsing them. The leading 0x00 keeps
 * entry hashes RFC 9162 leaf hashes, as in encoding 1.
 */
export const ENTRY_TAG_V2 = 'clinloop.audit.entry.v2';

/**
 * Member order of the canonical text (names sorted by UTF-16 code units). `seq` is last and
 * `prevHash` the only member named so, which is what the export verifier's slicing relies on.
 */
export const ENTRY_V2_MEMBERS = [
  'action',
  'actorId',
  'actorOrganizationId',
  'actorRole',
  'actorType',
  'outcome',
  'patientId',
  'payload',
  'prevHash',
  'reason',
  'recordedAt',
  'requestId',
  'resourceId',
  'resourceType',
  'seq',
] as const;

const PREFIX = Buffer.concat([Buffer.from([0x00]), Buffer.from(ENTRY_TAG_V2, 'ascii')]);
const HEX_HASH = /^[0-9a-f]{64}$/;

/** The canonical JSON text of an entry under encoding 2; throws INVALID_ENTRY on a field the format cannot carry. */
export function canonicalEntryJson(entry: AuditEntryContent, prevHash: string): string {
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) throw invalidField('seq', 'must be a positive whole number below 2^53');
  if (!isAuditTimestamp(entry.recordedAt)) throw invalidField('recordedAt', 'must be UTC with six fractional digits (YYYY-MM-DDTHH:MM:SS.ffffffZ)');
  if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(entry.actorType)) throw invalidField('actorType', 'must be user or system');
  if (!(AUDIT_OUTCOMES as readonly string[]).includes(entry.outcome)) throw invalidField('outcome', 'must be success, failure or denied');
  if (typeof prevHash !== 'string' || !HEX_HASH.test(prevHash)) throw invalidField('prevHash', 'must be 64 lowercase hex digits');
  const payload = canonicalJson(entry.payload);
  if (payload[0] !== '{') throw invalidField('payload', 'must be a JSON object');
  return (
    `{"action":${text(entry.action, 'action')},"actorId":${text(entry.actorId, 'actorId')}` +
    `,"actorOrganizationId":${nullable(entry.actorOrganizationId, 'actorOrganizationId')},"actorRole":${nullable(entry.actorRole, 'actorRole')}` +
    `,"actorType":"${entry.actorType}","outcome":"${entry.outcome}","patientId":${nullable(entry.patientId, 'patientId')}` +
    `,"payload":${payload},"prevHash":"${prevHash}","reason":${nullable(entry.reason, 'reason')},"recordedAt":"${entry.recordedAt}"` +
    `,"requestId":${nullable(entry.requestId, 'requestId')},"resourceId":${nullable(entry.resourceId, 'resourceId')}` +
    `,"resourceType":${text(entry.resourceType, 'resourceType')},"seq":${entry.seq}}`
  );
}

/** `0x00 || tag || canonical JSON`: the exact bytes whose SHA-256 is the entry hash. */
export function entryHashInputV2(entry: AuditEntryContent, prevHash: string): Buffer {
  return Buffer.concat([PREFIX, Buffer.from(canonicalEntryJson(entry, prevHash), 'utf8')]);
}

/** A copy of `0x00 || tag`, what an entry text is hashed after (for a thread that cannot import this module). */
export function entryHashPrefixV2(): Uint8Array {
  return Uint8Array.from(PREFIX);
}

/** Grows as needed and is reused: the prefix stays in place, each entry's text is written after it. */
let scratch = Buffer.allocUnsafe(16 * 1024);
PREFIX.copy(scratch);

/**
 * SHA-256 of `0x00 || tag || text` as a "binary" string (one character per byte), for text that is
 * (or claims to be) an entry's canonical JSON: the export verifier passes the slice of the line.
 */
export function hashEntryTextBinary(canonicalText: string): string {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  const worstCase = PREFIX.length + 3 * canonicalText.length;
  if (worstCase > scratch.length) {
    scratch = Buffer.allocUnsafe(2 * worstCase);
    PREFIX.copy(scratch);
  }
  const written = scratch.write(canonicalText, PREFIX.length, 'utf8');
  return hash('sha256', scratch.subarray(0, PREFIX.length + written), 'binary');
}

/**
 * `hashEntryTextBinary` for a text given as its UTF-8 bytes, bytes[start, end): the export verifier
 * passes the entry text's place in the file, so the bytes hashed are the bytes exported.
 */
export function hashEntryBytesBinary(bytes: Buffer, start: number, end: number): string {
  const length = PREFIX.length + end - start;
  if (length > scratch.length) {
    scratch = Buffer.allocUnsafe(2 * length);
    PREFIX.copy(scratch);
  }
  bytes.copy(scratch, PREFIX.length, start, end);
  return hash('sha256', scratch.subarray(0, length), 'binary');
}

export function computeEntryHashV2(entry: AuditEntryContent, prevHash: string): string {
  return Buffer.from(hashEntryTextBinary(canonicalEntryJson(entry, prevHash)), 'latin1').toString('hex');
}

export function computeEntryHashV2Binary(entry: AuditEntryContent, prevHash: string): string {
  return hashEntryTextBinary(canonicalEntryJson(entry, prevHash));
}

function text(value: string, field: string): string {
  const quoted = typeof value === 'string' ? canonicalJsonString(value) : undefined;
  if (quoted === undefined) throw invalidField(field, 'must be text without U+0000 or lone surrogates');
  return quoted;
}

function nullable(value: string | null, field: string): string {
  return value === null ? 'null' : text(value, field);
}

function invalidField(field: string, rule: string): AuditError {
  return new AuditError(AuditErrorCode.INVALID_ENTRY, `Invalid audit entry: ${field} ${rule}`, { field });
}
