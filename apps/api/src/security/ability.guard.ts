import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuthError, AuthErrorCode } from '@clinloop/auth';
import { AuthzError, AuthzErrorCode, heldForPasswordChange, REQUIRED_ABILITY, requestOf, type RequiredAbility } from '@clinloop/authz';
import { RequestSecurityService } from './request-security.service';

/** Where in the API a check happened, for the audit entry of a refusal. */
function operationOf(context: ExecutionContext): string {
  if (context.getType<string>() === 'graphql') {
    const info = GqlExecutionContext.create(context).getInfo<{ parentType: { name: string }; fieldName: string }>();
    return `${info.parentType.name}.${info.fieldName}`;
  }
  const request = requestOf(context);
  return `${request.method} ${request.routeOptions.url ?? request.url}`;
}

/**
 * The one global guard (deny by default): every query, mutation, resolved field and HTTP route must
 * declare the ability it needs with @RequireAbility / @RequireRouteAbility, and the caller's ability
 * must grant it for the subject type. Object-level checks (this patient, that team) follow in the
 * services, which answer "not found" for what the caller may not see. Someone signed in with a
 * password an administrator issued reaches nothing but their own account until they change it
 * (`AUTH_PASSWORD_CHANGE_REQUIRED`), whatever their role grants. Refusals are audited.
 */
@Injectable()
export class AbilityGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly requestSecurity: RequestSecurityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<RequiredAbility | undefined>(REQUIRED_ABILITY, [context.getHandler(), context.getClass()]);
    const security = await this.requestSecurity.resolve(requestOf(context));
    const held = required !== undefined && heldForPasswordChange(security.principal, required.subject);
    if (required && !held && security.ability.can(required.action, required.subject)) return true;

    const operation = operationOf(context);
    if (held) {
      security.audit.record({
        action: 'authz.denied',
        resource: { type: required.subject, id: null },
        outcome: 'denied',
        reason: `password change required: ${required.action} ${required.subject}`,
        payload: { securityEvent: true, operation, errorCode: AuthErrorCode.PASSWORD_CHANGE_REQUIRED },
      });
      throw new AuthError(
        AuthErrorCode.PASSWORD_CHANGE_REQUIRED,
        'Choose a new password first: the one you signed in with was issued by an administrator, and until you change it only your own account is available.',
        { operation },
      );
    }
    const anonymous = security.principal.kind === 'anonymous';
    security.audit.record({
      action: 'authz.denied',
      resource: { type: required?.subject ?? 'Operation', id: null },
      outcome: 'denied',
      reason: required ? `${anonymous ? 'not signed in' : 'not permitted'}: ${required.action} ${required.subject}` : 'no ability declared',
      payload: { securityEvent: true, operation },
    });
    if (!required) throw new AuthzError(AuthzErrorCode.NO_ABILITY_DECLARED, 'This operation is not available.', { operation });
    if (anonymous) throw new AuthError(AuthErrorCode.UNAUTHENTICATED, 'Sign in first.');
    throw new AuthzError(AuthzErrorCode.FORBIDDEN, `You may not ${required.action} ${required.subject}.`, { operation });
  }
}
