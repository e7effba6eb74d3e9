import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Extensions } from '@nestjs/graphql';
import type { Action, SubjectType } from './subjects';

/** Metadata key the global guard reads. */
export const REQUIRED_ABILITY = 'clinloop:required-ability';
/** GraphQL extension key: on a field (root or resolved) the ability it needs, on an object type how its fields are guarded. */
export const ABILITY_EXTENSION = 'clinloopAbility';

export interface RequiredAbility {
  readonly action: Action;
  readonly subject: SubjectType;
}

/** How the fields of a GraphQL object type are guarded. */
export type TypeAbility =
  /** Each field needs `read` of that field on the object (CASL field rules); the object carries its subject. */
  | { readonly subject: SubjectType }
  /** The object is part of its parent's answer: whoever may receive the parent may read all its fields. */
  | { readonly inherit: true };

/**
 * Declares the ability a query, mutation, resolved field or HTTP route needs. The global guard refuses
 * any handler without one (deny by default), and the declaration is visible in the schema's field
 * extensions so a test can check every field has one.
 */
export function RequireAbility(action: Action, subject: SubjectType): MethodDecorator {
  const ability: RequiredAbility = { action, subject };
  return applyDecorators(SetMetadata(REQUIRED_ABILITY, ability), Extensions({ [ABILITY_EXTENSION]: ability }));
}

/** For HTTP routes (no GraphQL schema): the same declaration without the schema extension. */
export function RequireRouteAbility(action: Action, subject: SubjectType): MethodDecorator {
  const ability: RequiredAbility = { action, subject };
  return SetMetadata(REQUIRED_ABILITY, ability);
}

/**
 * On a GraphQL object type: every field is guarded as `read` of that field on the object, whose
 * `authzSubject` property (never exposed in the schema) says what it is.
 */
export function GuardedBy(subject: SubjectType): ClassDecorator {
  const ability: TypeAbility = { subject };
  return Extensions({ [ABILITY_EXTENSION]: ability });
}

/** On a GraphQL object type that only ever appears inside an answer already authorized as a whole. */
export function GuardedByParent(): ClassDecorator {
  const ability: TypeAbility = { inherit: true };
  return Extensions({ [ABILITY_EXTENSION]: ability });
}
