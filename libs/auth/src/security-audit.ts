import type { EntityManager } from 'typeorm';
import type { AuditActor, AuditEntryInput } from '@clinloop/audit';
import type { Principal } from '@clinloop/authz';

/** What the auth services need of libs/audit: append entries in the caller's transaction, last. */
export interface AuditAppender {
  append(manager: EntityManager, entries: readonly AuditEntryInput[]): Promise<unknown>;
}

/** Where a request came from, for the entries it causes. */
export interface RequestMeta {
  readonly requestId: string | null;
  readonly ip: string | null;
}

/** The component named as actor when nobody is signed in (a failed sign-in, a rejected token). */
export const UNAUTHENTICATED_ACTOR: AuditActor = { type: 'system', component: 'api:unauthenticated' };

export function auditActorFor(principal: Principal): AuditActor {
  switch (principal.kind) {
    case 'anonymous':
      return UNAUTHENTICATED_ACTOR;
    case 'user':
      return { type: 'user', userId: principal.userId, role: principal.role, organizationId: principal.organizationId };
    case 'client':
      return { type: 'user', userId: `client:${principal.publicClientId}`, role: 'integrator', organizationId: principal.organizationId };
  }
}

/** Flags every identity-and-access entry so an auditor can filter security events. */
export function securityPayload(meta: RequestMeta, details: Readonly<Record<string, string | number | boolean | null | readonly string[]>> = {}) {
  return { securityEvent: true, ip: meta.ip, ...details };
}
