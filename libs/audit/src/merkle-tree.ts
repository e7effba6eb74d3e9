import { hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 section 2.1 over the entry hashes, which are already RFC 9162 leaf
 * hashes (see canonical-encoding.ts). Sizes and indexes stay below 2^53 and are handled with
 * arithmetic, not JavaScript's 32-bit bit operators.
 */

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = 0x01;
const HASH_SIZE = 32;

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_TREE_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return hash('sha256', input, 'buffer');
}

/** The largest power of two strictly below n (n >= 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

function log2OfPowerOfTwo(n: number): number {
  let level = 0;
  for (let k = 1; k < n; k *= 2) level++;
  return level;
}

/** A complete subtree: `2^level` leaves starting at leaf `index * 2^level`. Level 0 is a leaf hash. */
export interface PerfectNode {
  readonly level: number;
  readonly index: number;
}

/** Hash of a complete subtree, from wherever the caller keeps them (an array, the node table). */
export type PerfectNodeReader = (level: number, index: number) => Buffer;

/** MTH(D[start:end]) per RFC 9162 2.1.1, reading complete subtrees instead of recomputing them. */
export function rangeRoot(start: number, end: number, read: PerfectNodeReader): Buffer {
  const size = end - start;
  if (size <= 0) return EMPTY_TREE_ROOT;
  if (isPowerOfTwo(size) && start % size === 0) return read(log2OfPowerOfTwo(size), start / size);
  const k = splitPoint(size);
  return nodeHash(rangeRoot(start, start + k, read), rangeRoot(start + k, end, read));
}

/** RFC 9162 2.1.3.1 PATH(m, D[n]): sibling hashes from the leaf up. */
export function inclusionPath(leafIndex: number, treeSize: number, read: PerfectNodeReader): Buffer[] {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) throw new RangeError(`leaf ${leafIndex} is not in a tree of size ${treeSize}`);
  const path: Buffer[] = [];
  collectPath(leafIndex, 0, treeSize, read, path);
  return path;
}

function collectPath(m: number, start: number, end: number, read: PerfectNodeReader, path: Buffer[]): void {
  const n = end - start;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    collectPath(m, start, start + k, read, path);
    path.push(rangeRoot(start + k, end, read));
  } else {
    collectPath(m - k, start + k, end, read, path);
    path.push(rangeRoot(start, start + k, read));
  }
}

/** RFC 9162 2.1.4.1 PROOF(m, D[n]) for 0 < m <= n; empty when m equals n. */
export function consistencyPath(oldSize: number, newSize: number, read: PerfectNodeReader): Buffer[] {
  if (!(oldSize > 0 && oldSize <= newSize)) throw new RangeError(`no consistency proof from size ${oldSize} to ${newSize}`);
  const path: Buffer[] = [];
  collectSubproof(oldSize, 0, newSize, true, read, path);
  return path;
}

function collectSubproof(m: number, start: number, end: number, startsAtOldRoot: boolean, read: PerfectNodeReader, path: Buffer[]): void {
  const n = end - start;
  if (m === n) {
    if (!startsAtOldRoot) path.push(rangeRoot(start, end, read));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    collectSubproof(m, start, start + k, startsAtOldRoot, read, path);
    path.push(rangeRoot(start + k, end, read));
  } else {
    collectSubproof(m - k, start + k, end, false, read, path);
    path.push(rangeRoot(start, start + k, read));
  }
}

/**
 * RFC 9162 2.1.3.2: the root an inclusion path leads to, or null when the path cannot belong to a
 * tree of this size (too long, too short, index out of range).
 */
