import { AuditEntry, AuditEntryDraft } from './audit-entry';
import { computeEntryHash } from './canonical-encoding';

export interface ChainHead {
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** Gives drafts their sequence numbers, time and hashes, continuing from `head`. Pure: the caller holds the lock. */
export function chainEntries(drafts: readonly AuditEntryDraft[], head: ChainHead, recordedAt: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = head.lastHash;
  let seq = head.lastSeq;
  for (const draft of drafts) {
    seq++;
    const content = { seq, recordedAt, ...draft };
    const hash = computeEntryHash(content, prevHash);
    entries.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}
