import { KeyObject } from 'node:crypto';
import { AuditEntry } from '../audit-entry';
import { binaryEqualsBytes, decodeHexHashAt, hexEqualsBinary } from '../canonical-encoding';
import { ChainVerifier, short } from '../chain-verifier';
import { hashEntryBytesBinary, hashEntryTextBinary } from '../entry-encoding-v2';
import { entryHash } from '../entry-hash';
import { sameCheckpoint, SignedCheckpoint, verifyCheckpointSignature, verifyEd25519 } from '../checkpoint';
import { AuditError } from '../errors';
import { rootFromInclusionPath, verifyConsistency } from '../merkle-tree';
import { failure, VerificationFailure, VerificationResult } from '../verification';
import {
  EntriesDigest,
  ExportConsistencyRecord,
  exportManifestMessage,
  ExportHeader,
  ExportTrailer,
  InclusionProof,
} from './export-records';
import { SegmentResult } from './entry-segments';
import { EncodedEntryRecord, endsWithSeqMember, FULL_ENTRY_LINE, isFullEntryFrame, prevHashValueAt, VerifierRecord } from './jsonl-format';

export interface ExportVerifierOptions {
  readonly publicKey: KeyObject;
  /** Checkpoints the auditor kept from earlier (signature already checked by the caller). */
  readonly trusted: readonly SignedCheckpoint[];
}

/**
 * Checks an export record by record, in constant memory, and stops at the first problem. Full
 * exports are re-chained from seq 1 and must reproduce the covering checkpoint (and every trusted
 * checkpoint on the way); filtered exports must carry a proof per entry that leads to its root.
 */
export class ExportVerifier {
  private header: ExportHeader | null = null;
  private chain: ChainVerifier | null = null;
  private trailerSeen = false;
  private result: VerificationFailure | null = null;
  private readonly digest = new EntriesDigest();
  private lastSeq = 0;
  /** A full export's entry arrived early; the next record tells a gap from a swap. */
  private pendingGap: { expected: number; found: number } | null = null;
  private readonly provenTrusted = new Set<number>();
  /** The hot path's recorded hash, decoded from its line (reused). */
  private readonly recordedHash = Buffer.alloc(32);

  constructor(private readonly options: ExportVerifierOptions) {}

  /** Feeds one record; returns the failure once one is found (and keeps returning it). */
  accept(record: VerifierRecord): VerificationFailure | null {
    if (this.result) return this.result;
    this.result = this.check(record);
    return this.result;
  }

  /**
   * The hot path of a full JSON Lines export: the line bytes[start, end) when it is an entry line of
   * encoding 2 that is the next entry, intact and linked to the verified head. The entry text is
   * hashed where it stands in the line; its seq and prevHash are compared with what the chain
   * expects, never parsed. Returns undefined, having changed nothing, for any other line: the caller
   * then reads it as a record (`accept`), which finds and names the problem. `checkSegment` makes
   * the same checks on a run of lines (entry-segments.ts).
   */
  acceptNextEntryLine(bytes: Buffer, start: number, end: number): VerificationFailure | null | undefined {
    const chain = this.chain;
    if (this.result || chain === null || this.pendingGap || this.trailerSeen || !isFullEntryFrame(bytes, start, end)) return undefined;
    const seq = chain.lastSeq + 1;
    if (seq > (this.header?.checkpoint.treeSize ?? 0)) return undefined;
    const textStart = start + FULL_ENTRY_LINE.entryAt;
    const textEnd = end - 1;
    if (!endsWithSeqMember(bytes, textStart, textEnd, seq)) return undefined;
    const prevHashAt = prevHashValueAt(bytes, textStart, textEnd);
    if (prevHashAt < 0 || !chain.isHeadAt(bytes, prevHashAt) || bytes[prevHashAt + 64] !== 0x22) return undefined;
    // A recorded hash that is not 64 lowercase hex digits takes the general path, which reports it as the mismatch it is.
    const recorded = this.recordedHash;
    if (!decodeHexHashAt(bytes, start + FULL_ENTRY_LINE.hashAt, recorded)) return undefined;
    if (!binaryEqualsBytes(hashEntryBytesBinary(bytes, textStart, textEnd), recorded)) return undefined;
    this.digest.addBytes(seq, recorded);
    this.lastSeq = seq;
    this.result = chain.acceptChecked(recorded);
    return this.result;
  }

  /**
   * What a segment of the lines that follow needs to know to be checked on its own, or null when
   * the next lines cannot be entry lines of a full export that this verifier would accept now.
   */
  segmentPlan(): { readonly maxSeq: number; readonly cuts: number[] } | null {
    const header = this.header;
    if (this.result || this.chain === null || header?.mode !== 'full' || this.pendingGap || this.trailerSeen) return null;
    return { maxSeq: header.checkpoint.treeSize, cuts: this.chain.pendingSizes() };
  }