export function rootFromInclusionPath(leafIndex: number, treeSize: number, leaf: Buffer, path: readonly Buffer[]): Buffer | null {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(leafIndex: number, treeSize: number, leaf: Buffer, path: readonly Buffer[], root: Buffer): boolean {
  const computed = rootFromInclusionPath(leafIndex, treeSize, leaf, path);
  return computed !== null && computed.equals(root);
}

/**
 * RFC 9162 2.1.4.2, plus the cases the RFC leaves to the caller: equal sizes need an empty path and
 * equal roots; an empty old tree is consistent with anything.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Buffer, newRoot: Buffer, path: readonly Buffer[]): boolean {
  if (oldSize < 0 || oldSize > newSize) return false;
  if (oldSize === newSize) return path.length === 0 && oldRoot.equals(newRoot);
  if (oldSize === 0) return path.length === 0 && oldRoot.equals(EMPTY_TREE_ROOT);
  if (path.length === 0) return false;
  const nodes = isPowerOfTwo(oldSize) ? [oldRoot, ...path] : [...path];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const first = nodes[0];
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (let index = 1; index < nodes.length; index++) {
    const c = nodes[index];
    if (c === undefined || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0;
}

/** The complete subtrees that make up a tree of `size` leaves, left to right (largest first). */
export function perfectSubtreesOf(size: number): PerfectNode[] {
  const nodes: PerfectNode[] = [];
  let start = 0;
  let remaining = size;
  while (remaining > 0) {
    let width = 1;
    while (width * 2 <= remaining) width *= 2;
    const level = log2OfPowerOfTwo(width);
    nodes.push({ level, index: start / width });
    start += width;
    remaining -= width;
  }
  return nodes;
}

/** Called for every complete subtree of level >= 1 an append finishes, so a store can keep it. */
export type CompletedNodeListener = (level: number, index: number, hash: Buffer) => void;

/** Node input of the accumulator, reused: 0x01 || left || right. */
const NODE_INPUT = Buffer.alloc(65, NODE_PREFIX);
/** Sizes stay below 2^53, so a tree has at most 53 complete subtrees, and 54 during an append. */
const MAX_SUBTREES = 54;

/**
 * Streaming root ("compact range"): keeps only the complete subtrees along the right edge, so the
 * root of millions of leaves needs log2(n) hashes of memory and one node hash per leaf on average.
 * The subtrees sit side by side in one buffer, so merging two is one copy into the node input and
 * one hash call, without a Buffer or a hex string per hash: verification folds one leaf per entry.
 */
export class MerkleAccumulator {
  /** Complete subtrees left to right (largest first), 32 bytes each. */
  private readonly subtrees = Buffer.alloc(MAX_SUBTREES * HASH_SIZE);
  private subtreeCount = 0;
  private leafCount: number;

  private constructor(size: number) {
    this.leafCount = size;
  }

  static empty(): MerkleAccumulator {
    return new MerkleAccumulator(0);
  }

  /** Resumes from the hashes of `perfectSubtreesOf(size)`, in that order. */
  static resume(size: number, subtreeHashes: readonly Buffer[]): MerkleAccumulator {
    const expected = perfectSubtreesOf(size).length;
    if (expected !== subtreeHashes.length) throw new RangeError(`a tree of size ${size} has ${expected} complete subtrees, not ${subtreeHashes.length}`);
    const accumulator = new MerkleAccumulator(size);
    for (const node of subtreeHashes) accumulator.push(node);
    return accumulator;
  }

  get size(): number {
    return this.leafCount;
  }

  /** A leaf hash (32 bytes, copied). */
  append(leaf: Uint8Array, onCompleted?: CompletedNodeListener): void {
    this.push(leaf);
    let index = this.leafCount;
    // Each trailing 1 bit of the old size is a complete subtree of the same width to merge with.
    for (let bits = this.leafCount, level = 1; bits % 2 === 1; bits = Math.floor(bits / 2), level++) {
      const left = this.mergeLastTwo();
      index = Math.floor(index / 2);
      onCompleted?.(level, index, Buffer.from(this.subtrees.subarray(left, left + HASH_SIZE)));
    }
    this.leafCount++;
  }

  /**
   * The root of a complete subtree of height `level` (2^level leaves; 32 bytes, copied) that starts
   * right after the last leaf: the tree's size must be a multiple of its width. The result is the
   * tree those leaves would have made appended one by one.
   */
  appendSubtree(level: number, node: Uint8Array): void {
    const width = 2 ** level;
    if (this.leafCount % width !== 0) throw new RangeError(`a subtree of ${width} leaves cannot follow leaf ${this.leafCount}: it would not be complete in the tree`);
    this.push(node);
    for (let bits = this.leafCount / width; bits % 2 === 1; bits = Math.floor(bits / 2)) this.mergeLastTwo();
    this.leafCount += width;
  }

  root(): Buffer {
    if (this.subtreeCount === 0) return EMPTY_TREE_ROOT;
    const root = Buffer.from(this.subtrees.subarray((this.subtreeCount - 1) * HASH_SIZE, this.subtreeCount * HASH_SIZE));
    for (let index = this.subtreeCount - 2; index >= 0; index--) {
      this.subtrees.copy(NODE_INPUT, 1, index * HASH_SIZE, (index + 1) * HASH_SIZE);
      root.copy(NODE_INPUT, 1 + HASH_SIZE);
      root.write(hash('sha256', NODE_INPUT, 'binary'), 'latin1');
    }
    return root;
  }

  /** Replaces the last two subtrees with their parent; returns where it is in `subtrees`. */
  private mergeLastTwo(): number {
    const left = (this.subtreeCount - 2) * HASH_SIZE;
    // Left and right lie side by side. Copied and written back byte by byte: for 32 or 64 bytes a
    // loop costs less than Buffer's copy and write, which each make a view and call native code.
    for (let at = 0; at < 2 * HASH_SIZE; at++) NODE_INPUT[1 + at] = this.subtrees[left + at] ?? 0;
    const node = hash('sha256', NODE_INPUT, 'binary');
    for (let at = 0; at < HASH_SIZE; at++) this.subtrees[left + at] = node.charCodeAt(at);
    this.subtreeCount--;
    return left;
  }

  private push(node: Uint8Array): void {
    if (node.length !== HASH_SIZE) throw new RangeError(`a tree node is ${HASH_SIZE} bytes, not ${node.length}`);
    const at = this.subtreeCount * HASH_SIZE;
    for (let index = 0; index < HASH_SIZE; index++) this.subtrees[at + index] = node[index] ?? 0;
    this.subtreeCount++;
  }
}

/** MTH over leaf hashes held in memory (tests, test vectors, small trees). */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  const accumulator = MerkleAccumulator.empty();
  for (const leaf of leaves) accumulator.append(leaf);
  return accumulator.root();
}

/** A reader over an in-memory array of leaf hashes, computing complete subtrees on demand. */
export function arrayNodeReader(leaves: readonly Buffer[]): PerfectNodeReader {
  const read = (level: number, index: number): Buffer => {
    if (level === 0) {
      const leaf = leaves[index];
      if (leaf === undefined) throw new RangeError(`no leaf ${index}`);
      return leaf;
    }
    return nodeHash(read(level - 1, index * 2), read(level - 1, index * 2 + 1));
  };
  return read;
}

/**
 * The complete subtrees a computation reads, found by running it against a recording reader.
 * Lets a database-backed caller fetch them all in one query before computing for real.
 */
export function perfectNodesRead(compute: (read: PerfectNodeReader) => unknown): PerfectNode[] {
  const seen = new Map<string, PerfectNode>();
  const placeholder = Buffer.alloc(32);
  compute((level, index) => {
    seen.set(`${level}:${index}`, { level, index });
    return placeholder;
  });
  return [...seen.values()];
}
