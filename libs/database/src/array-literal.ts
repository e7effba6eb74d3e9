/**
 * A PostgreSQL array literal (`{a,b,NULL}`) for a query parameter cast to an array type
 * (`$1::uuid[]`, `$2::float8[]`). node-postgres serializes a JS array by quoting and escaping every
 * element; the ingest path sends tens of thousands of elements per batch (one array per column), and
 * that serialization showed in its CPU profile. Elements that cannot be misread unquoted (numbers,
 * uuids, ISO timestamps, dates, booleans) go as they are; anything else - commas, braces, quotes,
 * backslashes, spaces, an empty string or the word NULL - is quoted and escaped as the array input
 * syntax requires, so the literal always parses back to exactly the given elements.
 */
export function arrayLiteral(values: readonly (string | number | boolean | null | undefined)[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index++) {
    if (index > 0) literal += ',';
    const value = values[index];
    if (value === null || value === undefined) literal += 'NULL';
    else if (typeof value === 'number') literal += String(value);
    else if (typeof value === 'boolean') literal += value ? 't' : 'f';
    else literal += UNQUOTED.test(value) && !NULL_WORD.test(value) ? value : `"${value.replace(ESCAPED, '\\$&')}"`;
  }
  return `${literal}}`;
}

/** Characters that never need quoting in an array element. */
const UNQUOTED = /^[0-9A-Za-z:.+\-_]+$/;
/** An unquoted NULL (any case) is a null element. */
const NULL_WORD = /^null$/i;
const ESCAPED = /[\\"]/g;
