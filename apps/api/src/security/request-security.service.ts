import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessTokens, AuthError, PrincipalsService } from '@clinloop/auth';
import { ANONYMOUS, attachSecurityContext, defineAbilityFor, type SecurityContext } from '@clinloop/authz';
import { RequestAuditCollector, requestStateOf, setRequestState, type RequestState } from './request-state';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Resolves who is asking, once per request: no token means anonymous; a token must verify (RS256,
 * our key or the external issuer's, issuer, audience, expiry) and its session, user or client must
 * still be valid. A rejected token is audited and the request fails with its coded error - also for
 * operations anonymous callers could use, so a stale or forged token never goes unnoticed.
 */
@Injectable()
export class RequestSecurityService {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly principals: PrincipalsService,
  ) {}

  /** Called from the onRequest hook: reads the bearer token and verifies it (no database work). */
  begin(request: FastifyRequest, now: Date): RequestState {
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined;
    const verified = bearer === undefined ? undefined : this.tokens.verify(bearer, now);
    // Settled here so an unobserved rejection never surfaces as an unhandled one.
    verified?.catch(() => undefined);
    const state: RequestState = { bearer, verified, rateKey: `ip:${request.ip}`, security: undefined, audit: new RequestAuditCollector(request.ip) };
    setRequestState(request, state);
    return state;
  }

  /** The request's security context (memoized); throws the coded error of a rejected token. */
  resolve(request: FastifyRequest): Promise<SecurityContext> {
    const state = requestStateOf(request) ?? this.begin(request, new Date());
    state.security ??= this.build(request, state);
    return state.security;
  }

  private async build(request: FastifyRequest, state: RequestState): Promise<SecurityContext> {
    const base = { audit: state.audit, requestId: request.id, ip: request.ip };
    let context: SecurityContext;
    if (state.verified === undefined) {
      context = { ...base, principal: ANONYMOUS, ability: defineAbilityFor(ANONYMOUS) };
    } else {
      try {
        const principal = await this.principals.principalFor(await state.verified, { requestId: request.id, ip: request.ip });
        state.audit.principal = principal;
        context = { ...base, principal, ability: defineAbilityFor(principal) };
      } catch (error) {
        if (error instanceof AuthError) {
          state.audit.record({
            action: 'auth.token_rejected',
            resource: { type: 'Session', id: null },
            outcome: 'denied',
            reason: typeof error.details.reason === 'string' ? error.details.reason : error.code,
            payload: { securityEvent: true, errorCode: error.code },
          });
        }
        throw error;
      }
    }
    attachSecurityContext(request, context);
    return context;
  }
}
