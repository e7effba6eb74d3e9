import { ClinLoopError } from '@clinloop/errors';

export enum SafetyBoundsErrorCode {
  /** A drug outside the formulary, or a dose range past its hard limits: refused, never stored. */
  OUTSIDE_FORMULARY = 'SAFETY_BOUNDS_OUTSIDE_FORMULARY',
  /** Structurally invalid bounds (a minimum above its maximum, a floor outside 0..1, SBP target not above DBP...). */
  INVALID = 'SAFETY_BOUNDS_INVALID',
}

export class SafetyBoundsError extends ClinLoopError<SafetyBoundsErrorCode> {
  readonly module = 'safety-bounds';
}
