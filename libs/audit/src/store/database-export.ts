import { AuditEntry } from '../audit-entry';
import { AuditSigner, SignedCheckpoint } from '../checkpoint';
import { AuditError, AuditErrorCode } from '../errors';
import { assembleExport } from '../export/export-assembler';
import { exportFilters } from '../export/export-filters';
import { ExportConsistencyRecord, ExportFilters, ExportRecord, InclusionProof, isUnfiltered } from '../export/export-records';
import { consistencyPath, inclusionPath, PerfectNodeReader, perfectNodesRead, rangeRoot } from '../merkle-tree';
import { nodeKey, readPerfectNodes, SqlExecutor, streamEntries } from './audit-store';

export interface DatabaseExportRequest {
  /** Filters left out (or null) do not filter; none at all is a full export. See `exportFilters`. */
  readonly filters: Partial<ExportFilters>;
  /** The checkpoint the export is covered by; entries beyond its size are left out. */
  readonly checkpoint: SignedCheckpoint;
  /** Checkpoints the auditor holds: a filtered export carries a consistency proof from each. */
  readonly trusted: readonly SignedCheckpoint[];
  readonly signer: AuditSigner;
  readonly exportedAt: string;
  readonly pageSize?: number;
}

/**
 * The export's records, read from PostgreSQL page by page: entries by keyset pagination (no long
 * transaction; rows at or below a checkpoint never change), proofs from the stored Merkle nodes
 * fetched once per page. Consistency proofs (few) are computed before the entries stream.
 */
export async function* exportFromDatabase(db: SqlExecutor, request: DatabaseExportRequest): AsyncGenerator<ExportRecord> {
  const filters = exportFilters(request.filters);
  const full = isUnfiltered(filters);
  yield* assembleExport({
    mode: full ? 'full' : 'filtered',
    filters,
    exportedAt: request.exportedAt,
    checkpoint: request.checkpoint,
    entries: exportedEntries(db, request, filters),
    consistency: full ? [] : await consistencyRecords(db, request.checkpoint, request.trusted),
    signer: request.signer,
  });
}

async function* exportedEntries(db: SqlExecutor, request: DatabaseExportRequest, filters: ExportFilters): AsyncGenerator<{ entry: AuditEntry; proof: InclusionProof | null }> {
  const treeSize = request.checkpoint.treeSize;
  const full = isUnfiltered(filters);
  for await (const page of streamEntries(db, { afterSeq: 0, upToSeq: treeSize, filters: full ? undefined : filters, pageSize: request.pageSize })) {
    if (full) {
      for (const entry of page) yield { entry, proof: null };
      continue;
    }
    const read = await nodeReaderFor(db, (reader) => page.forEach((entry) => inclusionPath(entry.seq - 1, treeSize, reader)));
    for (const entry of page) {
      yield { entry, proof: { leafIndex: entry.seq - 1, treeSize, path: inclusionPath(entry.seq - 1, treeSize, read).map(hex) } };
    }
  }
}

/** Consistency proofs from each trusted checkpoint (smaller than the covering one) to the covering checkpoint. */
export async function consistencyRecords(db: SqlExecutor, checkpoint: SignedCheckpoint, trusted: readonly SignedCheckpoint[]): Promise<ExportConsistencyRecord[]> {
  const records: ExportConsistencyRecord[] = [];
  for (const old of trusted) {
    if (old.treeSize === 0 || old.treeSize >= checkpoint.treeSize) continue;
    const read = await nodeReaderFor(db, (reader) => {
      consistencyPath(old.treeSize, checkpoint.treeSize, reader);
      rangeRoot(0, old.treeSize, reader);
    });
    records.push({
      kind: 'consistency',
      fromSize: old.treeSize,
      // The log's own root at that size: if it differs from the trusted one, the verifier says so.
      fromRoot: hex(rangeRoot(0, old.treeSize, read)),
      toSize: checkpoint.treeSize,
      toRoot: checkpoint.rootHash,
      path: consistencyPath(old.treeSize, checkpoint.treeSize, read).map(hex),
    });
  }
  return records;
}

/** Finds the complete subtrees `compute` reads, fetches them in one go, and returns a reader over them. */
async function nodeReaderFor(db: SqlExecutor, compute: (read: PerfectNodeReader) => void): Promise<PerfectNodeReader> {
  const found = await readPerfectNodes(db, perfectNodesRead(compute));
  return (level, index) => {
    const node = found.get(nodeKey(level, index));
    if (!node) {
      throw new AuditError(AuditErrorCode.TREE_STATE_CORRUPT, `Merkle node ${level}:${index} is missing; run audit verify --db`, { level, index });
    }
    return node;
  };
}

function hex(buffer: Buffer): string {
  return buffer.toString('hex');
}
