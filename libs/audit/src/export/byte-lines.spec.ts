import { describe, expect, it } from 'vitest';
import { bytesAt, readByteLines, utf8Chunks } from './byte-lines';

interface Line {
  readonly text: string;
  readonly number: number;
  readonly terminated: boolean;
}

async function* chunksOf(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let offset = 0;
  for (let index = 0; offset < bytes.length; index++) {
    const size = sizes[index % sizes.length] ?? 1;
    await Promise.resolve();
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function linesOf(chunks: AsyncIterable<Buffer>): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const { bytes, start: first, ends, firstNumber, unterminated } of readByteLines(chunks)) {
    let start = first;
    ends.forEach((end, index) => {
      lines.push({ text: bytes.toString('utf8', start, end), number: firstNumber + index, terminated: !unterminated });
      start = end + 1;
    });
  }
  return lines;
}

/** What the lines of `text` are: split on LF, numbered from 1, a last line without LF unterminated, none after a final LF. */
function expectedLines(text: string): Line[] {
  const parts = text.split('\n');
  const last = parts.pop();
  const lines = parts.map((part, index) => ({ text: part, number: index + 1, terminated: true }));
  if (last !== undefined && last !== '') lines.push({ text: last, number: lines.length + 1, terminated: false });
  return lines;
}

const TEXTS: readonly [string, string][] = [
  ['empty', ''],
  ['one terminated line', '{"record":"header"}\n'],
  ['one unterminated line', '{"record":"header"}'],
  ['empty lines', '\n\na\n\n'],
  ['multi-byte characters', 'Blutdruck über Grenzwert ✓\n😀 and \r\n a CR kept\nlast'],
  ['a line longer than any chunk', `${'x'.repeat(300)}\nshort\n${'y'.repeat(250)}`],
];

describe('readByteLines', () => {
  it.each(TEXTS)('%s: the same lines however the bytes are cut', async (_name, text) => {
    const bytes = Buffer.from(text, 'utf8');
    const expected = expectedLines(text);
    // Every cut into two pieces, then chunks of several fixed and mixed sizes.
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await linesOf(chunksOf(bytes, [cut || 1, bytes.length])), `cut at ${cut}`).toEqual(expected);
    }
    for (const sizes of [[1], [2], [3], [7], [64], [1, 5, 2], [100, 1]]) {
      expect(await linesOf(chunksOf(bytes, sizes)), `chunks of ${sizes.join(',')}`).toEqual(expected);
    }
  });

  it('keeps nothing of a chunk it has yielded: the consumer may give the chunk away', async () => {
    const text = 'first\nsec';
    const seen: string[] = [];
    async function* chunks(): AsyncGenerator<Buffer> {
      await Promise.resolve();
      yield Buffer.from(text);
      yield Buffer.from('ond\n');
    }
    for await (const { bytes, start, ends } of readByteLines(chunks())) {
      let from = start;
      for (const end of ends) {
        seen.push(bytes.toString('utf8', from, end));
        from = end + 1;
      }
      // What another thread taking the chunk would leave: zeros.
      bytes.fill(0);
    }
    expect(seen).toEqual(['first', 'second']);
  });
});

describe('utf8Chunks', () => {
  it('keeps a surrogate pair whole when text chunks split it', async () => {
    const text = 'a😀b😀';
    for (let cut = 0; cut <= text.length; cut++) {
      async function* halves(): AsyncGenerator<string> {
        await Promise.resolve();
        yield text.slice(0, cut);
        yield text.slice(cut);
      }
      const bytes: Buffer[] = [];
      for await (const chunk of utf8Chunks(halves())) bytes.push(chunk);
      expect(Buffer.concat(bytes).toString('utf8'), `cut at ${cut}`).toBe(text);
    }
  });

  it('passes bytes through and mixes them with text', async () => {
    async function* mixed(): AsyncGenerator<string | Uint8Array> {
      await Promise.resolve();
      yield 'x\uD83D';
      yield new Uint8Array([0x41]);
      yield Buffer.from('é');
    }
    const bytes: Buffer[] = [];
    for await (const chunk of utf8Chunks(mixed())) bytes.push(chunk);
    // A high surrogate followed by bytes is alone, as UTF-8 encodes it: U+FFFD.
    expect(Buffer.concat(bytes).toString('utf8')).toBe('x\uFFFDAé');
  });
});

describe('bytesAt', () => {
  it.each([
    ['at the start', 'abcdef', 0, 'abc', true],
    ['in the middle', 'abcdef', 2, 'cde', true],
    ['a different byte', 'abcdef', 2, 'cdx', false],
    ['running past the end', 'abcdef', 4, 'efg', false],
    ['a negative offset', 'abcdef', -1, 'a', false],
    ['nothing to compare', 'abc', 3, '', true],
  ] as const)('%s', (_name, bytes, at, expected, result) => {
    expect(bytesAt(Buffer.from(bytes), at, Buffer.from(expected))).toBe(result);
  });
});
