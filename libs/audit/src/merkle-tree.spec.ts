import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  arrayNodeReader,
  consistencyPath,
  EMPTY_TREE_ROOT,
  inclusionPath,
  leafHash,
  MerkleAccumulator,
  merkleRoot,
  perfectNodesRead,
  perfectSubtreesOf,
  rangeRoot,
  rootFromInclusionPath,
  verifyConsistency,
  verifyInclusion,
} from './merkle-tree';

// The reference data of RFC 6962 / RFC 9162 implementations (certificate-transparency's
// merkle_tree_test.cc): eight leaf inputs, the roots of their prefixes, and proofs between them.
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION_PROOFS: readonly [number, number, readonly string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY_PROOFS: readonly [number, number, readonly string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];

const LEAVES = LEAF_INPUTS.map((input) => leafHash(Buffer.from(input, 'hex')));
const READ = arrayNodeReader(LEAVES);
const hex = (buffers: readonly Buffer[]): string[] => buffers.map((buffer) => buffer.toString('hex'));
const unhex = (hashes: readonly string[]): Buffer[] => hashes.map((value) => Buffer.from(value, 'hex'));
const rootOf = (size: number): Buffer => merkleRoot(LEAVES.slice(0, size));

describe('Merkle tree (RFC 9162 reference data)', () => {
  it('the empty tree hashes to SHA-256 of nothing', () => {
    expect(EMPTY_TREE_ROOT.toString('hex')).toBe(createHash('sha256').digest('hex'));
    expect(merkleRoot([])).toEqual(EMPTY_TREE_ROOT);
  });

  it.each(ROOTS.map((root, index) => [index + 1, root] as const))('root of the first %i leaves is %s', (size, root) => {
    expect(rootOf(size).toString('hex')).toBe(root);
    expect(rangeRoot(0, size, READ).toString('hex')).toBe(root);
  });

  it.each(INCLUSION_PROOFS)('inclusion proof of leaf %i in a tree of %i', (leafIndex, treeSize, expected) => {
    const leaf = LEAVES[leafIndex] ?? Buffer.alloc(0);
    expect(hex(inclusionPath(leafIndex, treeSize, READ))).toEqual(expected);
    expect(verifyInclusion(leafIndex, treeSize, leaf, unhex(expected), rootOf(treeSize))).toBe(true);
  });

  it.each(CONSISTENCY_PROOFS)('consistency proof from size %i to %i', (oldSize, newSize, expected) => {
    expect(hex(consistencyPath(oldSize, newSize, READ))).toEqual(expected);
    expect(verifyConsistency(oldSize, newSize, rootOf(oldSize), rootOf(newSize), unhex(expected))).toBe(true);
  });
});

describe('Merkle proofs at every size up to 33', () => {
  const leaves = Array.from({ length: 33 }, (_, index) => leafHash(Buffer.from(`leaf-${index}`)));
  const read = arrayNodeReader(leaves);
  const root = (size: number): Buffer => merkleRoot(leaves.slice(0, size));
  const wrong = leafHash(Buffer.from('not in the tree'));

  it('every inclusion proof verifies, and fails for another leaf, another index, an extra or a changed node', () => {
    for (let size = 1; size <= leaves.length; size++) {
      for (let index = 0; index < size; index++) {
        const leaf = leaves[index] ?? wrong;
        const path = inclusionPath(index, size, read);
        expect(verifyInclusion(index, size, leaf, path, root(size))).toBe(true);
        expect(verifyInclusion(index, size, wrong, path, root(size))).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaf, path, root(size))).toBe(false);
        expect(rootFromInclusionPath(index, size, leaf, [...path, wrong])).toBeNull();
        for (let node = 0; node < path.length; node++) {
          const changed = path.map((value, position) => (position === node ? wrong : value));
          expect(verifyInclusion(index, size, leaf, changed, root(size))).toBe(false);
        }
      }
    }
  });

  it('every consistency proof verifies and fails when the old history is rewritten', () => {
    for (let newSize = 1; newSize <= leaves.length; newSize++) {
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const path = consistencyPath(oldSize, newSize, read);
        expect(verifyConsistency(oldSize, newSize, root(oldSize), root(newSize), path)).toBe(true);
        if (oldSize < newSize) {
          const rewritten = leaves.slice(0, oldSize).map((leaf, index) => (index === oldSize - 1 ? wrong : leaf));
          expect(verifyConsistency(oldSize, newSize, merkleRoot(rewritten), root(newSize), path)).toBe(false);
          expect(verifyConsistency(oldSize, newSize, root(oldSize), root(newSize), path.slice(0, -1))).toBe(false);
          expect(verifyConsistency(oldSize - 1, newSize, root(oldSize), root(newSize), path)).toBe(false);
        }
      }
    }
  });

  it('treats an empty old tree and equal sizes as RFC 9162 leaves them to the caller', () => {
    expect(verifyConsistency(0, 5, EMPTY_TREE_ROOT, root(5), [])).toBe(true);
    expect(verifyConsistency(5, 5, root(5), root(5), [])).toBe(true);
    expect(verifyConsistency(5, 5, root(5), root(4), [])).toBe(false);
    expect(verifyConsistency(6, 5, root(6), root(5), [])).toBe(false);
  });
});

