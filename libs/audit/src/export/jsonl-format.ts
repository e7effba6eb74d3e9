import { canonicalEntryJson } from '../entry-encoding-v2';
import { ExportEntryRecord, ExportRecord, InclusionProof, parseEntryJson, parseInclusionProof, ReadExportRecord } from './export-records';
import { recordFromJson, recordToJson } from './record-json';
import { bytesAt } from './byte-lines';
import { TextLine } from './text-lines';
import type { EntryLineLayout } from './entry-segments';

/**
 * JSON Lines: one record per line, header first, trailer last. An entry of encoding 2 is written in
 * a fixed frame around its canonical JSON text, which is exactly the text it was hashed as:
 *
 *   {"record":"entry","hash":"<64 hex>","proof":<null|proof>,"entry":<canonical JSON>}
 *
 * Entries of encoding 1 keep the line of their time (the fields at top level).
 */
export function jsonlChunk(record: ExportRecord): string {
  if (record.kind === 'entry' && record.entry.encoding === 2) return `${entryFrame(record)}\n`;
  return `${JSON.stringify(recordToJson(record))}\n`;
}

const FRAME_START = '{"record":"entry","hash":"';
const FRAME_PROOF = '","proof":';
const FRAME_ENTRY = ',"entry":';
const HASH_END = FRAME_START.length + 64;
const PROOF_START = HASH_END + FRAME_PROOF.length;
const NO_PROOF_ENTRY = `null${FRAME_ENTRY}`;
const SEQ_MEMBER = ',"seq":';
const PREV_HASH_MEMBER = ',"prevHash":"';

/** Offsets in an entry line of a full export (proof null): where the hash is and where the entry text starts. */
export const FULL_ENTRY_LINE = { hashAt: FRAME_START.length, entryAt: PROOF_START + NO_PROOF_ENTRY.length } as const;

const FRAME_START_BYTES = Buffer.from(FRAME_START, 'latin1');
const FULL_FRAME_MIDDLE_BYTES = Buffer.from(`${FRAME_PROOF}${NO_PROOF_ENTRY}`, 'latin1');
const SEQ_MEMBER_BYTES = Buffer.from(SEQ_MEMBER, 'latin1');
const PREV_HASH_MEMBER_BYTES = Buffer.from(PREV_HASH_MEMBER, 'latin1');

/** The layout of a full export's entry line, for a segment check (which cannot import this module): see entry-segments.ts. */
export function fullEntryLineLayout(prefix: Uint8Array): EntryLineLayout {
  return {
    prefix,
    frameStart: Uint8Array.from(FRAME_START_BYTES),
    hashAt: FULL_ENTRY_LINE.hashAt,
    frameMiddle: Uint8Array.from(FULL_FRAME_MIDDLE_BYTES),
    entryAt: FULL_ENTRY_LINE.entryAt,
    seqMember: Uint8Array.from(SEQ_MEMBER_BYTES),
    prevHashMember: Uint8Array.from(PREV_HASH_MEMBER_BYTES),
  };
}

/**
 * Whether bytes[start, end) is an entry line with a null proof, its frame byte for byte (the hash
 * digits aside; the caller compares them with the hash it computes).
 */
export function isFullEntryFrame(bytes: Uint8Array, start: number, end: number): boolean {
  return (
    end - start > FULL_ENTRY_LINE.entryAt + 1 &&
    bytes[end - 1] === 0x7d &&
    bytesAt(bytes, start, FRAME_START_BYTES) &&
    bytesAt(bytes, start + HASH_END, FULL_FRAME_MIDDLE_BYTES)
  );
}

