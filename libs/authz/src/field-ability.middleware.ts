import type { FieldMiddleware, MiddlewareContext, NextFn } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import { ABILITY_EXTENSION, type TypeAbility } from './decorators';
import { AuthzError, AuthzErrorCode } from './errors';
import { securityContextOf } from './request-context';
import type { SubjectObject } from './subjects';

/** GraphQL models of guarded types carry what they are for the ability check; this property is never in the schema. */
export interface WithAuthzSubject {
  readonly authzSubject: SubjectObject;
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Runs before every field of every object type. Root fields are the global guard's; every other field
 * follows its type's declaration: `GuardedBy(subject)` checks `read` of the object and of that field
 * (so nested objects and list items are checked one by one), `GuardedByParent()` lets the field
 * through, and a type that declares nothing is refused.
 */
export const fieldAbilityMiddleware: FieldMiddleware = (context: MiddlewareContext<unknown, { req?: FastifyRequest }>, next: NextFn) => {
  const { info } = context;
  if (!info) throw new AuthzError(AuthzErrorCode.NO_ABILITY_DECLARED, 'This field is not available.');
  const parentType = info.parentType;
  const fieldName = info.fieldName;
  if (ROOT_TYPES.has(parentType.name)) return next();
  const typeAbility = parentType.extensions[ABILITY_EXTENSION] as TypeAbility | undefined;
  if (typeAbility === undefined) {
    throw new AuthzError(AuthzErrorCode.NO_ABILITY_DECLARED, 'This field is not available.', { field: `${parentType.name}.${fieldName}` });
  }
  if ('inherit' in typeAbility) return next();

  const security = context.context.req ? securityContextOf(context.context.req) : undefined;
  const subject = (context.source as Partial<WithAuthzSubject> | null)?.authzSubject;
  if (!security || subject?.kind !== typeAbility.subject || !security.ability.can('read', subject)) {
    throw new AuthzError(AuthzErrorCode.OBJECT_NOT_VISIBLE, 'Not found.', { type: parentType.name });
  }
  if (!security.ability.can('read', subject, fieldName)) {
    throw new AuthzError(AuthzErrorCode.FIELD_FORBIDDEN, `You may not read ${parentType.name}.${fieldName}.`, {
      field: `${parentType.name}.${fieldName}`,
    });
  }
  return next();
};
