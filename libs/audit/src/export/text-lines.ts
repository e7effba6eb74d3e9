export interface TextLine {
  readonly text: string;
  /** 1-based, for messages. */
  readonly number: number;
  /** False only for a last line with no newline after it: the file may have been cut mid-record. */
  readonly terminated: boolean;
}

/**
 * Splits decoded text into lines on LF only. Node's readline would also split on a lone CR, which a
 * CSV field may legitimately contain, and the hash covers every character. Yields the lines of each
 * chunk together: a verifier of JSON Lines handles them without an asynchronous step per line.
 */
export async function* readLineBatches(chunks: AsyncIterable<string>): AsyncGenerator<TextLine[]> {
  let pending = '';
  let number = 0;
  for await (const chunk of chunks) {
    pending += chunk;
    const lines: TextLine[] = [];
    let newline = pending.indexOf('\n');
    let consumed = 0;
    while (newline >= 0) {
      number++;
      lines.push({ text: pending.slice(consumed, newline), number, terminated: true });
      consumed = newline + 1;
      newline = pending.indexOf('\n', consumed);
    }
    pending = pending.slice(consumed);
    if (lines.length > 0) yield lines;
  }
  if (pending !== '') yield [{ text: pending, number: number + 1, terminated: false }];
}

/** The same lines one at a time, for readers whose records may span lines (CSV, FHIR). */
export async function* readLines(chunks: AsyncIterable<string>): AsyncGenerator<TextLine> {
  for await (const lines of readLineBatches(chunks)) yield* lines;
}
