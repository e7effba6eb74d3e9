import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditEntryContent } from './audit-entry';
import {
  binaryEqualsBytes,
  computeEntryHash,
  computeEntryHashBinary,
  decodeHexHashAt,
  encodeEntry,
  ENTRY_TAG,
  entryHashInput,
  GENESIS_HASH,
  hexBytesSpell,
  hexEqualsBinary,
  toAuditTimestamp,
} from './canonical-encoding';
import { AuditError } from './errors';
import { leafHash } from './merkle-tree';

const BASE: AuditEntryContent = {
  seq: 1,
  recordedAt: '2026-01-02T03:04:05.678901Z',
  actorType: 'system',
  actorId: 'w',
  actorRole: null,
  actorOrganizationId: null,
  action: 'a',
  resourceType: 'r',
  resourceId: null,
  patientId: null,
  outcome: 'success',
  reason: null,
  requestId: null,
  payload: {},
};

const u32 = (n: number): string => n.toString(16).padStart(8, '0');
const text = (value: string): string => u32(Buffer.byteLength(value)) + Buffer.from(value).toString('hex');

describe('encodeEntry', () => {
  it('lays the fields out as documented: u64 seq, length-prefixed UTF-8, a presence byte before optional fields', () => {
    const expected =
      '0000000000000001' +
      text(BASE.recordedAt) +
      text('system') +
      text('w') +
      '00' + // actorRole absent
      '00' + // actorOrganizationId absent
      text('a') +
      text('r') +
      '00' + // resourceId
      '00' + // patientId
      text('success') +
      '00' + // reason
      '00' + // requestId
      text('{}');
    expect(encodeEntry(BASE).toString('hex')).toBe(expected);
  });

  it('hashes 0x00 || tag || canonical || prevHash, which is the RFC 9162 leaf hash of tag || canonical || prevHash', () => {
    const leafInput = Buffer.concat([Buffer.from(ENTRY_TAG, 'ascii'), encodeEntry(BASE), Buffer.from(GENESIS_HASH, 'hex')]);
    expect(entryHashInput(BASE, GENESIS_HASH)).toEqual(Buffer.concat([Buffer.from([0]), leafInput]));
    expect(computeEntryHash(BASE, GENESIS_HASH)).toBe(createHash('sha256').update(Buffer.from([0])).update(leafInput).digest('hex'));
    expect(computeEntryHash(BASE, GENESIS_HASH)).toBe(leafHash(leafInput).toString('hex'));
  });

  const variants: readonly [string, Partial<AuditEntryContent>][] = [
    ['seq', { seq: 2 }],
    ['a microsecond', { recordedAt: '2026-01-02T03:04:05.678902Z' }],
    ['actor type', { actorType: 'user' }],
    ['actor id', { actorId: 'x' }],
    ['an empty role instead of none', { actorRole: '' }],
    ['organization', { actorOrganizationId: '00000000-0000-4000-8000-000000000000' }],
    ['action', { action: 'b' }],
    ['resource type', { resourceType: 's' }],
    ['an empty resource id instead of none', { resourceId: '' }],
    ['patient', { patientId: '00000000-0000-4000-8000-000000000001' }],
    ['outcome', { outcome: 'denied' }],
    ['reason', { reason: 'because' }],
    ['request id', { requestId: 'req-1' }],
    ['payload', { payload: { a: 1 } }],
    ['text moved between neighbouring fields', { action: 'ar', resourceType: '' }],
  ];
  it.each(variants)('changes the hash when only the %s differs', (_name, change) => {
    expect(computeEntryHash({ ...BASE, ...change }, GENESIS_HASH)).not.toBe(computeEntryHash(BASE, GENESIS_HASH));
  });

  it('changes the hash with the previous hash', () => {
    expect(computeEntryHash(BASE, 'f'.repeat(64))).not.toBe(computeEntryHash(BASE, GENESIS_HASH));
  });

  it('encodes payload members in canonical order, whatever order they were given in', () => {
    expect(encodeEntry({ ...BASE, payload: { b: 1, a: [true, null] } })).toEqual(encodeEntry({ ...BASE, payload: { a: [true, null], b: 1 } }));
  });

  it.each([
    ['seq 0', { seq: 0 }],
    ['a fractional seq', { seq: 1.5 }],
    ['milliseconds only', { recordedAt: '2026-01-02T03:04:05.678Z' }],
    ['an offset instead of Z', { recordedAt: '2026-01-02T03:04:05.678901+00:00' }],
    ['an unknown actor type', { actorType: 'robot' as 'user' }],
    ['an unknown outcome', { outcome: 'maybe' as 'success' }],
    ['a lone surrogate', { reason: '\udc00' }],
    ['U+0000', { actorId: 'a\u0000' }],
    ['a payload that is not an object', { payload: [] as unknown as Record<string, never> }],
  ])('refuses %s', (_name, change) => {
    expect(() => encodeEntry({ ...BASE, ...change })).toThrow(AuditError);
  });

  it('refuses a previous hash that is not 64 lowercase hex digits', () => {
    expect(() => computeEntryHash(BASE, 'F'.repeat(64))).toThrow(AuditError);
    expect(() => computeEntryHash(BASE, '0'.repeat(63))).toThrow(AuditError);
  });
});

