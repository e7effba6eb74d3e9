import type { FastifyRequest } from 'fastify';
import type { AuditEntryInput } from '@clinloop/audit';
import { auditActorFor, type VerifiedToken } from '@clinloop/auth';
import { ANONYMOUS, type Principal, type RequestAuditEvent, type RequestAuditLog, type SecurityContext } from '@clinloop/authz';

/**
 * What the API learns about one request as it goes: the bearer token (checked once, in onRequest, so
 * the rate limiter can key on the caller), the security context the guard resolves from it, and the
 * audit entries the request causes, written before the response leaves.
 */
export interface RequestState {
  readonly bearer: string | undefined;
  /** Signature, expiry, issuer and audience check of the bearer token; settled before any handler runs. */
  readonly verified: Promise<VerifiedToken> | undefined;
  /** Rate-limit key: the user or client when the token verified, else the address. */
  rateKey: string;
  security: Promise<SecurityContext> | undefined;
  readonly audit: RequestAuditCollector;
}

const states = new WeakMap<object, RequestState>();

export function setRequestState(request: FastifyRequest, state: RequestState): void {
  states.set(request, state);
}

export function requestStateOf(request: FastifyRequest): RequestState | undefined {
  return states.get(request);
}

/** The request's audit entries: one per distinct event (a list that reads a patient twice reads it once). */
export class RequestAuditCollector implements RequestAuditLog {
  private readonly events = new Map<string, RequestAuditEvent>();
  principal: Principal = ANONYMOUS;

  constructor(private readonly ip: string) {}

  record(event: RequestAuditEvent): void {
    const key = [event.action, event.resource.type, event.resource.id ?? '', event.outcome, event.reason ?? ''].join('\u0000');
    if (!this.events.has(key)) this.events.set(key, event);
  }

  get size(): number {
    return this.events.size;
  }

  /** Takes the entries recorded so far, as the principal known now. */
  drain(requestId: string): AuditEntryInput[] {
    const actor = auditActorFor(this.principal);
    const entries = [...this.events.values()].map(
      (event): AuditEntryInput => ({
        actor,
        action: event.action,
        resource: event.resource,
        patientId: event.patientId ?? null,
        outcome: event.outcome,
        reason: event.reason ?? null,
        requestId,
        payload: { ...event.payload, ip: this.ip },
      }),
    );
    this.events.clear();
    return entries;
  }
}
