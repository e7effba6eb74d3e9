import { AuditEntry, AuditEntryInput, CURRENT_ENTRY_ENCODING, EntryEncoding, toEntryDraft } from './audit-entry';
import { GENESIS_HASH } from './canonical-encoding';
import { AuditSigner, SignedCheckpoint, signCheckpoint } from './checkpoint';
import { assembleExport } from './export/export-assembler';
import { exportFilters } from './export/export-filters';
import { ExportFilters, ExportRecord, isUnfiltered } from './export/export-records';
import { chainEntries } from './hash-chain';
import { arrayNodeReader, consistencyPath, inclusionPath, merkleRoot, rangeRoot } from './merkle-tree';

/**
 * The whole trail in memory, with the same chain, tree, checkpoint and export rules as the
 * PostgreSQL store. Tests and the benchmark use it to make exports without a database; it is also
 * the shortest statement of what the store must do.
 */
export class InMemoryAuditLog {
  private readonly stored: AuditEntry[] = [];

  get entries(): readonly AuditEntry[] {
    return this.stored;
  }

  /** `encoding` other than the current one only to build trails as older versions wrote them. */
  append(inputs: readonly AuditEntryInput[], recordedAt: string, encoding: EntryEncoding = CURRENT_ENTRY_ENCODING): AuditEntry[] {
    const last = this.stored[this.stored.length - 1];
    const appended = chainEntries(inputs.map(toEntryDraft), { lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? GENESIS_HASH }, recordedAt, encoding);
    this.stored.push(...appended);
    return appended;
  }

  checkpoint(signer: AuditSigner, issuedAt: string, treeSize = this.stored.length): SignedCheckpoint {
    const covered = this.stored.slice(0, treeSize);
    return signCheckpoint(
      {
        treeSize,
        rootHash: merkleRoot(covered.map((entry) => Buffer.from(entry.hash, 'hex'))).toString('hex'),
        lastSeq: treeSize,
        lastEntryHash: covered[covered.length - 1]?.hash ?? GENESIS_HASH,
        issuedAt,
      },
      signer,
    );
  }

  exportRecords(options: {
    readonly checkpoint: SignedCheckpoint;
    readonly signer: AuditSigner;
    readonly exportedAt: string;
    readonly filters?: Partial<ExportFilters>;
    readonly trusted?: readonly SignedCheckpoint[];
    /** Patient id -> organization id: what the patients table tells the store, for the organization filter. */
    readonly patientOrganizations?: ReadonlyMap<string, string>;
  }): AsyncGenerator<ExportRecord> {
    const filters = exportFilters(options.filters ?? {});
    const patientOrganizations = options.patientOrganizations ?? new Map<string, string>();
    const treeSize = options.checkpoint.treeSize;
    const leaves = this.stored.slice(0, treeSize).map((entry) => Buffer.from(entry.hash, 'hex'));
    const read = arrayNodeReader(leaves);
    const full = isUnfiltered(filters);
    const selected = this.stored.slice(0, treeSize).filter((entry) => full || matchesFilters(entry, filters, (patientId) => patientOrganizations.get(patientId) ?? null));
    async function* entries(): AsyncGenerator<{ entry: AuditEntry; proof: { leafIndex: number; treeSize: number; path: string[] } | null }> {
      await Promise.resolve();
      for (const entry of selected) {
        yield {
          entry,
          proof: full ? null : { leafIndex: entry.seq - 1, treeSize, path: inclusionPath(entry.seq - 1, treeSize, read).map((node) => node.toString('hex')) },
        };
      }
    }
    return assembleExport({
      mode: full ? 'full' : 'filtered',
      filters,
      exportedAt: options.exportedAt,
      checkpoint: options.checkpoint,
      entries: entries(),
      consistency: (options.trusted ?? [])
        .filter((trusted) => trusted.treeSize > 0 && trusted.treeSize < treeSize)
        .map((trusted) => ({
          kind: 'consistency' as const,
          fromSize: trusted.treeSize,
          fromRoot: rangeRoot(0, trusted.treeSize, read).toString('hex'),
          toSize: treeSize,
          toRoot: options.checkpoint.rootHash,
          path: consistencyPath(trusted.treeSize, treeSize, read).map((node) => node.toString('hex')),
        })),
      signer: options.signer,
    });
  }
}

/**
 * The export filters' meaning, which the SQL of the PostgreSQL store reproduces. An entry belongs to
 * an organization when one of its actors wrote it, or when it is about one of its patients.
 */
export function matchesFilters(entry: AuditEntry, filters: ExportFilters, organizationOfPatient: (patientId: string) => string | null): boolean {
  return (
    (filters.from === null || entry.recordedAt >= filters.from) &&
    (filters.to === null || entry.recordedAt < filters.to) &&
    (filters.patientId === null || entry.patientId === filters.patientId) &&
    (filters.actorId === null || entry.actorId === filters.actorId) &&
    (filters.action === null || entry.action === filters.action) &&
    (filters.organizationId === null ||
      entry.actorOrganizationId === filters.organizationId ||
      (entry.patientId !== null && organizationOfPatient(entry.patientId) === filters.organizationId))
  );
}
