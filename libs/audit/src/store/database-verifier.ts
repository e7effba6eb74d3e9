import { KeyObject } from 'node:crypto';
import { ChainVerifier, short } from '../chain-verifier';
import { SignedCheckpoint, verifyCheckpointSignature } from '../checkpoint';
import { failure, VerificationResult } from '../verification';
import { readChainHead, readCheckpointPage, SqlExecutor, streamEntries } from './audit-store';

export interface DatabaseVerificationOptions {
  readonly publicKey: KeyObject;
  /** Checkpoints kept outside the database (the checkpoint file, the Kafka topic). */
  readonly trusted: readonly SignedCheckpoint[];
  readonly pageSize?: number;
}

const CHECKPOINT_PAGE = 500;

/**
 * Verifies the live table the way an export is verified, plus what only the database has: every
 * entry from seq 1 is re-hashed and re-linked, the tree is rebuilt and must reproduce every stored
 * (and trusted) checkpoint at its size, and the chain head row must agree with the last entry.
 * A superuser who edits rows with the triggers disabled cannot make this pass without the
 * signing key, and not even with it when the auditor holds earlier checkpoints.
 */
export async function verifyDatabase(db: SqlExecutor, options: DatabaseVerificationOptions): Promise<VerificationResult> {
  const head = await readChainHead(db);
  const chain = new ChainVerifier(options.trusted.map((checkpoint) => ({ checkpoint, reasonOnMismatch: 'inconsistent' as const, label: `trusted checkpoint ${checkpoint.treeSize}` })));
  const stored: { count: number; latest: SignedCheckpoint | null } = { count: 0, latest: null };
  let checkpointsLoadedAfter = -1;
  let moreCheckpoints = true;

  /** Loads stored checkpoints up to `size` (and one page beyond), checking each signature. */
  const loadCheckpointsUpTo = async (size: number): Promise<ReturnType<typeof failure> | null> => {
    while (moreCheckpoints && checkpointsLoadedAfter < size) {
      const page = await readCheckpointPage(db, checkpointsLoadedAfter, CHECKPOINT_PAGE);
      moreCheckpoints = page.length === CHECKPOINT_PAGE;
      for (const checkpoint of page) {
        if (!verifyCheckpointSignature(checkpoint, options.publicKey)) {
          return failure('bad-signature', checkpoint.treeSize, `stored checkpoint ${checkpoint.treeSize} (key ${checkpoint.keyId}) is not signed by the given public key`);
        }
        chain.expect([{ checkpoint, reasonOnMismatch: 'checkpoint-mismatch', label: `stored checkpoint ${checkpoint.treeSize}` }]);
        stored.count++;
        stored.latest = checkpoint;
        checkpointsLoadedAfter = checkpoint.treeSize;
      }
      if (page.length === 0) moreCheckpoints = false;
    }
    return null;
  };

  const atStart = (await loadCheckpointsUpTo(0)) ?? chain.start();
  if (atStart) return atStart;
  // Past the head too: rows a superuser slipped in beyond it must be reported, not skipped.
  for await (const page of streamEntries(db, { afterSeq: 0, upToSeq: Number.MAX_SAFE_INTEGER, pageSize: options.pageSize })) {
    const last = page[page.length - 1];
    const problem = await loadCheckpointsUpTo(last?.seq ?? 0);
    if (problem) return problem;
    for (const entry of page) {
      const broken = chain.next(entry);
      if (broken) return broken;
    }
  }
  const missing = await loadCheckpointsUpTo(Number.MAX_SAFE_INTEGER);
  if (missing) return missing;

  const end = chain.lastSeq;
  const beyond = chain.unmet()[0];
  if (beyond) {
    return failure('truncated', end + 1, `${beyond.label} covers ${beyond.checkpoint.treeSize} entries but the table ends at seq ${end}: entries were deleted`);
  }
  if (head.lastSeq > end) return failure('truncated', end + 1, `the chain head records ${head.lastSeq} entries but the table ends at seq ${end}: entries were deleted`);
  if (head.lastSeq < end) return failure('unexpected-entry', head.lastSeq + 1, `seq ${head.lastSeq + 1}-${end} lie beyond the chain head (${head.lastSeq}): rows were inserted behind the application's back`);
  if (head.lastHash !== chain.lastHash) {
    return failure('broken-link', end, `the chain head records hash ${short(head.lastHash)} for seq ${end}, the table ${short(chain.lastHash)}`);
  }
  const latest = stored.latest;
  const coverage = latest === null ? 'no checkpoint yet' : `${stored.count} stored checkpoint(s) reproduced, the latest covering seq 1-${latest.treeSize}`;
  const uncovered = latest === null ? end : end - latest.treeSize;
  const trusted = options.trusted.length === 0 ? '' : `; consistent with ${options.trusted.length} trusted checkpoint(s)`;
  return {
    ok: true,
    entries: end,
    summary: `database trail of ${end} entries intact (chain, hashes, head); ${coverage}${uncovered > 0 ? `; ${uncovered} newer entries not yet checkpointed` : ''}${trusted}`,
  };
}
