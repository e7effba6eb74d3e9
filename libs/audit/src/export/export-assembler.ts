import { AuditEntry } from '../audit-entry';
import { AuditSigner, SignedCheckpoint } from '../checkpoint';
import { EntriesDigest, ExportConsistencyRecord, ExportFilters, exportManifestMessage, ExportMode, ExportRecord, InclusionProof } from './export-records';

export interface ExportContent {
  readonly mode: ExportMode;
  readonly filters: ExportFilters;
  readonly exportedAt: string;
  readonly checkpoint: SignedCheckpoint;
  /** In sequence order; with a proof each in filtered mode. */
  readonly entries: AsyncIterable<{ readonly entry: AuditEntry; readonly proof: InclusionProof | null }>;
  readonly consistency: readonly ExportConsistencyRecord[];
  readonly signer: AuditSigner;
}

/** Frames entries with header and trailer, digesting them on the way so the manifest can be signed at the end. */
export async function* assembleExport(content: ExportContent): AsyncGenerator<ExportRecord> {
  const { checkpoint } = content;
  yield { kind: 'header', formatVersion: 1, mode: content.mode, filters: content.filters, exportedAt: content.exportedAt, checkpoint };
  const digest = new EntriesDigest();
  for await (const { entry, proof } of content.entries) {
    digest.add(entry.seq, entry.hash);
    yield { kind: 'entry', entry, proof };
  }
  for (const consistency of content.consistency) yield consistency;
  const entriesDigest = digest.finish();
  const manifest = exportManifestMessage({
    mode: content.mode,
    filters: content.filters,
    exportedAt: content.exportedAt,
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    entryCount: digest.count,
    entriesDigest,
    keyId: content.signer.keyId,
  });
  yield {
    kind: 'trailer',
    checkpoint,
    entryCount: digest.count,
    entriesDigest,
    manifestSignature: content.signer.sign(manifest).toString('base64'),
  };
}
