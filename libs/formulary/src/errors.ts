import { ClinLoopError } from '@clinloop/errors';

export enum FormularyErrorCode {
  /** The formulary lists no such drug. */
  UNKNOWN_DRUG = 'FORMULARY_UNKNOWN_DRUG',
  /** Dose steps must be positive and strictly ascending; a change needs a reason. */
  INVALID_CHANGE = 'FORMULARY_INVALID_CHANGE',
}

export class FormularyError extends ClinLoopError<FormularyErrorCode> {
  readonly module = 'formulary';
}