  /**
   * Joins a checked segment whose first line is the next line of the export: its entries are
   * accepted as `acceptNextEntryLine` would have accepted them one by one, when its first seq is
   * the next one and its first prevHash is the verified head. Returns whether it was joined (then
   * the caller reads on from `segment.stoppedAt`; `failure` says whether a checkpoint on the way
   * was not reproduced); when not, nothing changed and the caller reads the segment's lines itself.
   */
  acceptSegment(segment: SegmentResult): boolean {
    const chain = this.chain;
    if (this.segmentPlan() === null || chain === null || segment.count === 0) return false;
    if (segment.firstSeq !== chain.lastSeq + 1 || !chain.isHeadAt(segment.firstPrevHash, 0)) return false;
    this.digest.addRecords(segment.digestRecords, segment.count);
    for (const leg of segment.legs) {
      this.lastSeq = leg.size;
      this.result = chain.acceptLeg(leg);
      if (this.result) break;
    }
    return true;
  }

  /** The first problem found so far, if any. */
  get failure(): VerificationFailure | null {
    return this.result;
  }

  /** The seq of the last entry accepted (0 before the first). */
  get lastEntrySeq(): number {
    return this.lastSeq;
  }

  /** At the end of the file: success, or why not. */
  finish(): VerificationResult {
    if (this.result) return this.result;
    if (this.pendingGap) return this.fail(failure('gap', this.pendingGap.expected, `seq ${this.pendingGap.expected} is missing`));
    const header = this.header;
    if (!header) return this.fail(failure('truncated', null, 'the export is empty: no header'));
    if (!this.trailerSeen) {
      const next = header.mode === 'full' ? this.lastSeq + 1 : null;
      return this.fail(failure('truncated', next, `the export ends after seq ${this.lastSeq} without its trailer: the file was cut short`));
    }
    const { checkpoint } = header;
    const trusted = this.options.trusted.length === 0 ? '' : `; consistent with ${this.options.trusted.length} trusted checkpoint(s)`;
    const what = header.mode === 'full' ? `full export of seq 1-${checkpoint.treeSize}, chain and Merkle root intact` : `filtered export of ${this.digest.count} entries, each proven`;
    return {
      ok: true,
      entries: this.digest.count,
      summary: `${what}; checkpoint ${checkpoint.treeSize} (root ${short(checkpoint.rootHash)}) signed by key ${checkpoint.keyId} at ${checkpoint.issuedAt}${trusted}`,
    };
  }

  private fail(result: VerificationFailure): VerificationFailure {
    this.result = result;
    return result;
  }

  private check(record: VerifierRecord): VerificationFailure | null {
    if (record.kind === 'malformed') return failure(record.altered ? 'hash-mismatch' : 'malformed', record.seq, `${record.location}: ${record.message}`);
    if (this.trailerSeen) {
      const seq = record.kind === 'entry' ? record.entry.seq : record.kind === 'encoded-entry' ? record.seq : null;
      return failure('unexpected-entry', seq, `a ${record.kind === 'encoded-entry' ? 'entry' : record.kind} record follows the trailer`);
    }
    if (this.header === null) {
      if (record.kind !== 'header') return failure('malformed', null, 'the export does not start with its header');
      return this.acceptHeader(record);
    }
    switch (record.kind) {
      case 'header':
        return failure('malformed', null, 'a second header');
      case 'entry': {
        const { entry } = record;
        if (this.header.mode === 'full') return this.acceptFullEntry(entry.seq, (chain) => chain.next(entry), entry.hash);
        return this.acceptFilteredEntry(this.header, entry.seq, entry.hash, record.proof, () => recomputeHash(entry));
      }
      case 'encoded-entry':
        return this.acceptEncodedEntry(this.header, record);
      case 'consistency':
        return this.acceptConsistency(this.header, record);
      case 'trailer':
        return this.acceptTrailer(this.header, record);
    }
  }

