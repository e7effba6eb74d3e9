import { AuditEntry } from './audit-entry';
import { GENESIS_HASH, HASH_BYTES, hexBytesSpell, hexEqualsBinary } from './canonical-encoding';
import { entryHashBinary } from './entry-hash';
import { SignedCheckpoint } from './checkpoint';
import { AuditError } from './errors';
import { CompletedNodeListener, EMPTY_TREE_ROOT, MerkleAccumulator } from './merkle-tree';
import { failure, VerificationFailure, VerificationFailureReason } from './verification';
import type { SegmentLeg } from './export/entry-segments';

/** A checkpoint the chain must reproduce when it reaches the checkpoint's size, and what to call a miss. */
export interface CheckpointExpectation {
  readonly checkpoint: SignedCheckpoint;
  readonly reasonOnMismatch: Extract<VerificationFailureReason, 'inconsistent' | 'checkpoint-mismatch'>;
  readonly label: string;
}

/**
 * Verifies a complete chain from sequence number 1, one entry at a time, in constant memory: each
 * entry's hash is recomputed from its content, linked to its predecessor, and folded into the
 * Merkle root, which is compared with every expected checkpoint as the chain passes its size.
 */
export class ChainVerifier {
  private readonly accumulator: MerkleAccumulator;
  private readonly expectations: CheckpointExpectation[] = [];
  /** The bytes of the verified head's hash. */
  private readonly head = Buffer.alloc(HASH_BYTES);
  /** The head's hash in hex, as it was given, or null until asked for after `acceptChecked`. */
  private headHex: string | null;
  /** The bytes of the head as a binary string, when the last entry was hashed by `next` or `nextHashed` in this run. */
  private headBinary: string | null;
  private verifiedCount: number;

  /** From seq 1, or from a verified point: the tree of the first `start.tree.size` entries and the hash of the last. */
  constructor(expectations: readonly CheckpointExpectation[], start?: { readonly tree: MerkleAccumulator; readonly lastHash: string }) {
    this.accumulator = start?.tree ?? MerkleAccumulator.empty();
    this.headHex = start?.lastHash ?? GENESIS_HASH;
    this.head.write(this.headHex, 'hex');
    this.headBinary = start ? null : GENESIS_BINARY;
    this.verifiedCount = this.accumulator.size;
    this.expect(expectations);
  }

