import { EntityManager } from 'typeorm';
import { AuditEntry, AuditEntryInput, toEntryDraft } from './audit-entry';
import { canonicalJson } from './canonical-json';
import { AuditError, AuditErrorCode } from './errors';
import { chainEntries } from './hash-chain';
import { insertEntries, lockChainHead } from './store/audit-store';

/**
 * Appends audit entries in the caller's transaction, so an entry commits exactly when the change it
 * records does. Usage, from any feature service:
 *
 *   await withTransaction(dataSource, async (manager) => {
 *     const review = await manager.save(...);                       // the change
 *     await audit.append(manager, [{ actor, action: 'recommendation.approve', ... }]);  // last
 *   });
 *
 * One call is one batch: its entries get consecutive sequence numbers under one lock, the chain
 * head row, held until the transaction ends. Every audited transaction in every process therefore
 * passes through that lock one at a time: append as the LAST statement before commit, so the lock
 * is held for the commit only.
 */
export class AuditService {
  async append(manager: EntityManager, inputs: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
    if (inputs.length === 0) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new AuditError(
        AuditErrorCode.NOT_IN_TRANSACTION,
        'AuditService.append needs the EntityManager of the transaction that makes the change (withTransaction)',
      );
    }
    // Validation and canonical JSON happen before the lock, keeping the serialized part short.
    const drafts = inputs.map(toEntryDraft);
    const payloads = drafts.map((draft) => canonicalJson(draft.payload));
    const head = await lockChainHead(manager);
    const entries = chainEntries(drafts, head, head.now);
    await insertEntries(manager, entries, payloads);
    return entries;
  }
}
