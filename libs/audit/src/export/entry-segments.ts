import type { closeSync, openSync, readSync } from 'node:fs';
import type { hash } from 'node:crypto';

/**
 * Segments of a full JSON Lines export, checked on their own and then joined to the verified chain.
 *
 * Every entry line of a full export carries its recorded hash and the previous entry's hash, so a
 * run of lines can be checked without the lines before it: each line's text must hash to its
 * recorded hash, its seq must follow the one before, and its prevHash must be the recorded hash of
 * the line before. What the run cannot know - that its first prevHash is the hash of the entry
 * before it and its first seq the next one - the export verifier checks when it joins the run to
 * the chain it has verified (`ExportVerifier.acceptSegment`). A run also folds its entries into the
 * Merkle tree as far as it can on its own: into the complete subtrees that lie inside it, which the
 * verifier appends to its tree whole. So the file can be cut into segments that two threads check
 * at once.
 *
 * A segment is a shortcut, never a second opinion: it stops at the first line that is not an intact
 * entry line of encoding 2 following the one before (a changed byte, a gap, an entry of encoding 1,
 * the trailer), and the verifier reads on from there line by line as it does without segments, so
 * it finds and names every problem exactly as it would on one thread. A line a segment accepts is
 * one the verifier's own path for entry lines (`ExportVerifier.acceptNextEntryLine`) accepts, with
 * the same effect once joined.
 */

/** Where the parts of a full export's entry line are (see `FULL_ENTRY_LINE`), as plain data for a worker. */
export interface EntryLineLayout {
  /** `0x00 || tag`: hashed before the entry text. */
  readonly prefix: Uint8Array;
  /** `{"record":"entry","hash":"`, then the 64 hex digits of the recorded hash at `hashAt`. */
  readonly frameStart: Uint8Array;
  readonly hashAt: number;
  /** `","proof":null,"entry":`, right after the hash digits; the entry text starts at `entryAt`. */
  readonly frameMiddle: Uint8Array;
  readonly entryAt: number;
  /** `,"seq":`, the entry text's last member. */
  readonly seqMember: Uint8Array;
  /** `,"prevHash":"`, the last member so named. */
  readonly prevHashMember: Uint8Array;
}

/** One segment to check: plain data, posted to a worker thread as it is. */
export interface SegmentTask {
  readonly file: string;
  /** Where the segment's first line starts. */
  readonly from: number;
  /** Where the next segment starts (a line start), or the file's size: no line is read past it. */
  readonly to: number;
  /** The covering checkpoint's size: a line of a later seq is left to the verifier. */
  readonly maxSeq: number;
  /** Tree sizes the verifier compares with checkpoints, ascending: a leg of the segment ends at each. */
  readonly cuts: readonly number[];
  readonly layout: EntryLineLayout;
  /** Element 0 set to 1 (by another thread) stops the check at its next read: the result is no longer needed. */
  readonly cancel: Int32Array | null;
}

/**
 * The complete subtrees of part of a segment, left to right, and the entry it ends with. The verifier
 * appends them to its tree, which then has `size` leaves, and compares it with any checkpoint of that size.
 */
export interface SegmentLeg {
  readonly size: number;
  /** Height of each subtree (0: one leaf). */
  readonly levels: Uint8Array;
  /** Their hashes, 32 bytes each. */
  readonly nodes: Uint8Array;
  /** The hash of entry `size`. */
  readonly lastHash: Uint8Array;
}

export interface SegmentResult {
  readonly from: number;
  /** Where the first line not accepted starts (`to` when every line was). */
  readonly stoppedAt: number;
  /** Lines accepted, one entry each. */
  readonly count: number;
  /** The seq of the first line accepted, as its text says (0 when none was). */
  readonly firstSeq: number;
  /** The first line's prevHash as it stands: 64 lowercase hex digits. */
  readonly firstPrevHash: Uint8Array;
  /** Ends at each cut the segment passes, and at its last entry. */
  readonly legs: readonly SegmentLeg[];
  /** `u64be(seq) || hash` of each entry accepted, in order: what the export's entries digest covers. */
  readonly digestRecords: Uint8Array;
  /** Whether the check stopped because it was cancelled. */
  readonly cancelled: boolean;
}

export interface SegmentIo {
  readonly openSync: typeof openSync;
  readonly readSync: typeof readSync;
  readonly closeSync: typeof closeSync;
}