  private acceptHeader(header: ExportHeader): VerificationFailure | null {
    this.header = header;
    const { checkpoint } = header;
    if (!verifyCheckpointSignature(checkpoint, this.options.publicKey)) {
      return failure('bad-signature', checkpoint.treeSize, `the covering checkpoint (size ${checkpoint.treeSize}, key ${checkpoint.keyId}) is not signed by the given public key`);
    }
    for (const trusted of this.options.trusted) {
      if (trusted.treeSize > checkpoint.treeSize) {
        return failure('unproven', trusted.treeSize, `trusted checkpoint ${trusted.treeSize} is newer than this export (size ${checkpoint.treeSize}): export again to cover it`);
      }
      if (trusted.treeSize === checkpoint.treeSize && (trusted.rootHash !== checkpoint.rootHash || trusted.lastEntryHash !== checkpoint.lastEntryHash)) {
        return failure('inconsistent', trusted.treeSize, `the export's checkpoint ${checkpoint.treeSize} differs from the trusted checkpoint of the same size: history was rewritten`);
      }
    }
    if (header.mode === 'full') {
      this.chain = new ChainVerifier([
        ...this.options.trusted.map((trusted) => ({ checkpoint: trusted, reasonOnMismatch: 'inconsistent' as const, label: `trusted checkpoint ${trusted.treeSize}` })),
      ]);
      return this.chain.start();
    }
    return null;
  }

  /**
   * An entry of encoding 2 straight from its line: the canonical text is hashed as it stands, then
   * checked like any entry, with the seq and prevHash read from that text. An edit anywhere in the
   * text shows as a hash mismatch at the seq the entry should have.
   */
  private acceptEncodedEntry(header: ExportHeader, record: EncodedEntryRecord): VerificationFailure | null {
    const computed = hashEntryTextBinary(record.text);
    if (header.mode === 'full') {
      const expected = (this.chain?.lastSeq ?? 0) + 1;
      if (!this.pendingGap && !hexEqualsBinary(record.hash, computed)) return entryTextMismatch(record.location, expected);
      const seq = record.seq;
      if (seq === null) return failure('malformed', expected, `${record.location}: the entry text does not end with its seq`);
      return this.acceptFullEntry(seq, (chain) => chain.nextHashed(seq, record.prevHash, record.hash, computed), record.hash);
    }
    // The proof names the entry's place even when the seq in the text was what got edited.
    const provenSeq = record.proof === null ? record.seq : record.proof.leafIndex + 1;
    if (!hexEqualsBinary(record.hash, computed)) {
      return failure('hash-mismatch', provenSeq, `${record.location}: the entry text of seq ${String(provenSeq)} does not hash to its recorded hash: the entry was altered`);
    }
    if (record.seq === null) return failure('malformed', provenSeq, `${record.location}: the entry text does not end with its seq`);
    return this.acceptFilteredEntry(header, record.seq, record.hash, record.proof, () => Buffer.from(computed, 'latin1').toString('hex'));
  }

  private acceptFullEntry(seq: number, extendChain: (chain: ChainVerifier) => VerificationFailure | null, entryHash: string): VerificationFailure | null {
    const chain = this.chain;
    if (!chain) return failure('malformed', seq, 'entry before header');
    if (this.pendingGap) {
      const { expected, found } = this.pendingGap;
      return seq === expected
        ? failure('reorder', expected, `seq ${expected} comes after seq ${found}: entries were reordered`)
        : failure('gap', expected, `seq ${expected} is missing: the next entry is seq ${found}`);
    }
    const treeSize = this.header?.checkpoint.treeSize ?? 0;
    if (seq > treeSize && seq === chain.lastSeq + 1) {
      return failure('unexpected-entry', seq, `seq ${seq} is beyond the covering checkpoint (size ${treeSize}): it was added to the export`);
    }
    if (seq > chain.lastSeq + 1) {
      this.pendingGap = { expected: chain.lastSeq + 1, found: seq };
      return null;
    }
    const problem = extendChain(chain);
    if (problem) return problem;
    this.digest.add(seq, entryHash);
    this.lastSeq = seq;
    return null;
  }

  private acceptFilteredEntry(
    header: ExportHeader,
    seq: number,
    recordedHash: string,
    proof: InclusionProof | null,
    computeHash: () => string | AuditError,
  ): VerificationFailure | null {
    const { checkpoint } = header;
    if (seq <= this.lastSeq) return failure('reorder', seq, `seq ${seq} appears after seq ${this.lastSeq}: entries are out of order or repeated`);
    if (seq > checkpoint.treeSize) return failure('unexpected-entry', seq, `seq ${seq} is beyond the covering checkpoint (size ${checkpoint.treeSize})`);
    const computed = computeHash();
    if (computed instanceof AuditError) return failure('malformed', seq, computed.message);
    if (computed !== recordedHash) {
      return failure('hash-mismatch', seq, `the content of seq ${seq} does not hash to its recorded hash: the entry was altered`);
    }
    if (!proof) return failure('bad-proof', seq, `seq ${seq} carries no inclusion proof`);
    if (proof.leafIndex !== seq - 1 || proof.treeSize !== checkpoint.treeSize) {
      return failure('bad-proof', seq, `the proof of seq ${seq} is for leaf ${proof.leafIndex} of a tree of ${proof.treeSize}, not leaf ${seq - 1} of ${checkpoint.treeSize}`);
    }
    const root = rootFromInclusionPath(proof.leafIndex, proof.treeSize, Buffer.from(computed, 'hex'), proof.path.map((node) => Buffer.from(node, 'hex')));
    if (root === null || root.toString('hex') !== checkpoint.rootHash) {
      return failure('bad-proof', seq, `the inclusion proof of seq ${seq} does not lead to the checkpoint root: the entry is not the one the log holds`);
    }
    this.digest.add(seq, recordedHash);
    this.lastSeq = seq;
    return null;
  }

