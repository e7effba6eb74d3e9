import { describe, expect, it } from 'vitest';
import { binaryArray, binaryArrayLength } from './binary-array';
import { DatabaseErrorCode } from './errors';

/** Header of a one-dimensional array: ndim 1, null flag, element OID, length, lower bound 1. */
function header(nulls: boolean, oid: number, length: number): string {
  return [
    '00000001',
    nulls ? '00000001' : '00000000',
    oid.toString(16).padStart(8, '0'),
    length.toString(16).padStart(8, '0'),
    '00000001',
  ].join('');
}

describe('binaryArray', () => {
  it.each<[string, Buffer, string]>([
    ['empty: no dimensions', binaryArray('float8', []), '00000000' + '00000000' + '000002bd'],
    [
      'float8: 8 big-endian bytes each, null as length -1',
      binaryArray('float8', [1.5, null]),
      header(true, 701, 2) + '00000008' + '3ff8000000000000' + 'ffffffff',
    ],
    ['int2', binaryArray('int2', [-2]), header(false, 21, 1) + '00000002' + 'fffe'],
    [
      'int4, undefined as null',
      binaryArray('int4', [258, undefined]),
      header(true, 23, 2) + '00000004' + '00000102' + 'ffffffff',
    ],
    [
      'int8 from a number and a bigint',
      binaryArray('int8', [1, 2n ** 40n]),
      header(false, 20, 2) + '00000008' + '0000000000000001' + '00000008' + '0000010000000000',
    ],
    [
      'bool',
      binaryArray('bool', [true, false]),
      header(false, 16, 2) + '00000001' + '01' + '00000001' + '00',
    ],
    [
      'uuid: 16 bytes, any case',
      binaryArray('uuid', ['1B9D6BCD-bbfd-4b2d-9b5d-ab8dfbbd4bed']),
      header(false, 2950, 1) + '00000010' + '1b9d6bcdbbfd4b2d9b5dab8dfbbd4bed',
    ],
    [
      'date: days since 2000-01-01',
      binaryArray('date', ['2000-01-02', '1999-12-31']),
      header(false, 1082, 2) + '00000004' + '00000001' + '00000004' + 'ffffffff',
    ],
    [
      'timestamptz: microseconds since 2000-01-01 UTC',
      binaryArray('timestamptz', [new Date('2000-01-01T00:00:00.001Z')]),
      header(false, 1184, 1) + '00000008' + '00000000000003e8',
    ],
    [
      'timestamptz before 2000: negative',
      binaryArray('timestamptz', [new Date('1999-12-31T23:59:59.999Z')]),
      header(false, 1184, 1) + '00000008' + 'fffffffffffffc18',
    ],
    [
      'timestamptz past 2^53 microseconds: still exact',
      binaryArray('timestamptz', [new Date('+100000-01-01T00:00:00.000Z')]),
      header(false, 1184, 1) +
        '00000008' +
        (BigInt(Date.parse('+100000-01-01T00:00:00.000Z') - Date.UTC(2000, 0, 1)) * 1000n)
          .toString(16)
          .padStart(16, '0'),
    ],
    [
      'int8: negative numbers in two halves',
      binaryArray('int8', [-2, -(2 ** 40)]),
      header(false, 20, 2) + '00000008' + 'fffffffffffffffe' + '00000008' + 'ffffff0000000000',
    ],
    [
      'date: a leap day, and a year before 2000',
      binaryArray('date', ['2024-02-29', '1970-01-01']),
      header(false, 1082, 2) + '00000004' + '00002279' + '00000004' + 'ffffd533',
    ],
    [
      'text: UTF-8 bytes, length in bytes',
      binaryArray('text', ['é,"}']),
      header(false, 25, 1) + '00000005' + 'c3a92c227d',
    ],
    [
      'bytea: the bytes as they are',
      binaryArray('bytea', [Buffer.from([0, 255])]),
      header(false, 17, 1) + '00000002' + '00ff',
    ],
  ])('%s', (_name, encoded, hex) => {
    expect(encoded.toString('hex')).toBe(hex);
  });

  it.each<[string, () => Buffer]>([
    ['a fraction as int4', () => binaryArray('int4', [1.5])],
    ['int2 out of range', () => binaryArray('int2', [40_000])],
    ['an unsafe int8 number', () => binaryArray('int8', [2 ** 60])],
    ['a string that is not a uuid', () => binaryArray('uuid', ['not-a-uuid'])],
    ['a date that does not exist', () => binaryArray('date', ['2026-02-30'])],
    ['no leap day in 1900', () => binaryArray('date', ['1900-02-29'])],
    ['a date in another format', () => binaryArray('date', ['2026/11/23'])],
    [
      'a uuid without its dashes in place',
      () => binaryArray('uuid', ['1b9d6bcdb-bfd-4b2d-9b5d-ab8dfbbd4bed']),
    ],
    ['a uuid with a non-hex digit', () => binaryArray('uuid', ['1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4beg'])],
    ['an invalid Date', () => binaryArray('timestamptz', [new Date(Number.NaN)])],
    ['NUL in text', () => binaryArray('text', ['a\0b'])],
    ['a string as float8', () => binaryArray('float8', ['1' as unknown as number])],
  ])('refuses %s with INVALID_PARAMETER', (_name, encode) => {
    expect(encode).toThrow(expect.objectContaining({ code: DatabaseErrorCode.INVALID_PARAMETER }));
  });

  it('reports its length', () => {
    expect(binaryArrayLength(binaryArray('int4', [1, null, 3]))).toBe(3);
    expect(binaryArrayLength(binaryArray('int4', []))).toBe(0);
  });
});
