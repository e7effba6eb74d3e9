import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { withTransaction } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import { GENESIS_HASH, toAuditTimestamp } from './canonical-encoding';
import { ChainVerifier } from './chain-verifier';
import { AuditSigner, checkpointLine, SignedCheckpoint, signCheckpoint, verifyCheckpointSignature } from './checkpoint';
import { CheckpointPublisher } from './checkpoint-publisher';
import { AuditError, AuditErrorCode } from './errors';
import { MerkleAccumulator, perfectSubtreesOf } from './merkle-tree';
import {
  insertCheckpoint,
  insertMerkleNodes,
  latestCheckpoint,
  nodeKey,
  readChainHead,
  readPerfectNodes,
  SqlExecutor,
  StoredNode,
  streamEntries,
} from './store/audit-store';

export interface CheckpointServiceOptions {
  readonly dataSource: DataSource;
  readonly signer: AuditSigner;
  /** JSON Lines file every new checkpoint is appended to (the copy an auditor keeps); null for none. */
  readonly checkpointFile: string | null;
  /** Outside the database: the `audit.checkpoints.v1` topic. Null for none. */
  readonly publisher: CheckpointPublisher | null;
  readonly clock?: () => Date;
}

export interface CheckpointOutcome {
  readonly checkpoint: SignedCheckpoint;
  /** False when the latest checkpoint already covered every entry, so nothing new was signed. */
  readonly created: boolean;
}

/** Serializes checkpoint writers across processes (transaction-scoped advisory lock). */
const CHECKPOINT_LOCK_KEY = 'clinloop.audit.checkpoint';

/**
 * Signs what the trail holds. A new checkpoint extends the Merkle tree from the last one: it
 * re-verifies the entries added since (content hashes and links, so it never signs over a tampered
 * row), stores the complete subtrees it finishes (inclusion and consistency proofs read them),
 * signs the new root with Ed25519, stores the checkpoint, then appends it to the checkpoint file
 * and publishes it.
 */
export class CheckpointService {
  private readonly clock: () => Date;

  constructor(private readonly options: CheckpointServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async latest(): Promise<SignedCheckpoint | null> {
    return latestCheckpoint(this.options.dataSource);
  }

  /** Entries appended since the latest checkpoint, and when that checkpoint was issued. */
  async backlog(): Promise<{ readonly uncovered: number; readonly lastIssuedAt: Date | null }> {
    const [head, latest] = await Promise.all([readChainHead(this.options.dataSource), this.latest()]);
    return { uncovered: head.lastSeq - (latest?.treeSize ?? 0), lastIssuedAt: latest ? new Date(`${latest.issuedAt.slice(0, 23)}Z`) : null };
  }

  /** A checkpoint over every committed entry; the latest one when nothing was appended since. */
  async createCheckpoint(): Promise<CheckpointOutcome> {
    const outcome = await withTransaction(this.options.dataSource, (manager) => this.extendAndSign(manager));
    if (outcome.created) await this.publish(outcome.checkpoint);
    return outcome;
  }

  private async extendAndSign(db: SqlExecutor): Promise<CheckpointOutcome> {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CHECKPOINT_LOCK_KEY]);
    const previous = await latestCheckpoint(db);
    const head = await readChainHead(db);
    const previousSize = previous?.treeSize ?? 0;
    if (previous && head.lastSeq === previousSize) return { checkpoint: previous, created: false };

    // Re-verify what is new, from the previous checkpoint's head, while extending its tree.
    const chain = new ChainVerifier([], { tree: await this.resumeTree(db, previous), lastHash: previous?.lastEntryHash ?? GENESIS_HASH });
    for await (const page of streamEntries(db, { afterSeq: previousSize, upToSeq: head.lastSeq })) {
      const completed: StoredNode[] = [];
      for (const entry of page) {
        const problem = chain.next(entry, (level, index, hash) => completed.push({ level, index, hash }));
        if (problem) {
          throw new AuditError(AuditErrorCode.CHAIN_BROKEN, `Not signing a checkpoint: ${problem.message}`, { seq: problem.seq, reason: problem.reason });
        }
      }
      await insertMerkleNodes(db, completed);
    }
    if (chain.lastSeq !== head.lastSeq) {
      throw new AuditError(AuditErrorCode.CHAIN_BROKEN, `Not signing a checkpoint: the head says ${head.lastSeq} entries, the table holds ${chain.lastSeq}`, {
        seq: chain.lastSeq + 1,
      });
    }
    const checkpoint = signCheckpoint(
      {
        treeSize: head.lastSeq,
        rootHash: chain.root().toString('hex'),
        lastSeq: head.lastSeq,
        lastEntryHash: chain.lastHash,
        issuedAt: toAuditTimestamp(this.clock()),
      },
      this.options.signer,
    );
    await insertCheckpoint(db, checkpoint);
    return { checkpoint, created: true };
  }

  /** The tree as the previous checkpoint left it, checked against that checkpoint's signed root. */
  private async resumeTree(db: SqlExecutor, previous: SignedCheckpoint | null): Promise<MerkleAccumulator> {
    if (!previous || previous.treeSize === 0) return MerkleAccumulator.empty();
    if (!verifyCheckpointSignature(previous, this.options.signer.publicKey)) {
      throw new AuditError(AuditErrorCode.TREE_STATE_CORRUPT, `The stored checkpoint ${previous.treeSize} is not signed by the current key`, { treeSize: previous.treeSize });
    }
    const subtrees = perfectSubtreesOf(previous.treeSize);
    const found = await readPerfectNodes(db, subtrees);
    const hashes = subtrees.map(({ level, index }) => found.get(nodeKey(level, index)));
    const complete = hashes.filter((hash): hash is Buffer => hash !== undefined);
    const accumulator = complete.length === hashes.length ? MerkleAccumulator.resume(previous.treeSize, complete) : null;
    if (!accumulator || accumulator.root().toString('hex') !== previous.rootHash) {
      throw new AuditError(AuditErrorCode.TREE_STATE_CORRUPT, `The stored Merkle nodes do not reproduce checkpoint ${previous.treeSize}; run audit verify --db`, {
        treeSize: previous.treeSize,
      });
    }
    return accumulator;
  }

  private async publish(checkpoint: SignedCheckpoint): Promise<void> {
    const failures: string[] = [];
    const { checkpointFile, publisher } = this.options;
    if (checkpointFile !== null) {
      try {
        await mkdir(path.dirname(checkpointFile), { recursive: true });
        await appendFile(checkpointFile, `${checkpointLine(checkpoint)}\n`, 'utf8');
      } catch (error) {
        failures.push(`checkpoint file ${checkpointFile}: ${describeError(error)}`);
      }
    }
    if (publisher !== null) {
      try {
        await publisher.publish(checkpoint);
      } catch (error) {
        failures.push(`stream: ${describeError(error)}`);
      }
    }
    if (failures.length > 0) {
      throw new AuditError(
        AuditErrorCode.CHECKPOINT_PUBLISH_FAILED,
        `Checkpoint ${checkpoint.treeSize} is stored and signed but was not published to ${failures.join('; ')}`,
        { treeSize: checkpoint.treeSize },
      );
    }
  }
}
