import { ClinLoopError } from '@clinloop/errors';

export enum AuthzErrorCode {
  /** The caller is known but the action is not theirs to take. */
  FORBIDDEN = 'AUTHZ_FORBIDDEN',
  /** The caller may see the object but not this field of it. */
  FIELD_FORBIDDEN = 'AUTHZ_FIELD_FORBIDDEN',
  /**
   * A resolver, route or field declares no ability. Deny by default; a test keeps this from shipping.
   */
  NO_ABILITY_DECLARED = 'AUTHZ_NO_ABILITY_DECLARED',
  /** An object reached a field check without being readable; answered as "not found" so nothing leaks. */
  OBJECT_NOT_VISIBLE = 'AUTHZ_OBJECT_NOT_VISIBLE',
  /** Break-glass needs a reason of some substance. */
  BREAK_GLASS_REASON_REQUIRED = 'AUTHZ_BREAK_GLASS_REASON_REQUIRED',
}

export class AuthzError extends ClinLoopError<AuthzErrorCode> {
  readonly module = 'authz';
}