  /** More checkpoints to compare with (the database verifier pages through them); sizes already passed are ignored. */
  expect(expectations: readonly CheckpointExpectation[]): void {
    this.expectations.push(...expectations);
    this.expectations.sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize);
  }

  /** Sequence number of the last entry accepted (0 before the first). */
  get lastSeq(): number {
    return this.verifiedCount;
  }

  get lastHash(): string {
    this.headHex ??= this.head.toString('hex');
    return this.headHex;
  }

  /** Whether bytes[at, at + 64) spell `lastHash`: the prevHash of the next entry as it stands in an export line. */
  isHeadAt(bytes: Uint8Array, at: number): boolean {
    return hexBytesSpell(bytes, at, this.head);
  }

  root(): Buffer {
    return this.accumulator.root();
  }

  /** Checkpoints beyond the last verified entry: when the chain has ended, they cover entries that are missing. */
  unmet(): readonly CheckpointExpectation[] {
    return this.expectations;
  }

  /** Checks expectations at size 0; call once before the first entry. */
  start(): VerificationFailure | null {
    return this.checkExpectations();
  }

  /** Null when the entry extends the chain; otherwise the first problem, after which the verifier must not be fed more. */
  next(entry: AuditEntry, onCompleted?: CompletedNodeListener): VerificationFailure | null {
    const outOfOrder = this.checkSeq(entry.seq);
    if (outOfOrder) return outOfOrder;
    // When the entry is linked to the verified head, the head's bytes are what its prevHash spells.
    const linked = entry.prevHash === this.lastHash;
    let computed: string;
    try {
      computed = entryHashBinary(entry, entry.prevHash, linked ? this.headBinary : null, entry.encoding);
    } catch (error) {
      if (error instanceof AuditError) return failure('malformed', entry.seq, error.message);
      throw error;
    }
    return this.link(entry.seq, entry.prevHash, entry.hash, computed, onCompleted);
  }

  /**
   * The same step for an entry the caller has hashed from its exported bytes (encoding 2):
   * `computed` is the binary SHA-256 of them, `seq` and `prevHash` were read from the same bytes.
   */
  nextHashed(seq: number, prevHash: string, recordedHash: string, computed: string, onCompleted?: CompletedNodeListener): VerificationFailure | null {
    return this.checkSeq(seq) ?? this.link(seq, prevHash, recordedHash, computed, onCompleted);
  }

  /**
   * Accepts the next entry when the caller has made the checks of `next` itself, or will have them
   * made before it reports success: its seq is the next one, its prevHash is `lastHash`, and `hash`
   * (32 bytes, copied) is its recorded hash, which its recomputed hash equals. Returns a failure only
   * for a checkpoint the chain passes.
   */
  acceptChecked(hash: Uint8Array): VerificationFailure | null {
    this.accumulator.append(hash);
    this.head.set(hash);
    this.headHex = null;
    this.headBinary = null;
    this.verifiedCount++;
    return this.expectations.length === 0 ? null : this.checkExpectations();
  }

  /** Sizes of the checkpoints still to compare with, ascending (a segment of an export must end a leg at each). */
  pendingSizes(): number[] {
    return this.expectations.map((expectation) => expectation.checkpoint.treeSize);
  }

  /**
   * Accepts the entries of a leg of a checked segment at once (see entry-segments.ts): the caller
   * has made the checks of `acceptChecked` for each, and the leg's first entry is the next one.
   * Its subtrees join the tree, its last hash becomes the head. Returns a failure only for a
   * checkpoint the chain reaches; legs end at every size `pendingSizes` named.
   */
  acceptLeg(leg: SegmentLeg): VerificationFailure | null {
    for (let index = 0; index < leg.levels.length; index++) {
      this.accumulator.appendSubtree(leg.levels[index] ?? 0, leg.nodes.subarray(HASH_BYTES * index, HASH_BYTES * (index + 1)));
    }
    if (this.accumulator.size !== leg.size) throw new RangeError(`a leg ending at entry ${leg.size} left the tree at ${this.accumulator.size} leaves`);
    this.head.set(leg.lastHash);
    this.headHex = null;
    this.headBinary = null;
    this.verifiedCount = leg.size;
    return this.expectations.length === 0 ? null : this.checkExpectations();
  }

  private checkSeq(seq: number): VerificationFailure | null {
    const expected = this.verifiedCount + 1;
    if (seq === expected) return null;
    return seq < expected
      ? failure('reorder', seq, `seq ${seq} appears after seq ${this.verifiedCount}: entries are out of order or repeated`)
      : failure('gap', expected, `seq ${expected} is missing: the next entry is seq ${seq}`);
  }

  private link(seq: number, prevHash: string, recordedHash: string, computed: string, onCompleted: CompletedNodeListener | undefined): VerificationFailure | null {
    if (!hexEqualsBinary(recordedHash, computed)) {
      return failure('hash-mismatch', seq, `the content of seq ${seq} does not hash to its recorded hash: the entry was altered`);
    }
    if (prevHash !== this.lastHash) {
      // This entry is consistent with itself, so what changed is the hash it was chained to.
      return this.verifiedCount === 0
        ? failure('broken-link', seq, `seq 1 must chain to the genesis hash (64 zeros)`)
        : failure(
            'broken-link',
            this.verifiedCount,
            `seq ${this.verifiedCount} has hash ${short(this.lastHash)}, but seq ${seq} was chained to ${short(prevHash)}: seq ${this.verifiedCount} was replaced`,
          );
    }
    this.head.write(computed, 'latin1');
    this.accumulator.append(this.head, onCompleted);
    this.headHex = recordedHash;
    this.headBinary = computed;
    this.verifiedCount = seq;
    return this.checkExpectations();
  }

  private checkExpectations(): VerificationFailure | null {
    while (this.expectations.length > 0) {
      const next = this.expectations[0];
      if (next === undefined || next.checkpoint.treeSize > this.verifiedCount) return null;
      this.expectations.shift();
      const { checkpoint } = next;
      const root = this.verifiedCount === 0 ? EMPTY_TREE_ROOT : this.accumulator.root();
      if (checkpoint.lastEntryHash !== this.lastHash || checkpoint.rootHash !== root.toString('hex')) {
        return failure(
          next.reasonOnMismatch,
          checkpoint.treeSize === 0 ? null : checkpoint.treeSize,
          `entries 1-${checkpoint.treeSize} do not reproduce ${next.label} (root ${short(checkpoint.rootHash)}, head ${short(checkpoint.lastEntryHash)}; ` +
            `recomputed root ${short(root.toString('hex'))}, head ${short(this.lastHash)})`,
        );
      }
    }
    return null;
  }
}

const GENESIS_BINARY = '\u0000'.repeat(HASH_BYTES);

export function short(hex: string): string {
  return `${hex.slice(0, 12)}...`;
}
