export interface TextLine {
  readonly text: string;
  /** 1-based, for messages. */
  readonly number: number;
  /** False only for a last line with no newline after it: the file may have been cut mid-record. */
  readonly terminated: boolean;
}

/**
 * Complete lines of decoded text, a chunk's worth at a time, as positions in `text`: line `i` is
 * text[ends[i - 1] + 1 (or 0), ends[i]). Splits on LF only: Node's readline would also split on a
 * lone CR, which a CSV field may legitimately contain, and the hash covers every character. A last
 * line without a newline comes alone, as `unterminated`.
 */
export interface LineSpans {
  readonly text: string;
  readonly ends: readonly number[];
  /** 1-based number of the first line, for messages. */
  readonly firstNumber: number;
  readonly unterminated: boolean;
}

export async function* readLineSpans(chunks: AsyncIterable<string>): AsyncGenerator<LineSpans> {
  let pending = '';
  let number = 0;
  for await (const chunk of chunks) {
    pending += chunk;
    const ends: number[] = [];
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', newline + 1)) ends.push(newline);
    const last = ends[ends.length - 1];
    if (last === undefined) continue;
    yield { text: pending, ends, firstNumber: number + 1, unterminated: false };
    number += ends.length;
    pending = pending.slice(last + 1);
  }
  if (pending !== '') yield { text: pending, ends: [pending.length], firstNumber: number + 1, unterminated: true };
}

/** The lines of some spans as objects. */
export function textLinesOf(spans: LineSpans): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  spans.ends.forEach((end, index) => {
    lines.push({ text: spans.text.slice(start, end), number: spans.firstNumber + index, terminated: !spans.unterminated });
    start = end + 1;
  });
  return lines;
}

/** Yields the lines of each chunk together: a verifier of JSON Lines handles them without an asynchronous step per line. */
export async function* readLineBatches(chunks: AsyncIterable<string>): AsyncGenerator<TextLine[]> {
  for await (const spans of readLineSpans(chunks)) yield textLinesOf(spans);
}

/** The same lines one at a time, for readers whose records may span lines (CSV, FHIR). */
export async function* readLines(chunks: AsyncIterable<string>): AsyncGenerator<TextLine> {
  for await (const lines of readLineBatches(chunks)) yield* lines;
}
