import { ClinLoopError } from '@clinloop/errors';

export enum PatientsErrorCode {
  /**
   * No such patient record, or one the caller may not see: the two are answered alike so that
   * nobody learns whether a record exists outside their care.
   */
  NOT_FOUND = 'PATIENTS_NOT_FOUND',
}

export class PatientsError extends ClinLoopError<PatientsErrorCode> {
  readonly module = 'patients';
}
