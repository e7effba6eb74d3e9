/**
 * Lines of an export as byte ranges, so a verifier can hash an entry's bytes where they stand
 * instead of decoding the file to text and encoding each entry back to UTF-8. Splits on LF (0x0a)
 * only, like `readLineSpans`; LF never occurs inside a multi-byte UTF-8 sequence, so a line decoded
 * on its own reads exactly as it would inside the whole file.
 */

/** Complete lines in `bytes`: line `i` is bytes[ends[i - 1] + 1 (or `start`), ends[i]). */
export interface ByteLines {
  readonly bytes: Buffer;
  readonly start: number;
  readonly ends: readonly number[];
  /** 1-based number of the first line, for messages. */
  readonly firstNumber: number;
  /** Only for a last line with no LF after it: the file may have been cut mid-record. */
  readonly unterminated: boolean;
}

const LF = 0x0a;

/**
 * The lines of a byte stream, a chunk's worth at a time, without copying the chunks: only a line
 * that spans chunks is copied together (it comes as a batch of its own). What is kept of a chunk
 * for the next one is copied before the chunk is yielded, so the consumer may hand the chunk's
 * memory to another thread.
 */
export async function* readByteLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<ByteLines> {
  /** The pieces of a line whose LF has not come yet. */
  let carried: Buffer[] = [];
  let lines = 0;
  for await (const chunk of chunks) {
    let start = 0;
    if (carried.length > 0) {
      const newline = chunk.indexOf(LF);
      if (newline < 0) {
        carried.push(Buffer.from(chunk));
        continue;
      }
      carried.push(chunk.subarray(0, newline));
      const line = Buffer.concat(carried);
      carried = [];
      yield { bytes: line, start: 0, ends: [line.length], firstNumber: ++lines, unterminated: false };
      start = newline + 1;
    }
    const ends: number[] = [];
    for (let newline = chunk.indexOf(LF, start); newline >= 0; newline = chunk.indexOf(LF, newline + 1)) ends.push(newline);
    const last = ends[ends.length - 1];
    const rest = last === undefined ? start : last + 1;
    if (rest < chunk.length) carried.push(Buffer.from(chunk.subarray(rest)));
    if (last !== undefined) {
      yield { bytes: chunk, start, ends, firstNumber: lines + 1, unterminated: false };
      lines += ends.length;
    }
  }
  if (carried.length > 0) {
    const line = Buffer.concat(carried);
    yield { bytes: line, start: 0, ends: [line.length], firstNumber: lines + 1, unterminated: true };
  }
}

/**
 * Text chunks as UTF-8 bytes (tests and tools hand the verifier strings). A surrogate pair split
 * between two chunks is kept whole: encoded apart, each half would become U+FFFD.
 */
export async function* utf8Chunks(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<Buffer> {
  let heldHighSurrogate = '';
  for await (const chunk of chunks) {
    if (typeof chunk !== 'string') {
      if (heldHighSurrogate !== '') yield Buffer.from(heldHighSurrogate, 'utf8');
      heldHighSurrogate = '';
      yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      continue;
    }
    let text = heldHighSurrogate + chunk;
    heldHighSurrogate = '';
    const lastCode = text.charCodeAt(text.length - 1);
    if (lastCode >= 0xd800 && lastCode <= 0xdbff) {
      heldHighSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (text !== '') yield Buffer.from(text, 'utf8');
  }
  if (heldHighSurrogate !== '') yield Buffer.from(heldHighSurrogate, 'utf8');
}

/** Whether bytes[at...] starts with the ASCII text `expected` (given as its bytes). */
export function bytesAt(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  if (at < 0 || at + expected.length > bytes.length) return false;
  for (let index = 0; index < expected.length; index++) {
    if (bytes[at + index] !== expected[index]) return false;
  }
  return true;
}
