import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '@clinloop/database';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The literals the ingest path sends parse back, in PostgreSQL itself, to exactly the given elements. */
describe('array literals read by PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('round-trips hostile text, numbers, nulls, instants and booleans', async () => {
    const text = ['plain', 'a,b', '}{', '"quoted"', 'back\\slash', 'NULL', '', ' spaced ', 'ünïcode', null];
    const numbers = [1, -2.5, 1e-7, 123456789.125, null];
    const instants = ['2026-11-23T15:40:00.000Z', null];
    const flags = [true, false, null];
    const [row] = await database.dataSource.query<{ text: (string | null)[]; numbers: (number | null)[]; instants: (Date | null)[]; flags: (boolean | null)[] }[]>(
      'SELECT $1::text[] AS text, $2::float8[] AS numbers, $3::timestamptz[] AS instants, $4::boolean[] AS flags',
      [arrayLiteral(text), arrayLiteral(numbers), arrayLiteral(instants), arrayLiteral(flags)],
    );
    expect(row?.text).toEqual(text);
    expect(row?.numbers).toEqual(numbers);
    expect(row?.instants.map((instant) => instant?.toISOString() ?? null)).toEqual(instants);
    expect(row?.flags).toEqual(flags);
  });
});
