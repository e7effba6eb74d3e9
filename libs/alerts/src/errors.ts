import { ClinLoopError } from '@clinloop/errors';

export enum AlertsErrorCode {
  /** No such alert, or one the caller may not see. */
  NOT_FOUND = 'ALERTS_NOT_FOUND',
  /** The alert is already resolved: nothing left to acknowledge. */
  ALREADY_RESOLVED = 'ALERTS_ALREADY_RESOLVED',
}

export class AlertsError extends ClinLoopError<AlertsErrorCode> {
  readonly module = 'alerts';
}
