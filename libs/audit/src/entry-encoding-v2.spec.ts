import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditEntryContent } from './audit-entry';
import { GENESIS_HASH } from './canonical-encoding';
import { canonicalEntryJson, computeEntryHashV2, ENTRY_TAG_V2, ENTRY_V2_MEMBERS, entryHashInputV2, hashEntryTextBinary } from './entry-encoding-v2';
import { AuditError } from './errors';

const BASE: AuditEntryContent = {
  seq: 1,
  recordedAt: '2026-03-01T09:30:00.123456Z',
  actorType: 'system',
  actorId: 'worker',
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

const reference = (text: string): string => createHash('sha256').update(Buffer.from([0])).update(ENTRY_TAG_V2, 'ascii').update(text, 'utf8').digest('hex');

describe('canonicalEntryJson (encoding 2)', () => {
  it.each<[string, Partial<AuditEntryContent>]>([
    ['all optional fields null', {}],
    ['every field set', { actorType: 'user', actorRole: 'clinician', actorOrganizationId: 'x', resourceId: '', patientId: 'p', reason: 'why', requestId: 'req', payload: { b: [1, { d: 2, c: 3 }], a: null } }],
    ['non-ASCII and escapes', { reason: 'Schwindel – "Dosis"\n✓ 😀', actorId: 'tab\there', payload: { é: 'ü', e: '\u0001' } }],
    ['a payload with members named like the entry\'s own', { payload: { prevHash: 'f'.repeat(64), seq: 99, x: ',"seq":5}', y: ',"prevHash":"' } }],
    ['a large seq', { seq: 2 ** 53 - 1 }],
  ])('%s: RFC 8785 of the 14 fields and prevHash, nulls written out, members in sorted order', (_case, change) => {
    const entry = { ...BASE, ...change };
    const prevHash = 'ab'.repeat(32);
    const text = canonicalEntryJson(entry, prevHash);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...ENTRY_V2_MEMBERS]);
    expect(Object.keys(parsed)).toEqual(Object.keys(parsed).sort());
    expect(parsed).toEqual({ ...entry, prevHash });
    expect(text.endsWith(`,"seq":${entry.seq}}`)).toBe(true);
    // The top-level prevHash is the last member so named, whatever the payload holds.
    expect(text.slice(text.lastIndexOf(',"prevHash":"') + 13, text.lastIndexOf(',"prevHash":"') + 77)).toBe(prevHash);
    expect(computeEntryHashV2(entry, prevHash)).toBe(reference(text));
    expect(Buffer.from(hashEntryTextBinary(text), 'latin1').toString('hex')).toBe(reference(text));
    expect(entryHashInputV2(entry, prevHash)).toEqual(Buffer.concat([Buffer.from([0]), Buffer.from(ENTRY_TAG_V2), Buffer.from(text, 'utf8')]));
  });

  it('sorts payload members by UTF-16 code units and writes numbers as ECMAScript does', () => {
    expect(canonicalEntryJson({ ...BASE, payload: { '€': 1, '\r': 2, '1': 3, '\u0080': 4, n: [-0, 1e21, 1e-7] } }, GENESIS_HASH)).toContain(
      '"payload":{"\\r":2,"1":3,"n":[0,1e+21,1e-7],"\u0080":4,"€":1}',
    );
  });

  it('changes with every field, and with prevHash', () => {
    const base = computeEntryHashV2(BASE, GENESIS_HASH);
    for (const change of [{ seq: 2 }, { recordedAt: '2026-03-01T09:30:00.123457Z' }, { actorId: 'worker2' }, { resourceId: '' }, { reason: 'null' }, { payload: { a: 1 } }]) {
      expect(computeEntryHashV2({ ...BASE, ...change }, GENESIS_HASH)).not.toBe(base);
    }
    expect(computeEntryHashV2(BASE, 'f'.repeat(64))).not.toBe(base);
  });

  it.each<[string, Partial<AuditEntryContent>]>([
    ['seq 0', { seq: 0 }],
    ['a fractional seq', { seq: 1.5 }],
    ['a time without microseconds', { recordedAt: '2026-03-01T09:30:00.123Z' }],
    ['an unknown actor type', { actorType: 'robot' as AuditEntryContent['actorType'] }],
    ['an unknown outcome', { outcome: 'ok' as AuditEntryContent['outcome'] }],
    ['U+0000 in a field', { reason: 'a\u0000b' }],
    ['a lone surrogate', { actorId: '\ud800' }],
    ['a payload that is not plain JSON', { payload: { at: new Date() } as unknown as AuditEntryContent['payload'] }],
  ])('refuses %s', (_case, change) => {
    expect(() => canonicalEntryJson({ ...BASE, ...change }, GENESIS_HASH)).toThrow(AuditError);
  });

  it('refuses a prevHash that is not 64 lowercase hex digits', () => {
    for (const prevHash of ['F'.repeat(64), '0'.repeat(63), `${'0'.repeat(63)}g`]) expect(() => canonicalEntryJson(BASE, prevHash)).toThrow(AuditError);
  });
});
