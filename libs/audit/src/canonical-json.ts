import { AuditError, AuditErrorCode } from './errors';

/**
 * Strings PostgreSQL's jsonb or text cannot hold (U+0000), and lone UTF-16 surrogates, which UTF-8
 * cannot encode: two different JavaScript strings would otherwise reach the hash as the same bytes.
 * The plain character-class test is fast and almost always false; only strings with a surrogate
 * pair (emoji) take the exact Unicode-aware test.
 */
const ANY_SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /\p{Cs}/u;

export function isEncodableText(value: string): boolean {
  return !value.includes('\u0000') && (!ANY_SURROGATE.test(value) || !LONE_SURROGATE.test(value));
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization: object members sorted by the UTF-16 code
 * units of their names, no whitespace, strings and numbers exactly as ECMAScript's JSON.stringify
 * writes them (which is what RFC 8785 specifies). Only plain JSON is accepted: no NaN or Infinity,
 * no Dates, Maps or class instances, no undefined array elements. Object members whose value is
 * undefined are left out, as JSON.stringify (and so the jsonb column) would.
 */
export function canonicalJson(value: unknown): string {
  const out = serialize(value);
  // Verification runs this for every entry, so the path of a problem is only worked out on failure.
  if (out === undefined) throw describeProblem(value, '$') ?? notCanonical('$', 'not plain JSON');
  return out;
}

/** The canonical text, or undefined when something in `value` is not plain JSON. */
function serialize(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      // For finite numbers String() is ECMAScript's Number::toString, which RFC 8785 adopts (-0 gives "0").
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          const text = item === undefined ? undefined : serialize(item);
          if (text === undefined) return undefined;
          out += index === 0 ? text : `,${text}`;
        }
        return `${out}]`;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return undefined;
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is the order RFC 8785 section 3.2.3 requires.
      const keys = Object.keys(record).sort();
      let out = '{';
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        const name = quote(key);
        const text = name === undefined ? undefined : serialize(member);
        if (text === undefined) return undefined;
        out += `${out.length === 1 ? '' : ','}${name}:${text}`;
      }
      return `${out}}`;
    }
    default:
      return undefined;
  }
}

/**
 * A JSON string literal as JSON.stringify (and so RFC 8785) writes it, or undefined for text with
 * U+0000 or a lone surrogate. Printable ASCII without a quote or backslash, the usual case, needs no
 * escaping and skips the native call.
 */
export function canonicalJsonString(text: string): string | undefined {
  return quote(text);
}

function quote(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return isEncodableText(text) ? JSON.stringify(text) : undefined;
  }
  return `"${text}"`;
}

/** Finds what made `serialize` give up, for the error message. */
function describeProblem(value: unknown, path: string): AuditError | null {
  switch (typeof value) {
    case 'string':
      return isEncodableText(value) ? null : notCanonical(path, 'a string with U+0000 or a lone surrogate');
    case 'number':
      return Number.isFinite(value) ? null : notCanonical(path, String(value));
    case 'boolean':
      return null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          const problem = item === undefined ? notCanonical(`${path}[${index}]`, 'undefined') : describeProblem(item, `${path}[${index}]`);
          if (problem) return problem;
        }
        return null;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return notCanonical(path, 'a non-plain object');
      for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
        if (!isEncodableText(key)) return notCanonical(`${path}.${key}`, 'a member name with U+0000 or a lone surrogate');
        const problem = member === undefined ? null : describeProblem(member, `${path}.${key}`);
        if (problem) return problem;
      }
      return null;
    }
    default:
      return notCanonical(path, typeof value);
  }
}

function notCanonical(path: string, what: string): AuditError {
  return new AuditError(AuditErrorCode.INVALID_ENTRY, `Invalid audit entry: payload ${path} is ${what}, which plain JSON cannot carry`, {
    field: `payload${path.slice(1)}`,
  });
}
