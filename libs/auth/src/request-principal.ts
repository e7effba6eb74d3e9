import { AuthzError, AuthzErrorCode, type SecurityContext, type UserPrincipal } from '@clinloop/authz';
import type { RequestMeta } from './security-audit';

export function metaOf(security: Pick<SecurityContext, 'requestId' | 'ip'>): RequestMeta {
  return { requestId: security.requestId, ip: security.ip };
}

/** The signed-in person behind a request; integrator clients are refused. */
export function userOf(security: SecurityContext): UserPrincipal {
  if (security.principal.kind !== 'user') throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'Only signed-in people may do this.');
  return security.principal;
}
