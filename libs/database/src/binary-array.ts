import { DatabaseError, DatabaseErrorCode } from './errors';

/** What each element type takes from JavaScript. */
export interface BinaryArrayElements {
  readonly float8: number;
  readonly int2: number;
  readonly int4: number;
  readonly int8: number | bigint;
  readonly bool: boolean;
  readonly uuid: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly timestamptz: Date;
  readonly text: string;
  readonly bytea: Uint8Array;
}

export type BinaryArrayType = keyof BinaryArrayElements;

interface ElementCodec<T> {
  /** The element type's OID: PostgreSQL refuses an array whose element type is not the cast's. */
  readonly oid: number;
  /** Bytes of one element, or the fixed size of every element. */
  readonly size: number | ((value: T) => number);
  /**
   * Writes one element at `offset`; returns the offset after it. Fixed-size elements go through the
   * DataView (V8 inlines its setters; Buffer's writeDoubleBE and friends were five times slower).
   */
  write(view: DataView, buffer: Buffer, offset: number, value: T, type: BinaryArrayType): number;
}

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const POSTGRES_EPOCH_DAYS = POSTGRES_EPOCH_MS / 86_400_000;
const TWO_TO_32 = 2 ** 32;
// eslint-disable-next-line no-control-regex -- seven-bit text, control characters included
const ASCII = /^[\x00-\x7f]*$/;

/** 0-15 for a hex digit's char code, -1 otherwise. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The decimal digits of `text` from `start` to `end` as a number, or -1 when any is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A signed 64-bit integer; numbers within 2^53 as two 32-bit halves (a BigInt per element showed in profiles). */
function writeInt64(view: DataView, offset: number, value: number | bigint): number {
  if (typeof value === 'bigint') view.setBigInt64(offset, value);
  else {
    const high = Math.floor(value / TWO_TO_32);
    view.setInt32(offset, high);
    view.setUint32(offset + 4, value - high * TWO_TO_32);
  }
  return offset + 8;
}

function invalid(type: BinaryArrayType, value: unknown, why: string): DatabaseError {
  return new DatabaseError(
    DatabaseErrorCode.INVALID_PARAMETER,
    `cannot send ${String(value)} as ${type}: ${why}`,
    { type },
  );
}

function integerCodec(oid: number, bytes: 2 | 4, min: number, max: number): ElementCodec<number> {
  return {
    oid,
    size: bytes,
    write(view, _buffer, offset, value, type) {
      if (!Number.isInteger(value) || value < min || value > max)
        throw invalid(type, value, `not an integer in ${min}..${max}`);
      if (bytes === 2) view.setInt16(offset, value);
      else view.setInt32(offset, value);
      return offset + bytes;
    },
  };
}