/** Whether the entry text bytes[textStart, textEnd) ends with its last member `,"seq":<seq>}`, the digits compared without parsing. */
export function endsWithSeqMember(bytes: Uint8Array, textStart: number, textEnd: number, seq: number): boolean {
  let at = textEnd - 1;
  if (bytes[at] !== 0x7d) return false;
  let rest = seq;
  do {
    at--;
    if (bytes[at] !== 0x30 + (rest % 10)) return false;
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  const memberAt = at - SEQ_MEMBER_BYTES.length;
  return memberAt >= textStart && bytesAt(bytes, memberAt, SEQ_MEMBER_BYTES);
}

/**
 * Where the value of the `,"prevHash":"` member of the entry text bytes[textStart, textEnd) starts,
 * or -1: the last member so named, as the payload comes before it and only strings and the seq follow.
 * Looks back from the end for the member's "H" (Buffer's search for one byte is native and quick;
 * few of the members after it hold an "H"); a search for the whole member costs more than the
 * entry's hash.
 */
export function prevHashValueAt(bytes: Buffer, textStart: number, textEnd: number): number {
  const lowest = textStart + PREV_HASH_H;
  for (let at = textEnd - (PREV_HASH_MEMBER_BYTES.length - PREV_HASH_H); at >= lowest; at--) {
    at = bytes.lastIndexOf(0x48, at);
    if (at < lowest) return -1;
    if (bytesAt(bytes, at - PREV_HASH_H, PREV_HASH_MEMBER_BYTES)) return at - PREV_HASH_H + PREV_HASH_MEMBER_BYTES.length;
  }
  return -1;
}

/** Index of the "H" in `,"prevHash":"`. */
const PREV_HASH_H = PREV_HASH_MEMBER.indexOf('H');

function entryFrame(record: ExportEntryRecord): string {
  const { entry, proof } = record;
  return `${FRAME_START}${entry.hash}${FRAME_PROOF}${proof === null ? 'null' : JSON.stringify(proof)}${FRAME_ENTRY}${canonicalEntryJson(entry, entry.prevHash)}}`;
}

/**
 * An entry line of encoding 2 as the verifier takes it: the canonical text as it stands in the line
 * (to be hashed, never parsed), and what the verifier needs that was read from it by slicing.
 */
export interface EncodedEntryRecord {
  readonly kind: 'encoded-entry';
  readonly location: string;
  /** The recorded hash, from the frame. */
  readonly hash: string;
  readonly proof: InclusionProof | null;
  /** The `"entry"` member's text, byte for byte. */
  readonly text: string;
  /** From the text's last member (`,"seq":N}`); null when it does not read as one. */
  readonly seq: number | null;
  /** From the text's `,"prevHash":"..."` member (the last so named; the payload comes before it). */
  readonly prevHash: string;
}

export type VerifierRecord = ReadExportRecord | EncodedEntryRecord;

/**
 * The records of some lines, in order; lines need no context, so this runs synchronously over a
 * whole batch. With `encodedEntries`, entry lines of encoding 2 stay text for the verifier to hash;
 * otherwise they are parsed into entries like every other line.
 */
export function jsonlRecordsOf(lines: readonly TextLine[], encodedEntries: true): VerifierRecord[];
export function jsonlRecordsOf(lines: readonly TextLine[], encodedEntries?: false): ReadExportRecord[];
export function jsonlRecordsOf(lines: readonly TextLine[], encodedEntries = false): VerifierRecord[] {
  const records: VerifierRecord[] = [];
  for (const line of lines) {
    if (line.text === '') continue;
    if (encodedEntries && line.text.startsWith(FRAME_START)) {
      const record = readEntryFrame(line);
      if (record !== null) records.push(record);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      // A half-written last line is a cut-off file, which the verifier reports as truncated.
      if (line.terminated) records.push({ kind: 'malformed', location: `line ${line.number}`, seq: null, message: 'not valid JSON' });
      continue;
    }
    records.push(line.text.startsWith(FRAME_START) ? parsedEntryFrame(value, `line ${line.number}`) : recordFromJson(value, `line ${line.number}`));
  }
  return records;
}

/** Null for a cut-off last line (the verifier then reports the file as truncated). */
function readEntryFrame(line: TextLine): EncodedEntryRecord | ReadExportRecord | null {
  const text = line.text;
  const location = `line ${line.number}`;
  const malformed = (message: string): ReadExportRecord | null => (line.terminated ? { kind: 'malformed', location, seq: null, message } : null);
  if (!text.startsWith(FRAME_PROOF, HASH_END) || text.charCodeAt(text.length - 1) !== 0x7d) return malformed('an entry line must be {"record":"entry","hash":...,"proof":...,"entry":...}');
  let entryStart: number;
  let proof: InclusionProof | null = null;
  if (text.startsWith(NO_PROOF_ENTRY, PROOF_START)) {
    entryStart = PROOF_START + NO_PROOF_ENTRY.length;
  } else {
    // A proof holds numbers and hex strings only, so the first `,"entry":` after it ends it; the
    // proof must also be written exactly as the exporter writes it, leaving no room for other members.
    const proofEnd = text.indexOf(FRAME_ENTRY, PROOF_START);
    const proofText = proofEnd < 0 ? '' : text.slice(PROOF_START, proofEnd);
    const parsed = parseInclusionProof(parseJson(proofText) ?? null);
    if (proofEnd < 0 || parsed === null || typeof parsed === 'string' || JSON.stringify(parsed) !== proofText) return malformed('the proof of an entry line is not an inclusion proof');
    proof = parsed;
    entryStart = proofEnd + FRAME_ENTRY.length;
  }
  const entryText = text.slice(entryStart, text.length - 1);
  const seqAt = entryText.lastIndexOf(SEQ_MEMBER);
  const seqText = seqAt < 0 ? '' : entryText.slice(seqAt + SEQ_MEMBER.length, entryText.length - 1);
  const prevHashAt = entryText.lastIndexOf(PREV_HASH_MEMBER);
  const prevHash = prevHashAt < 0 ? '' : entryText.slice(prevHashAt + PREV_HASH_MEMBER.length, prevHashAt + PREV_HASH_MEMBER.length + 64);
  return { kind: 'encoded-entry', location, hash: text.slice(FRAME_START.length, HASH_END), proof, text: entryText, seq: readSeq(seqText), prevHash };
}

/** Canonical JSON writes a whole number below 2^53 as plain digits without a leading zero. */
function readSeq(digits: string): number | null {
  if (digits.length === 0 || digits.length > 16 || digits.charCodeAt(0) === 0x30) return null;
  for (let index = 0; index < digits.length; index++) {
    const code = digits.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return null;
  }
  const seq = Number(digits);
  return Number.isSafeInteger(seq) ? seq : null;
}

/** An entry line of encoding 2, parsed like any JSON (tools and tests; the verifier hashes the text instead). */
function parsedEntryFrame(value: unknown, location: string): ReadExportRecord {
  const frame = value as Record<string, unknown>;
  const inner = typeof frame.entry === 'object' && frame.entry !== null ? (frame.entry as Record<string, unknown>) : null;
  const seq = typeof inner?.seq === 'number' ? inner.seq : null;
  if (inner === null || 'encoding' in inner || 'hash' in inner) return { kind: 'malformed', location, seq, message: 'the entry of an entry line must hold exactly the entry fields and prevHash' };
  const entry = parseEntryJson({ ...inner, encoding: 2, hash: frame.hash });
  if (typeof entry === 'string') return { kind: 'malformed', location, seq, message: entry };
  const proof = parseInclusionProof(frame.proof ?? null);
  if (typeof proof === 'string') return { kind: 'malformed', location, seq, message: proof };
  return { kind: 'entry', entry, proof };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