describe('MerkleAccumulator', () => {
  const leaves = Array.from({ length: 70 }, (_, index) => leafHash(Buffer.from([index])));

  it('gives the recursive root at every size and reports each completed subtree once', () => {
    const accumulator = MerkleAccumulator.empty();
    const completed = new Map<string, string>();
    leaves.forEach((leaf, index) => {
      accumulator.append(leaf, (level, nodeIndex, hash) => {
        expect(completed.has(`${level}:${nodeIndex}`)).toBe(false);
        completed.set(`${level}:${nodeIndex}`, hash.toString('hex'));
      });
      expect(accumulator.root()).toEqual(merkleRoot(leaves.slice(0, index + 1)));
    });
    const read = arrayNodeReader(leaves);
    for (const [key, value] of completed) {
      const [level, nodeIndex] = key.split(':').map(Number);
      expect(read(level ?? 0, nodeIndex ?? 0).toString('hex')).toBe(value);
    }
    expect(completed.size).toBe(leaves.length - 3); // 70 = 64 + 4 + 2: one node per merge, 70 - popcount(70)
  });

  it('resumes from the complete subtrees of a size', () => {
    const read = arrayNodeReader(leaves);
    for (const size of [0, 1, 5, 32, 37, 69]) {
      const resumed = MerkleAccumulator.resume(size, perfectSubtreesOf(size).map(({ level, index }) => read(level, index)));
      for (const leaf of leaves.slice(size)) resumed.append(leaf);
      expect(resumed.root()).toEqual(merkleRoot(leaves));
    }
  });

  it('appends a complete subtree whole as its leaves one by one, where its width divides the size', () => {
    const read = arrayNodeReader(leaves);
    let cases = 0;
    for (let size = 0; size < 64; size++) {
      for (let level = 0; 2 ** level <= leaves.length - size; level++) {
        const width = 2 ** level;
        const accumulator = MerkleAccumulator.resume(size, perfectSubtreesOf(size).map((node) => read(node.level, node.index)));
        if (size % width !== 0) {
          expect(() => accumulator.appendSubtree(level, read(level, size / width))).toThrow(RangeError);
          continue;
        }
        accumulator.appendSubtree(level, read(level, size / width));
        expect(accumulator.size).toBe(size + width);
        expect(accumulator.root(), `${width} leaves after ${size}`).toEqual(merkleRoot(leaves.slice(0, size + width)));
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(100);
  });

  it('lists the subtrees a proof reads, so a store can fetch them in one query', () => {
    expect(perfectSubtreesOf(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    const needed = perfectNodesRead((read) => inclusionPath(5, 13, read));
    const read = arrayNodeReader(leaves);
    const fetched = new Map(needed.map(({ level, index }) => [`${level}:${index}`, read(level, index)]));
    const fromFetched = inclusionPath(5, 13, (level, index) => fetched.get(`${level}:${index}`) ?? Buffer.alloc(32));
    expect(fromFetched).toEqual(inclusionPath(5, 13, read));
  });
});