const CODECS: { readonly [K in BinaryArrayType]: ElementCodec<BinaryArrayElements[K]> } = {
  float8: {
    oid: 701,
    size: 8,
    write: (view, _buffer, offset, value, type) => {
      if (typeof value !== 'number') throw invalid(type, value, 'not a number');
      view.setFloat64(offset, value);
      return offset + 8;
    },
  },
  int2: integerCodec(21, 2, -32_768, 32_767),
  int4: integerCodec(23, 4, -2_147_483_648, 2_147_483_647),
  int8: {
    oid: 20,
    size: 8,
    write: (view, _buffer, offset, value, type) => {
      if (typeof value === 'number' && !Number.isSafeInteger(value))
        throw invalid(type, value, 'not a safe integer');
      return writeInt64(view, offset, value);
    },
  },
  bool: {
    oid: 16,
    size: 1,
    write: (view, _buffer, offset, value) => {
      view.setUint8(offset, value ? 1 : 0);
      return offset + 1;
    },
  },
  uuid: {
    oid: 2950,
    size: 16,
    write: (_view, buffer, offset, value, type) => {
      if (value.length !== 36) throw invalid(type, value, 'not a uuid');
      let at = offset;
      let high = -1;
      for (let index = 0; index < 36; index++) {
        const code = value.charCodeAt(index);
        if (index === 8 || index === 13 || index === 18 || index === 23) {
          if (code !== 45) throw invalid(type, value, 'not a uuid');
          continue;
        }
        const nibble = hexValue(code);
        if (nibble < 0) throw invalid(type, value, 'not a uuid');
        if (high < 0) high = nibble;
        else {
          buffer[at++] = (high << 4) | nibble;
          high = -1;
        }
      }
      return at;
    },
  },
  date: {
    oid: 1082,
    size: 4,
    write: (view, _buffer, offset, value, type) => {
      const year = value.length === 10 && value[4] === '-' && value[7] === '-' ? digits(value, 0, 4) : -1;
      const month = digits(value, 5, 7);
      const day = digits(value, 8, 10);
      if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
        throw invalid(type, value, 'not a YYYY-MM-DD date');
      view.setInt32(offset, daysFromCivil(year, month, day) - POSTGRES_EPOCH_DAYS);
      return offset + 4;
    },
  },
  timestamptz: {
    oid: 1184,
    size: 8,
    write: (view, _buffer, offset, value, type) => {
      const ms = value.getTime();
      if (Number.isNaN(ms)) throw invalid(type, value, 'an invalid Date');
      // Microseconds since 2000-01-01 UTC; a Date has whole milliseconds, so this is exact. Past 2^53
      // (some 285 years either side) as a BigInt.
      const micros = (ms - POSTGRES_EPOCH_MS) * 1000;
      return writeInt64(
        view,
        offset,
        Number.isSafeInteger(micros) ? micros : BigInt(ms - POSTGRES_EPOCH_MS) * 1000n,
      );
    },
  },
  text: {
    oid: 25,
    size: (value) => (ASCII.test(value) ? value.length : Buffer.byteLength(value, 'utf8')),
    write: (_view, buffer, offset, value, type) => {
      if (value.includes('\0')) throw invalid(type, JSON.stringify(value), 'PostgreSQL text cannot hold NUL');
      if (!ASCII.test(value)) return offset + buffer.write(value, offset, 'utf8');
      // Short ASCII strings (sources, units, time zones): a loop beats a call into C++ per element.
      for (let index = 0; index < value.length; index++) buffer[offset + index] = value.charCodeAt(index);
      return offset + value.length;
    },
  },
  bytea: {
    oid: 17,
    size: (value) => value.byteLength,
    write: (_view, buffer, offset, value) =>
      offset + Buffer.from(value.buffer, value.byteOffset, value.byteLength).copy(buffer, offset),
  },
};

/**
 * A one-dimensional PostgreSQL array in the binary wire format, for a query parameter cast to that
 * array type (`$1::float8[]`, `$2::uuid[]`). node-postgres sends a Buffer parameter as binary, so
 * PostgreSQL reads it with the array type's receive function: no number formatting or string
 * building in Node, no text parsing in PostgreSQL, and float8 and bytea elements travel as their
 * exact bytes (8 and n) instead of up to 24 characters and 2n hex digits. The ingest batches' wide
 * rows are tens of thousands of such elements per transaction; as text array literals their
 * formatting and parsing showed in both sides' CPU profiles.
 *
 * The cast must name exactly the element type encoded here (PostgreSQL refuses an array of another
 * element type); an enum column takes `text` and a second cast (`$1::text[]::device_kind[]`).
 * null and undefined are NULL elements. A value the type cannot hold throws DatabaseError
 * INVALID_PARAMETER, as PostgreSQL would refuse its text form.
 */
export function binaryArray<T extends BinaryArrayType>(
  type: T,
  values: readonly (BinaryArrayElements[T] | null | undefined)[],
): Buffer {
  const codec = CODECS[type] as ElementCodec<BinaryArrayElements[T]>;
  const { size } = codec;
  let bytes = values.length === 0 ? 12 : 20;
  let nulls = false;
  for (const value of values) {
    if (value === null || value === undefined) nulls = true;
    else bytes += typeof size === 'number' ? size : size(value);
    bytes += 4;
  }
  const buffer = Buffer.allocUnsafe(bytes);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  view.setInt32(0, values.length === 0 ? 0 : 1);
  view.setInt32(4, nulls ? 1 : 0);
  view.setInt32(8, codec.oid);
  let offset = 12;
  if (values.length > 0) {
    view.setInt32(12, values.length);
    // Lower bound: PostgreSQL arrays start at 1.
    view.setInt32(16, 1);
    offset = 20;
  }
  for (const value of values) {
    if (value === null || value === undefined) {
      view.setInt32(offset, -1);
      offset += 4;
      continue;
    }
    const lengthAt = offset;
    offset = codec.write(view, buffer, offset + 4, value, type);
    view.setInt32(lengthAt, offset - lengthAt - 4);
  }
  return buffer;
}

/** Elements of a one-dimensional binary array from `binaryArray` (for logs and profiles). */
export function binaryArrayLength(array: Buffer): number {
  return array.readInt32BE(0) === 0 ? 0 : array.readInt32BE(12);
}
