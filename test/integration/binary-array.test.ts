import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryArray } from '@clinloop/database';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Binary arrays (`binaryArray`) are read by PostgreSQL's receive functions to exactly the given elements. */
describe('binary arrays read by PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('round-trips every element type, nulls and an empty array', async () => {
    const numbers = [1, -2.5, 1e-7, 123456789.125, Number.MAX_VALUE, 0.1 + 0.2, null];
    const text = ['plain', 'a,b', '}{', '"quoted"', 'back\\slash', 'NULL', '', ' spaced ', 'ünïcode', null];
    const instants = [new Date('2026-11-23T15:40:00.123Z'), new Date('1969-07-20T20:17:40.000Z'), null];
    const [row] = await database.dataSource.query<
      {
        numbers: (number | null)[];
        small: number[];
        counts: number[];
        big: string[];
        flags: (boolean | null)[];
        ids: string[];
        days: string[];
        instants: (string | null)[];
        text: (string | null)[];
        bytes: string[];
        kinds: string[];
        none: number[];
      }[]
    >(
      `SELECT $1::float8[] AS numbers, $2::int2[] AS small, $3::int4[] AS counts, $4::int8[]::text[] AS big, $5::bool[] AS flags,
              $6::uuid[] AS ids, $7::date[]::text[] AS days,
              array(SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM unnest($8::timestamptz[]) t) AS instants,
              $9::text[] AS text, array(SELECT encode(b, 'hex') FROM unnest($10::bytea[]) b) AS bytes,
              $11::text[]::device_kind[]::text[] AS kinds, $12::float8[] AS none`,
      [
        binaryArray('float8', numbers),
        binaryArray('int2', [-32_768, 32_767]),
        binaryArray('int4', [0, -1, 2_147_483_647]),
        binaryArray('int8', [Number.MAX_SAFE_INTEGER, 2n ** 62n]),
        binaryArray('bool', [true, false, null]),
        binaryArray('uuid', ['1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed']),
        binaryArray('date', ['2026-11-23', '1999-12-31', '2000-01-01']),
        binaryArray('timestamptz', instants),
        binaryArray('text', text),
        binaryArray('bytea', [Buffer.from([0, 1, 254, 255]), Buffer.alloc(0)]),
        binaryArray('text', ['upper_arm_cuff', 'wrist_cuff']),
        binaryArray('float8', []),
      ],
    );
    expect(row?.numbers).toEqual(numbers);
    expect(row?.small).toEqual([-32_768, 32_767]);
    expect(row?.counts).toEqual([0, -1, 2_147_483_647]);
    expect(row?.big).toEqual([String(Number.MAX_SAFE_INTEGER), String(2n ** 62n)]);
    expect(row?.flags).toEqual([true, false, null]);
    expect(row?.ids).toEqual(['1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed']);
    expect(row?.days).toEqual(['2026-11-23', '1999-12-31', '2000-01-01']);
    expect(row?.instants).toEqual(instants.map((instant) => instant?.toISOString() ?? null));
    expect(row?.text).toEqual(text);
    expect(row?.bytes).toEqual(['0001feff', '']);
    expect(row?.kinds).toEqual(['upper_arm_cuff', 'wrist_cuff']);
    expect(row?.none).toEqual([]);
  });

  it('is refused by PostgreSQL when the cast names another element type', async () => {
    await expect(
      database.dataSource.query('SELECT $1::int4[] AS counts', [binaryArray('int8', [1])]),
    ).rejects.toThrow(/element type 20 \(bigint\) instead of expected 23 \(integer\)/);
  });
});
