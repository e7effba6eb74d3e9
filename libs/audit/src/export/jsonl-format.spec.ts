import { describe, expect, it } from 'vitest';
import { endsWithSeqMember, FULL_ENTRY_LINE, isFullEntryFrame, prevHashValueAt } from './jsonl-format';

const HASH = 'ab'.repeat(32);
const PREV = 'cd'.repeat(32);
const TEXT = `{"action":"a","payload":{"a":1,"prevHash":"${'f'.repeat(64)}","x":",\\"prevHash\\":\\""},"prevHash":"${PREV}","reason":"Hinweis: H","seq":1203}`;
const LINE = `{"record":"entry","hash":"${HASH}","proof":null,"entry":${TEXT}}`;

/** The line placed inside other bytes, as it sits in a chunk of the file. */
function inChunk(line: string): { bytes: Buffer; start: number; end: number } {
  const bytes = Buffer.from(`{"record":"header"}\n${line}\n{"record":"trailer"}\n`);
  const start = bytes.indexOf('\n') + 1;
  return { bytes, start, end: bytes.indexOf('\n', start) };
}

describe('the frame of an entry line of a full export, read as bytes', () => {
  it('finds the hash and the entry text where FULL_ENTRY_LINE says', () => {
    const { bytes, start, end } = inChunk(LINE);
    expect(bytes.toString('latin1', start + FULL_ENTRY_LINE.hashAt, start + FULL_ENTRY_LINE.hashAt + 64)).toBe(HASH);
    expect(bytes.toString('utf8', start + FULL_ENTRY_LINE.entryAt, end - 1)).toBe(TEXT);
  });

  it.each([
    ['the frame', LINE, true],
    ['a proof instead of null', LINE.replace('"proof":null', '"proof":{}'), false],
    ['another record', LINE.replace('"record":"entry"', '"record":"entri"'), false],
    ['not closed by a brace', `${LINE} `, false],
    ['a space in the frame', LINE.replace(',"entry":', ', "entry":'), false],
    ['nothing after the frame', `{"record":"entry","hash":"${HASH}","proof":null,"entry":}`, false],
  ] as const)('%s', (_name, line, isFrame) => {
    const { bytes, start, end } = inChunk(line);
    expect(isFullEntryFrame(bytes, start, end)).toBe(isFrame);
  });
});

describe('the seq and prevHash of an entry text, read as bytes', () => {
  const { bytes, start, end } = inChunk(LINE);
  const textStart = start + FULL_ENTRY_LINE.entryAt;
  const textEnd = end - 1;

  it.each([
    [1203, true],
    [203, false],
    [1202, false],
    [11203, false],
    [3, false],
  ])('ends with seq %d: %s', (seq, ends) => {
    expect(endsWithSeqMember(bytes, textStart, textEnd, seq)).toBe(ends);
  });

  it('does not take a seq member from before the text', () => {
    const text = Buffer.from('x,"seq":7}');
    expect(endsWithSeqMember(text, 0, text.length, 7)).toBe(true);
    expect(endsWithSeqMember(text, 2, text.length, 7)).toBe(false);
  });

  it('finds the last prevHash member, not one in the payload, past an "H" in a later member', () => {
    const at = prevHashValueAt(bytes, textStart, textEnd);
    expect(bytes.toString('latin1', at, at + 64)).toBe(PREV);
  });

  it.each([
    ['no prevHash member', '{"action":"a","seq":1}'],
    ['the member name without its opening quote', '{"prevHash":1,"seq":1}'],
    ['only part of the member inside the text', '"prevHash":"x","seq":1}'],
  ])('-1 for %s', (_name, text) => {
    const textBytes = Buffer.from(`,${text}`);
    expect(prevHashValueAt(textBytes, 1, textBytes.length)).toBe(-1);
  });
});
