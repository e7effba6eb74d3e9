import { KeyObject } from 'node:crypto';
import { AuditEntry } from '../audit-entry';
import { computeEntryHash } from '../canonical-encoding';
import { ChainVerifier, short } from '../chain-verifier';
import { sameCheckpoint, SignedCheckpoint, verifyCheckpointSignature, verifyEd25519 } from '../checkpoint';
import { AuditError } from '../errors';
import { rootFromInclusionPath, verifyConsistency } from '../merkle-tree';
import { failure, VerificationFailure, VerificationResult } from '../verification';
import {
  EntriesDigest,
  ExportConsistencyRecord,
  ExportEntryRecord,
  exportManifestMessage,
  ExportHeader,
  ExportTrailer,
  ReadExportRecord,
} from './export-records';

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

  constructor(private readonly options: ExportVerifierOptions) {}

  /** Feeds one record; returns the failure once one is found (and keeps returning it). */
  accept(record: ReadExportRecord): VerificationFailure | null {
    if (this.result) return this.result;
    this.result = this.check(record);
    return this.result;
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

  private check(record: ReadExportRecord): VerificationFailure | null {
    if (record.kind === 'malformed') return failure(record.altered ? 'hash-mismatch' : 'malformed', record.seq, `${record.location}: ${record.message}`);
    if (this.trailerSeen) return failure('unexpected-entry', record.kind === 'entry' ? record.entry.seq : null, `a ${record.kind} record follows the trailer`);
    if (this.header === null) {
      if (record.kind !== 'header') return failure('malformed', null, 'the export does not start with its header');
      return this.acceptHeader(record);
    }
    switch (record.kind) {
      case 'header':
        return failure('malformed', null, 'a second header');
      case 'entry':
        return this.header.mode === 'full' ? this.acceptFullEntry(record) : this.acceptFilteredEntry(this.header, record);
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

  private acceptFullEntry(record: ExportEntryRecord): VerificationFailure | null {
    const { entry } = record;
    const chain = this.chain;
    if (!chain) return failure('malformed', entry.seq, 'entry before header');
    if (this.pendingGap) {
      const { expected, found } = this.pendingGap;
      return entry.seq === expected
        ? failure('reorder', expected, `seq ${expected} comes after seq ${found}: entries were reordered`)
        : failure('gap', expected, `seq ${expected} is missing: the next entry is seq ${found}`);
    }
    const treeSize = this.header?.checkpoint.treeSize ?? 0;
    if (entry.seq > treeSize && entry.seq === chain.lastSeq + 1) {
      return failure('unexpected-entry', entry.seq, `seq ${entry.seq} is beyond the covering checkpoint (size ${treeSize}): it was added to the export`);
    }
    if (entry.seq > chain.lastSeq + 1) {
      this.pendingGap = { expected: chain.lastSeq + 1, found: entry.seq };
      return null;
    }
    const problem = chain.next(entry);
    if (problem) return problem;
    this.digest.add(entry.seq, entry.hash);
    this.lastSeq = entry.seq;
    return null;
  }

  private acceptFilteredEntry(header: ExportHeader, record: ExportEntryRecord): VerificationFailure | null {
    const { entry, proof } = record;
    const { checkpoint } = header;
    if (entry.seq <= this.lastSeq) return failure('reorder', entry.seq, `seq ${entry.seq} appears after seq ${this.lastSeq}: entries are out of order or repeated`);
    if (entry.seq > checkpoint.treeSize) return failure('unexpected-entry', entry.seq, `seq ${entry.seq} is beyond the covering checkpoint (size ${checkpoint.treeSize})`);
    const computed = recomputeHash(entry);
    if (computed instanceof AuditError) return failure('malformed', entry.seq, computed.message);
    if (computed !== entry.hash) {
      return failure('hash-mismatch', entry.seq, `the content of seq ${entry.seq} does not hash to its recorded hash: the entry was altered`);
    }
    if (!proof) return failure('bad-proof', entry.seq, `seq ${entry.seq} carries no inclusion proof`);
    if (proof.leafIndex !== entry.seq - 1 || proof.treeSize !== checkpoint.treeSize) {
      return failure('bad-proof', entry.seq, `the proof of seq ${entry.seq} is for leaf ${proof.leafIndex} of a tree of ${proof.treeSize}, not leaf ${entry.seq - 1} of ${checkpoint.treeSize}`);
    }
    const root = rootFromInclusionPath(proof.leafIndex, proof.treeSize, Buffer.from(computed, 'hex'), proof.path.map((node) => Buffer.from(node, 'hex')));
    if (root === null || root.toString('hex') !== checkpoint.rootHash) {
      return failure('bad-proof', entry.seq, `the inclusion proof of seq ${entry.seq} does not lead to the checkpoint root: the entry is not the one the log holds`);
    }
    this.digest.add(entry.seq, entry.hash);
    this.lastSeq = entry.seq;
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

function recomputeHash(entry: AuditEntry): string | AuditError {
  try {
    return computeEntryHash(entry, entry.prevHash);
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
}