  private acceptConsistency(header: ExportHeader, record: ExportConsistencyRecord): VerificationFailure | null {
    const { checkpoint } = header;
    if (record.toSize !== checkpoint.treeSize || record.toRoot !== checkpoint.rootHash) {
      return failure('malformed', null, `a consistency proof ends at size ${record.toSize}, not at the covering checkpoint ${checkpoint.treeSize}`);
    }
    const trusted = this.options.trusted.find((candidate) => candidate.treeSize === record.fromSize);
    if (!trusted) return null;
    const proven =
      trusted.rootHash === record.fromRoot &&
      verifyConsistency(
        record.fromSize,
        record.toSize,
        Buffer.from(record.fromRoot, 'hex'),
        Buffer.from(record.toRoot, 'hex'),
        record.path.map((node) => Buffer.from(node, 'hex')),
      );
    if (!proven) {
      return failure('inconsistent', trusted.treeSize, `the log at checkpoint ${checkpoint.treeSize} is not an extension of trusted checkpoint ${trusted.treeSize}: history was rewritten`);
    }
    this.provenTrusted.add(trusted.treeSize);
    return null;
  }

  private acceptTrailer(header: ExportHeader, trailer: ExportTrailer): VerificationFailure | null {
    if (this.pendingGap) return failure('gap', this.pendingGap.expected, `seq ${this.pendingGap.expected} is missing`);
    this.trailerSeen = true;
    const { checkpoint } = header;
    if (!sameCheckpoint(trailer.checkpoint, checkpoint)) return failure('checkpoint-mismatch', null, 'the trailer closes with a different checkpoint than the header opened with');
    if (header.mode === 'full') {
      const chain = this.chain;
      if (!chain) return failure('malformed', null, 'trailer before header');
      if (chain.lastSeq < checkpoint.treeSize) {
        return failure('truncated', chain.lastSeq + 1, `the export stops at seq ${chain.lastSeq} but its checkpoint covers ${checkpoint.treeSize} entries: entries were cut off`);
      }
      if (chain.lastHash !== checkpoint.lastEntryHash || chain.root().toString('hex') !== checkpoint.rootHash) {
        return failure('checkpoint-mismatch', checkpoint.treeSize, `the entries do not reproduce the signed checkpoint ${checkpoint.treeSize}: the last entries were altered`);
      }
    } else {
      for (const trusted of this.options.trusted) {
        if (trusted.treeSize < checkpoint.treeSize && trusted.treeSize > 0 && !this.provenTrusted.has(trusted.treeSize)) {
          return failure('unproven', trusted.treeSize, `this filtered export carries no consistency proof from trusted checkpoint ${trusted.treeSize}: export with --trusted`);
        }
      }
    }
    const entriesDigest = this.digest.finish();
    const manifest = exportManifestMessage({
      mode: header.mode,
      filters: header.filters,
      exportedAt: header.exportedAt,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      entryCount: this.digest.count,
      entriesDigest,
      keyId: checkpoint.keyId,
    });
    if (!verifyEd25519(this.options.publicKey, manifest, trailer.manifestSignature)) {
      if (trailer.entryCount !== this.digest.count || trailer.entriesDigest !== entriesDigest) {
        return failure(
          'manifest-mismatch',
          null,
          `the export holds ${this.digest.count} entries but was signed with ${trailer.entryCount}` +
            (trailer.entryCount === this.digest.count ? ' different ones' : '') +
            ': entries were removed, added or replaced after export',
        );
      }
      return failure('bad-signature', null, 'the export manifest (header, entry count, digest) is not signed by the given public key');
    }
    return null;
  }
}

/** What a full export's verifier reports for an entry line of encoding 2 whose text does not hash to its recorded hash. */
function entryTextMismatch(location: string, seq: number): VerificationFailure {
  return failure('hash-mismatch', seq, `${location}: the entry text of seq ${seq} does not hash to its recorded hash: the entry was altered`);
}

function recomputeHash(entry: AuditEntry): string | AuditError {
  try {
    return entryHash(entry, entry.prevHash, entry.encoding);
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
}
