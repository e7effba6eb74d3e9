import { Query, Resolver } from '@nestjs/graphql';
import { AuthzError, AuthzErrorCode, RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { ViewerModel } from './models/viewer.model';

@Resolver(() => ViewerModel)
export class ViewerResolver {
  @Query(() => ViewerModel, { description: 'Who you are signed in as.' })
  @RequireAbility('read', 'Viewer')
  me(@Security() security: SecurityContext): ViewerModel {
    const principal = security.principal;
    if (principal.kind !== 'user') throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'Only people have a profile.');
    return {
      id: principal.userId,
      email: principal.email,
      displayName: principal.displayName,
      role: principal.role,
      organizationId: principal.organizationId,
      patientId: principal.patientId,
      authzSubject: { kind: 'Viewer', userId: principal.userId },
    };
  }
}