describe('the verifier\'s binary hashes', () => {
  const prevHash = computeEntryHash(BASE, GENESIS_HASH);
  const next = { ...BASE, seq: 2, payload: { note: 'Grenzwert ✓' } };

  it('are the entry hash, whether the previous hash comes as hex or as the bytes it spells', () => {
    const expected = computeEntryHash(next, prevHash);
    expect(Buffer.from(computeEntryHashBinary(next, prevHash, null), 'latin1').toString('hex')).toBe(expected);
    expect(Buffer.from(computeEntryHashBinary(next, prevHash, Buffer.from(prevHash, 'hex').toString('latin1')), 'latin1').toString('hex')).toBe(expected);
  });

  it.each([
    ['the same hash', (hex: string) => hex, true],
    ['one digit changed', (hex: string) => `${hex.slice(0, 63)}${hex.endsWith('0') ? '1' : '0'}`, false],
    ['upper case', (hex: string) => hex.toUpperCase(), false],
    ['one digit short', (hex: string) => hex.slice(1), false],
  ] as const)('compare with displayed hex: %s', (_name, display, equal) => {
    const binary = computeEntryHashBinary(next, prevHash, null);
    const hex = Buffer.from(binary, 'latin1').toString('hex');
    // Hex digits only some of which are letters, so the upper-case case really differs.
    expect(/[a-f]/.test(hex) && /[0-9]/.test(hex)).toBe(true);
    expect(hexEqualsBinary(display(hex), binary)).toBe(equal);
  });
});

describe('hashes as the bytes of an export line', () => {
  const hash = createHash('sha256').update('an entry').digest();
  const hex = hash.toString('hex');
  const line = (digits: string): Buffer => Buffer.from(`{"hash":"${digits}"}`, 'latin1');
  const AT = 9;

  it.each([
    ['the hash', hex, true],
    ['one digit changed', `${hex.slice(0, 40)}${hex[40] === '0' ? '1' : '0'}${hex.slice(41)}`, false],
    ['upper case', hex.toUpperCase(), false],
    ['a character that is no digit', `${hex.slice(0, 63)}g`, false],
    ['one digit short (the quote where the last digit should be)', hex.slice(1), false],
  ] as const)('%s: decoded and spelled alike', (_name, digits, isTheHash) => {
    // Hex digits only some of which are letters, so the upper-case case really differs.
    expect(/[a-f]/.test(hex) && /[0-9]/.test(hex)).toBe(true);
    const decoded = Buffer.alloc(32);
    const isHex = decodeHexHashAt(line(digits), AT, decoded);
    expect(isHex && decoded.equals(hash)).toBe(isTheHash);
    expect(hexBytesSpell(line(digits), AT, hash)).toBe(isTheHash);
  });

  it('decodes any 64 lowercase hex digits, and nothing past the end of the bytes', () => {
    const decoded = Buffer.alloc(32);
    expect(decodeHexHashAt(line('0123456789abcdef'.repeat(4)), AT, decoded)).toBe(true);
    expect(decoded.toString('hex')).toBe('0123456789abcdef'.repeat(4));
    expect(decodeHexHashAt(Buffer.from(hex.slice(0, 63)), 0, decoded)).toBe(false);
    expect(hexBytesSpell(Buffer.from(hex.slice(0, 63)), 0, hash)).toBe(false);
  });

  it.each([
    ['the same bytes', hash.toString('latin1'), true],
    ['a byte changed', `${hash.toString('latin1').slice(0, 31)}${String.fromCharCode((hash[31] ?? 0) ^ 1)}`, false],
    ['one byte short', hash.toString('latin1').slice(1), false],
  ] as const)('a binary string against bytes: %s', (_name, binary, equal) => {
    expect(binaryEqualsBytes(binary, hash)).toBe(equal);
  });
});

describe('toAuditTimestamp', () => {
  it('pads milliseconds to microseconds in UTC', () => {
    expect(toAuditTimestamp(new Date('2026-03-04T05:06:07.089+02:00'))).toBe('2026-03-04T03:06:07.089000Z');
  });

  it('refuses years the format cannot hold', () => {
    expect(() => toAuditTimestamp(new Date('+010000-01-01T00:00:00Z'))).toThrow(AuditError);
  });
});
