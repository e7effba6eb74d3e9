import { ClinLoopError } from '@clinloop/errors';

export enum ClinicalErrorCode {
  /** A value is outside the physiological range of its LOINC code, or the panel is inconsistent. */
  IMPLAUSIBLE_READING = 'CLINICAL_IMPLAUSIBLE_READING',
  /** A measurement unit the rules table cannot convert to the canonical unit. */
  UNKNOWN_UNIT = 'CLINICAL_UNKNOWN_UNIT',
  /** Safety bounds that reach past the formulary's hard limits (or the rules' ceilings). */
  BOUNDS_OUTSIDE_FORMULARY = 'CLINICAL_BOUNDS_OUTSIDE_FORMULARY',
  /** A drug the formulary does not list. */
  UNKNOWN_DRUG = 'CLINICAL_UNKNOWN_DRUG',
  /** Structurally invalid input (missing field, wrong type, inconsistent values). */
  INVALID_INPUT = 'CLINICAL_INVALID_INPUT',
}

export class ClinicalError extends ClinLoopError<ClinicalErrorCode> {
  readonly module = 'clinical';
}
