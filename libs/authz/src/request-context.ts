import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { AppAbility } from './define-ability';
import { AuthzError, AuthzErrorCode } from './errors';
import type { Principal } from './principal';

export type AuditJson = null | boolean | number | string | readonly AuditJson[] | { readonly [key: string]: AuditJson };

/** One thing that happened during a request, for the audit trail; who and which request are filled in for it. */
export interface RequestAuditEvent {
  readonly action: string;
  readonly resource: { readonly type: string; readonly id?: string | null };
  readonly patientId?: string | null;
  readonly outcome: 'success' | 'failure' | 'denied';
  readonly reason?: string | null;
  readonly payload?: { readonly [key: string]: AuditJson };
}

/**
 * Collects what a request read or was refused; written to the audit trail in one transaction before
 * the response leaves (a failed write turns the response into an error, so no PHI goes out unaudited).
 * Changes are audited by the services in their own transactions, not here.
 */
export interface RequestAuditLog {
  record(event: RequestAuditEvent): void;
}

/** Who is asking and what they may do, resolved once per request by the global guard. */
export interface SecurityContext {
  readonly principal: Principal;
  readonly ability: AppAbility;
  readonly audit: RequestAuditLog;
  readonly requestId: string;
  /** The caller's address as the API saw it (after trusted proxies). */
  readonly ip: string;
}

const contexts = new WeakMap<object, SecurityContext>();

export function attachSecurityContext(request: FastifyRequest, context: SecurityContext): void {
  contexts.set(request, context);
}

export function securityContextOf(request: FastifyRequest): SecurityContext | undefined {
  return contexts.get(request);
}

/** The Fastify request behind a Nest execution context, HTTP or GraphQL. */
export function requestOf(context: ExecutionContext): FastifyRequest {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext<{ req: FastifyRequest }>().req;
  return context.switchToHttp().getRequest<FastifyRequest>();
}

/** Injects the request's SecurityContext into a resolver or controller method. */
export const Security = createParamDecorator((_data: unknown, context: ExecutionContext): SecurityContext => {
  const security = securityContextOf(requestOf(context));
  // Only reachable if the global guard did not run for this handler: fail closed.
  if (!security) throw new AuthzError(AuthzErrorCode.NO_ABILITY_DECLARED, 'This operation is not available.');
  return security;
});
