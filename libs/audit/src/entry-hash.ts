import { AuditEntryContent, EntryEncoding } from './audit-entry';
import { computeEntryHash, computeEntryHashBinary } from './canonical-encoding';
import { AuditError, AuditErrorCode } from './errors';
import { computeEntryHashV2, computeEntryHashV2Binary } from './entry-encoding-v2';

/** The entry hash (lowercase hex) under the entry's own encoding. */
export function entryHash(entry: AuditEntryContent, prevHash: string, encoding: EntryEncoding): string {
  switch (encoding) {
    case 1:
      return computeEntryHash(entry, prevHash);
    case 2:
      return computeEntryHashV2(entry, prevHash);
    default:
      throw unknownEncoding(encoding);
  }
}

/**
 * The entry hash as a binary string (see `computeEntryHashBinary`). `prevHashBinary`, the verified
 * head's bytes, spares encoding 1 decoding `prevHash`; encoding 2 writes the hex itself.
 */
export function entryHashBinary(entry: AuditEntryContent, prevHash: string, prevHashBinary: string | null, encoding: EntryEncoding): string {
  switch (encoding) {
    case 1:
      return computeEntryHashBinary(entry, prevHash, prevHashBinary);
    case 2:
      return computeEntryHashV2Binary(entry, prevHash);
    default:
      throw unknownEncoding(encoding);
  }
}

function unknownEncoding(encoding: unknown): AuditError {
  return new AuditError(AuditErrorCode.INVALID_ENTRY, `Invalid audit entry: encoding ${String(encoding)} is not 1 or 2`, { field: 'encoding' });
}
