import { AuditEntry, AuditEntryDraft, CURRENT_ENTRY_ENCODING, EntryEncoding } from './audit-entry';
import { entryHash } from './entry-hash';

export interface ChainHead {
  readonly lastSeq: number;
  readonly lastHash: string;
}

/**
 * Gives drafts their sequence numbers, time and hashes, continuing from `head`. Pure: the caller
 * holds the lock. `encoding` is the current one except in tests of trails written before it.
 */
export function chainEntries(drafts: readonly AuditEntryDraft[], head: ChainHead, recordedAt: string, encoding: EntryEncoding = CURRENT_ENTRY_ENCODING): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = head.lastHash;
  let seq = head.lastSeq;
  for (const draft of drafts) {
    seq++;
    const content = { seq, recordedAt, ...draft };
    const hash = entryHash(content, prevHash, encoding);
    entries.push({ ...content, encoding, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}
