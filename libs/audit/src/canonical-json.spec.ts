import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { AuditError, AuditErrorCode } from './errors';

describe('canonicalJson (RFC 8785)', () => {
  // Number cases from RFC 8785 appendix B and section 3.2.2.3: ECMAScript's shortest round-trip form.
  it.each([
    [0, '0'],
    [-0, '0'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [0.000001, '0.000001'],
    [333333333.3333333, '333333333.3333333'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [9007199254740992, '9007199254740992'],
    [295147905179352830000, '295147905179352830000'],
    [-1.5, '-1.5'],
  ])('writes the number %d as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it.each([
    ['sorts members by UTF-16 code units (RFC 8785 3.2.3 example)', { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' }, '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'],
    ['escapes strings as RFC 8785 3.2.2.2 does', '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/', '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'],
    ['nests without whitespace', { b: [1, { d: true, c: null }], a: 'x' }, '{"a":"x","b":[1,{"c":null,"d":true}]}'],
    ['drops members whose value is undefined, as JSON.stringify does', { a: 1, b: undefined }, '{"a":1}'],
    ['keeps an empty object and array', { a: {}, b: [] }, '{"a":{},"b":[]}'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it.each([
    ['NaN', { n: NaN }],
    ['Infinity', { n: Infinity }],
    ['a Date', { when: new Date(0) }],
    ['a Map', { map: new Map() }],
    ['an undefined array element', { list: [1, undefined] }],
    ['a lone surrogate', { text: '\ud800' }],
    ['U+0000, which jsonb refuses', { text: 'a\u0000b' }],
    ['a function', { f: () => 1 }],
    ['a bigint', { big: 1n }],
  ])('refuses %s with INVALID_ENTRY', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(AuditError);
    try {
      canonicalJson(value);
    } catch (error) {
      expect((error as AuditError).code).toBe(AuditErrorCode.INVALID_ENTRY);
    }
  });

  it('gives the same text whatever order the members were built in', () => {
    expect(canonicalJson({ z: 1, a: { y: 2, b: 3 } })).toBe(canonicalJson({ a: { b: 3, y: 2 }, z: 1 }));
  });
});
