import type { EntityManager } from 'typeorm';
import type { AuditEntryInput } from '@clinloop/audit';

/**
 * Where the observation services append their audit entries, in the caller's transaction: the audit
 * trail's AuditService, or whatever appender the API was composed with.
 */
export interface AuditTrail {
  append(manager: EntityManager, entries: readonly AuditEntryInput[]): Promise<unknown>;
}