/**
 * Checks one segment. It runs on the main thread and, made from source text on the verifier's worker
 * thread (`segmentChecker`), there too.
 */
export const checkSegment: SegmentChecker = segmentChecker();

export type SegmentChecker = (io: SegmentIo, sha256: typeof hash, task: SegmentTask) => SegmentResult;

/**
 * Makes a thread's `checkSegment`. It is sent to the worker thread as source text (`toString`), so
 * it may use only its parameters and globals: no imports, no helpers from this file, no syntax that
 * needs a compiler helper. It is type-checked and linted like any code. The inner functions are
 * made once per thread, so the optimizing compiler sees the same ones on every call; the per-line
 * work is `scanLine`, which touches none of the rarely taken paths (reading, growing, finishing), so it
 * is not thrown out of optimized code when one of them is first taken.
 *
 * The file is read a megabyte at a time into a buffer of its own. Each line is checked in the order
 * of `acceptNextEntryLine`: the frame byte for byte, the seq digits, the prevHash member, then the
 * text hashed where it stands (the prefix written over the frame bytes just before it, which are
 * not read again) and compared with the recorded digits. A leaf joins the subtrees of the segment;
 * two neighbours of the same height merge when together they are a complete subtree of the whole tree.
 */
export function segmentChecker(): SegmentChecker {
  const NEEDS_BYTES = 0;
  const ACCEPTED = 1;
  const REFUSED = 2;
  const LOWER_HEX = Uint8Array.from([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);

  /** What a scan of the segment has reached; one object of one shape per segment. */
  interface ScanState {
    readonly task: SegmentTask;
    readonly sha256: typeof hash;
    /** Bytes [lineStart, filled) of the buffer are read and not yet checked. */
    lineStart: number;
    count: number;
    firstSeq: number;
    seq: number;
    cutIndex: number;
    /** Subtrees not yet reported: heights, first leaf positions, hashes (subtree d at 1 + 32 * d, so two neighbours with the byte before them set to 0x01 are their parent's input). */
    depth: number;
    readonly levels: Uint8Array;
    readonly starts: Float64Array;
    readonly nodes: Uint8Array;
    /** `nodeInputs[d]`: the 65 bytes from the byte before subtree d, made once (a view per merge measured 4-11% slower). */
    readonly nodeInputs: readonly Uint8Array[];
    /** Digest records; room for every line of the bytes being scanned is made before the scan. */
    records: Uint8Array;
    readonly legs: SegmentLeg[];
    readonly firstPrevHash: Uint8Array;
    readonly saved: Uint8Array;
    /** Index of the "H" in `,"prevHash":"`. */
    readonly prevHashH: number;
  }

  function closeLeg(state: ScanState): void {
    const { seq, depth, count, records } = state;
    state.legs.push({ size: seq, levels: state.levels.slice(0, depth), nodes: state.nodes.slice(1, 1 + 32 * depth), lastHash: records.slice(40 * count - 32, 40 * count) });
    state.depth = 0;
  }

  /**
   * Checks the line at buffer[state.lineStart...]: NEEDS_BYTES when it does not end before `filled`,
   * ACCEPTED (state moved past it), or REFUSED (state left at it). One line per call, so this is
   * optimized as a function called many times, not as a loop entered mid-way.
   */
  function scanLine(state: ScanState, buffer: Buffer, filled: number): number {
    const { task, sha256, levels, starts, nodes, records, firstPrevHash, saved, prevHashH } = state;
    const { prefix, frameStart, hashAt, frameMiddle, entryAt, seqMember, prevHashMember } = task.layout;
    const middleAt = hashAt + 64;
    const hashedBack = prefix.length;
    const { lineStart, count } = state;
    let { seq, depth } = state;
    const newline = lineStart < filled ? buffer.indexOf(0x0a, lineStart) : -1;
    if (newline < 0 || newline >= filled) return NEEDS_BYTES;
    const start = lineStart;
    const end = newline;
    const textStart = start + entryAt;
    const textEnd = end - 1;
    // The frame: {"record":"entry","hash":"<64>","proof":null,"entry":<text>}
    if (end - start <= entryAt + 1 || buffer[textEnd] !== 0x7d || buffer[textEnd - 1] !== 0x7d) return REFUSED;
    let intact = true;
    for (let index = 0; index < frameStart.length && intact; index++) intact = buffer[start + index] === frameStart[index];
    for (let index = 0; index < frameMiddle.length && intact; index++) intact = buffer[start + middleAt + index] === frameMiddle[index];
    if (!intact) return REFUSED;
    // The seq: the next one, or for the first line what its digits say (canonical: no leading zero, below 2^53).
    let expected = seq + 1;
    if (count === 0) {
      let digitsStart = textEnd - 1;
      while (digitsStart > textStart && (buffer[digitsStart - 1] ?? 0) >= 0x30 && (buffer[digitsStart - 1] ?? 0) <= 0x39) digitsStart--;
      const digits = textEnd - 1 - digitsStart;
      if (digits === 0 || digits > 16 || buffer[digitsStart] === 0x30) return REFUSED;
      expected = Number(buffer.toString('latin1', digitsStart, textEnd - 1));
      if (!Number.isSafeInteger(expected)) return REFUSED;
    }
    if (expected > task.maxSeq) return REFUSED;
    let at = textEnd - 1;
    let rest = expected;
    do {
      at--;
      intact = buffer[at] === 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (intact && rest > 0);
    const memberAt = at - seqMember.length;
    intact &&= memberAt >= textStart;
    for (let index = 0; index < seqMember.length && intact; index++) intact = buffer[memberAt + index] === seqMember[index];
    if (!intact) return REFUSED;
    // The prevHash: the last `,"prevHash":"` member (found from its "H"), its 64 digits and closing quote.
    let prevHashAt = -1;
    const lowest = textStart + prevHashH;
    for (let h = textEnd - (prevHashMember.length - prevHashH); h >= lowest; h--) {
      h = buffer.lastIndexOf(0x48, h);
      if (h < lowest) return REFUSED;
      let member = true;
      for (let index = 0; index < prevHashMember.length && member; index++) member = buffer[h - prevHashH + index] === prevHashMember[index];
      if (member) {
        prevHashAt = h - prevHashH + prevHashMember.length;
        break;
      }
    }
    if (prevHashAt < 0 || prevHashAt + 64 >= textEnd || buffer[prevHashAt + 64] !== 0x22) return REFUSED;
    if (count === 0) {
      // Compared with the verified head when the segment is joined; it must be the head's lowercase digits.
      for (let index = 0; index < 64; index++) firstPrevHash[index] = buffer[prevHashAt + index] ?? 0;
    } else {
      // The lowercase digits of the previous entry's hash (its digest record's last 32 bytes), which its recorded digits were.
      for (let index = 0, digit = prevHashAt, last = 40 * count - 32; index < 32 && intact; index++, digit += 2) {
        const byte = records[last + index] ?? 0;
        intact = buffer[digit] === LOWER_HEX[byte >>> 4] && buffer[digit + 1] === LOWER_HEX[byte & 0x0f];
      }
      if (!intact) return REFUSED;
    }
    // The text's hash, compared with the recorded digits. The frame bytes the prefix is written over
    // are not read again (a line the verifier is left with, it reads from the file), but for the
    // last hash digits the prefix may reach: those are put back for the comparison.
    const hashedFrom = textStart - hashedBack;
    const overlap = start + middleAt - hashedFrom;
    for (let index = 0; index < overlap; index++) saved[index] = buffer[hashedFrom + index] ?? 0;
    for (let index = 0; index < hashedBack; index++) buffer[hashedFrom + index] = prefix[index] ?? 0;
    // A plain view: a Buffer's subarray costs more to make.
    const computed = sha256('sha256', new Uint8Array(buffer.buffer, buffer.byteOffset + hashedFrom, textEnd - hashedFrom), 'binary');
    for (let index = 0; index < overlap; index++) buffer[hashedFrom + index] = saved[index] ?? 0;
    for (let index = 0, digit = start + hashAt; index < 32 && intact; index++, digit += 2) {
      const byte = computed.charCodeAt(index);
      intact = buffer[digit] === LOWER_HEX[byte >>> 4] && buffer[digit + 1] === LOWER_HEX[byte & 0x0f];
    }
    if (!intact) return REFUSED;

    // Accepted: the entry joins the digest records (whose last is the chain head) and the subtrees.
    seq = expected;
    if (count === 0) {
      state.firstSeq = seq;
      while (state.cutIndex < task.cuts.length && (task.cuts[state.cutIndex] ?? 0) < seq) state.cutIndex++;
    }
    const record = 40 * count;
    const high = Math.floor(seq / 0x1_0000_0000);
    const low = seq % 0x1_0000_0000;
    for (let index = 0; index < 4; index++) {
      records[record + index] = (high >>> (24 - 8 * index)) & 0xff;
      records[record + 4 + index] = (low >>> (24 - 8 * index)) & 0xff;
    }
    const node = 1 + 32 * depth;
    for (let index = 0; index < 32; index++) {
      const byte = computed.charCodeAt(index);
      records[record + 8 + index] = byte;
      nodes[node + index] = byte;
    }
    levels[depth] = 0;
    starts[depth] = seq - 1;
    depth++;
    while (depth >= 2 && levels[depth - 1] === levels[depth - 2] && (starts[depth - 2] ?? 0) % 2 ** ((levels[depth - 2] ?? 0) + 1) === 0) {
      const left = 1 + 32 * (depth - 2);
      const before = nodes[left - 1] ?? 0;
      nodes[left - 1] = 0x01;
      const parent = sha256('sha256', state.nodeInputs[depth - 2] ?? new Uint8Array(nodes.buffer, left - 1, 65), 'binary');
      nodes[left - 1] = before;
      for (let index = 0; index < 32; index++) nodes[left + index] = parent.charCodeAt(index);
      levels[depth - 2] = (levels[depth - 2] ?? 0) + 1;
      depth--;
    }
    state.lineStart = newline + 1;
    state.count = count + 1;
    state.seq = seq;
    state.depth = depth;
    if (state.cutIndex < task.cuts.length && task.cuts[state.cutIndex] === seq) {
      closeLeg(state);
      state.cutIndex++;
    }
    return ACCEPTED;
  }

  return function checkSegmentHere(io: SegmentIo, sha256: typeof hash, task: SegmentTask): SegmentResult {
    const nodes = new Uint8Array(1 + 128 * 32);
    const state: ScanState = {
      task,
      sha256,
      lineStart: 0,
      count: 0,
      firstSeq: 0,
      seq: 0,
      cutIndex: 0,
      depth: 0,
      // A segment holds at most two subtrees of each height.
      levels: new Uint8Array(128),
      starts: new Float64Array(128),
      nodes,
      nodeInputs: Array.from({ length: 127 }, (_, depth) => new Uint8Array(nodes.buffer, 32 * depth, 65)),
      records: new Uint8Array(40 * 4096),
      legs: [],
      firstPrevHash: new Uint8Array(64),
      saved: new Uint8Array(task.layout.prefix.length),
      prevHashH: task.layout.prevHashMember.indexOf(0x48),
    };
    let cancelled = false;
    let buffer = Buffer.alloc(1 << 20);
    /** The file offset of buffer[0]. */
    let base = task.from;
    let filled = 0;
    let readAt = task.from;
    /** A line can be no shorter than its frame: this bounds the lines in the bytes read. */
    const shortestLine = task.layout.entryAt + 2;
    const fd = io.openSync(task.file, 'r');
    try {
      while (readAt < task.to) {
        if (task.cancel !== null && Atomics.load(task.cancel, 0) === 1) {
          cancelled = true;
          break;
        }
        // Keep the unfinished line: moved to the front, in a larger buffer when it fills this one.
        const kept = filled - state.lineStart;
        const target = kept === buffer.length ? Buffer.alloc(2 * buffer.length) : buffer;
        buffer.copy(target, 0, state.lineStart, filled);
        buffer = target;
        base += state.lineStart;
        state.lineStart = 0;
        filled = kept;
        const read = io.readSync(fd, buffer, filled, Math.min(buffer.length - filled, task.to - readAt), readAt);
        if (read <= 0) break;
        readAt += read;
        filled += read;
        const room = 40 * (state.count + Math.ceil(filled / shortestLine) + 1);
        if (state.records.length < room) {
          const grown = new Uint8Array(Math.max(room, 2 * state.records.length));
          grown.set(state.records);
          state.records = grown;
        }
        let status = ACCEPTED;
        while (status === ACCEPTED) status = scanLine(state, buffer, filled);
        if (status === REFUSED) break;
      }
    } finally {
      io.closeSync(fd);
    }
    if (state.depth > 0) closeLeg(state);
    return {
      from: task.from,
      stoppedAt: base + state.lineStart,
      count: state.count,
      firstSeq: state.firstSeq,
      firstPrevHash: state.firstPrevHash,
      legs: state.legs,
      digestRecords: state.records.slice(0, 40 * state.count),
      cancelled,
    };
  };
}
