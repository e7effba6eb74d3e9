import { hash } from 'node:crypto';
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES, AuditEntryContent } from './audit-entry';
import { canonicalJson, isEncodableText } from './canonical-json';
import { AuditError, AuditErrorCode } from './errors';

/**
 * The byte rules every verifier must reproduce; compliance/audit-export-format.md states them for
 * people and format-vectors.spec.ts holds the two to each other.
 *
 *   entryHash = SHA-256( 0x00 || "clinloop.audit.entry.v1" || canonical(entry) || prevHash )
 *
 * The leading 0x00 makes every entry hash the RFC 9162 leaf hash of the entry's leaf input
 * (`tag || canonical || prevHash`), so the chain and the Merkle tree share their leaves and a
 * verifier hashes each entry once.
 */
export const ENTRY_TAG = 'clinloop.audit.entry.v1';
export const HASH_BYTES = 32;
/** The `prevHash` of sequence number 1. */
export const GENESIS_HASH = '0'.repeat(HASH_BYTES * 2);

const LEAF_PREFIX = 0x00;
const ABSENT = 0x00;
const PRESENT = 0x01;
const TAG_BYTES = Buffer.from(ENTRY_TAG, 'ascii');
const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`. Checked character by character rather than with a regular
 * expression: verification checks one per entry, and the loop is several times cheaper.
 */
export function isAuditTimestamp(value: string): boolean {
  if (value.length !== 27) return false;
  for (let index = 0; index < 27; index++) {
    const code = value.charCodeAt(index);
    const expected = TIMESTAMP_SEPARATORS[index];
    if (expected === undefined ? code < 0x30 || code > 0x39 : code !== expected) return false;
  }
  const two = (at: number): number => (value.charCodeAt(at) - 0x30) * 10 + value.charCodeAt(at + 1) - 0x30;
  const [month, day, hour, minute, second] = [two(5), two(8), two(11), two(14), two(17)];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59;
}

/** Character codes of the fixed characters of the time format, by position; digits elsewhere. */
const TIMESTAMP_TEMPLATE = '????-??-??T??:??:??.??????Z';
const TIMESTAMP_SEPARATORS: readonly (number | undefined)[] = Array.from({ length: TIMESTAMP_TEMPLATE.length }, (_, index) => {
  const code = TIMESTAMP_TEMPLATE.charCodeAt(index);
  return code === 0x3f ? undefined : code;
});

export function isHexHash(value: string): boolean {
  return HEX_HASH.test(value);
}

/** A JavaScript Date (millisecond precision) in the entry time format. */
export function toAuditTimestamp(date: Date): string {
  const iso = date.toISOString();
  if (iso.length !== 24) throw new AuditError(AuditErrorCode.INVALID_ENTRY, `Time ${iso} is outside years 0000-9999`);
  return `${iso.slice(0, 23)}000Z`;
}

export function fromAuditTimestamp(value: string): Date {
  return new Date(`${value.slice(0, 23)}Z`);
}

/** The fields in canonical order: u64 seq, then length-prefixed UTF-8 strings, optional ones behind a presence byte. */
export function encodeEntry(entry: AuditEntryContent): Buffer {
  return Buffer.from(writeEntry(entry, null));
}

/** `0x00 || tag || canonical(entry) || prevHash`: the exact bytes whose SHA-256 is the entry hash. */
export function entryHashInput(entry: AuditEntryContent, prevHash: string): Buffer {
  return Buffer.from(writeEntry(entry, prevHash));
}

/** Lowercase hex SHA-256 of the entry hash input. */
export function computeEntryHash(entry: AuditEntryContent, prevHash: string): string {
  return hash('sha256', writeEntry(entry, prevHash), 'hex');
}

/**
 * The entry hash as a "binary" string (32 characters, one per byte), which Node returns faster than
 * hex or a Buffer; the verifier compares it with the displayed hex (`hexEqualsBinary`) and folds it
 * into the tree as it is. `prevHashBinary`, when given, must be the bytes `prevHash` spells: the
 * verifier passes the hash it computed for the previous entry once the link is checked, which spares
 * decoding and checking the same hex again.
 */
export function computeEntryHashBinary(entry: AuditEntryContent, prevHash: string, prevHashBinary: string | null): string {
  return hash('sha256', writeEntry(entry, prevHashBinary ?? prevHash, prevHashBinary !== null), 'binary');
}

/** Whether 64 lowercase hex digits spell the 32 bytes of a binary string, without building a hex string. */
export function hexEqualsBinary(hex: string, binary: string): boolean {
  if (hex.length !== 2 * HASH_BYTES || binary.length !== HASH_BYTES) return false;
  for (let index = 0; index < HASH_BYTES; index++) {
    const byte = binary.charCodeAt(index);
    if (hex.charCodeAt(2 * index) !== LOWER_HEX_DIGITS[byte >>> 4] || hex.charCodeAt(2 * index + 1) !== LOWER_HEX_DIGITS[byte & 0x0f]) return false;
  }
  return true;
}

const LOWER_HEX_DIGITS: readonly number[] = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

/** The value of each byte as a lowercase hex digit, -1 for any other byte. */
const HEX_DIGIT_VALUES = Int8Array.from({ length: 256 }, (_, code) => (code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x66 ? code - 0x61 + 10 : -1));

/**
 * Decodes the 64 lowercase hex digits at bytes[offset] (an entry hash as an export line writes it)
 * into `into` (32 bytes); false, with `into` partly written, when they are not 64 such digits.
 */
export function decodeHexHashAt(bytes: Uint8Array, offset: number, into: Uint8Array): boolean {
  if (bytes.length < offset + 2 * HASH_BYTES) return false;
  for (let index = 0; index < HASH_BYTES; index++) {
    const high = HEX_DIGIT_VALUES[bytes[offset + 2 * index] ?? 0] ?? -1;
    const low = HEX_DIGIT_VALUES[bytes[offset + 2 * index + 1] ?? 0] ?? -1;
    if (high < 0 || low < 0) return false;
    into[index] = (high << 4) | low;
  }
  return true;
}

/** Whether the 64 bytes at bytes[offset] are the lowercase hex digits of the 32 bytes of `hash`. */
export function hexBytesSpell(bytes: Uint8Array, offset: number, hash: Uint8Array): boolean {
  if (bytes.length < offset + 2 * HASH_BYTES || hash.length !== HASH_BYTES) return false;
  for (let index = 0; index < HASH_BYTES; index++) {
    const byte = hash[index] ?? 0;
    if (bytes[offset + 2 * index] !== LOWER_HEX_DIGITS[byte >>> 4] || bytes[offset + 2 * index + 1] !== LOWER_HEX_DIGITS[byte & 0x0f]) return false;
  }
  return true;
}

/** Whether a binary string (one character per byte, as Node's hash returns it) holds the bytes of `hash`. */
export function binaryEqualsBytes(binary: string, hash: Uint8Array): boolean {
  if (binary.length !== hash.length) return false;
  for (let index = 0; index < hash.length; index++) {
    if (binary.charCodeAt(index) !== hash[index]) return false;
  }
  return true;
}

/** Grows as needed and is reused: verification encodes millions of entries, one at a time. */
let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * Writes the canonical bytes into the shared scratch buffer (with the leaf prefix, tag and previous
 * hash around them when `prevHash` is given) and returns a view of them, valid until the next call.
 */
function writeEntry(entry: AuditEntryContent, prevHash: string | null, prevHashIsBinary = false): Buffer {
  if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) throw invalidField('seq', 'must be a positive whole number below 2^53');
  if (!isAuditTimestamp(entry.recordedAt)) throw invalidField('recordedAt', 'must be UTC with six fractional digits (YYYY-MM-DDTHH:MM:SS.ffffffZ)');
  if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(entry.actorType)) throw invalidField('actorType', 'must be user or system');
  if (!(AUDIT_OUTCOMES as readonly string[]).includes(entry.outcome)) throw invalidField('outcome', 'must be success, failure or denied');
  const payload = canonicalJson(entry.payload);
  if (payload[0] !== '{') throw invalidField('payload', 'must be a JSON object');

  const fields: readonly (string | null)[] = [
    entry.recordedAt,
    entry.actorType,
    entry.actorId,
    entry.actorRole,
    entry.actorOrganizationId,
    entry.action,
    entry.resourceType,
    entry.resourceId,
    entry.patientId,
    entry.outcome,
    entry.reason,
    entry.requestId,
    payload,
  ];
  // UTF-8 needs at most 3 bytes per UTF-16 code unit; plus 5 bytes of framing per field.
  let worstCase = 1 + TAG_BYTES.length + 8 + HASH_BYTES;
  for (const field of fields) worstCase += 5 + (typeof field === 'string' ? 3 * field.length : 0);
  if (worstCase > scratch.length) scratch = Buffer.allocUnsafe(2 * worstCase);
  const buffer = scratch;

  let offset = 0;
  if (prevHash !== null) {
    buffer[offset++] = LEAF_PREFIX;
    offset += TAG_BYTES.copy(buffer, offset);
  }
  // seq < 2^53: high and low 32-bit words, big-endian, without a BigInt per entry.
  offset = buffer.writeUInt32BE(Math.floor(entry.seq / 0x1_0000_0000), offset);
  offset = buffer.writeUInt32BE(entry.seq % 0x1_0000_0000, offset);
  for (let index = 0; index < fields.length; index++) {
    const value = fields[index];
    if (OPTIONAL_FIELD[index]) {
      if (value === null) {
        buffer[offset++] = ABSENT;
        continue;
      }
      buffer[offset++] = PRESENT;
    }
    if (typeof value !== 'string') throw invalidField(FIELD_NAMES[index] ?? 'field', OPTIONAL_FIELD[index] ? 'must be text or null' : 'must be text');
    offset = writeText(buffer, offset, value, index);
  }
  if (prevHash !== null && prevHashIsBinary) {
    offset += buffer.write(prevHash, offset, 'latin1');
  } else if (prevHash !== null) {
    // Buffer.write stops at the first character that is not hex; a regular expression per entry costs more.
    if (prevHash.length !== 64 || buffer.write(prevHash, offset, 'hex') !== HASH_BYTES || prevHash !== prevHash.toLowerCase()) {
      throw invalidField('prevHash', 'must be 64 lowercase hex digits');
    }
    offset += HASH_BYTES;
  }
  return buffer.subarray(0, offset);
}

/**
 * u32 byte length, then the UTF-8 bytes. ASCII, the usual case, is copied in a plain loop (cheaper
 * than a native call for short strings); anything else is checked for U+0000 and lone surrogates
 * and written by Buffer.write.
 */
function writeText(buffer: Buffer, offset: number, text: string, fieldIndex: number): number {
  const start = offset + 4;
  let position = start;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0 || code >= 0x80) {
      if (!isEncodableText(text)) throw invalidField(FIELD_NAMES[fieldIndex] ?? 'field', 'must be text without U+0000 or lone surrogates');
      const length = buffer.write(text, start, 'utf8');
      buffer.writeUInt32BE(length, offset);
      return start + length;
    }
    buffer[position++] = code;
  }
  buffer.writeUInt32BE(text.length, offset);
  return position;
}

const FIELD_NAMES: readonly string[] = [
  'recordedAt',
  'actorType',
  'actorId',
  'actorRole',
  'actorOrganizationId',
  'action',
  'resourceType',
  'resourceId',
  'patientId',
  'outcome',
  'reason',
  'requestId',
  'payload',
];

/** Per position of the `fields` list above: whether the field is optional (presence byte). */
const OPTIONAL_FIELD: readonly boolean[] = [false, false, false, true, true, false, false, true, true, false, true, true, false];

function invalidField(field: string, rule: string): AuditError {
  return new AuditError(AuditErrorCode.INVALID_ENTRY, `Invalid audit entry: ${field} ${rule}`, { field });
}
