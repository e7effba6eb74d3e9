import { ClinLoopError } from '@clinloop/errors';

export enum AlertsErrorCode {
  /** No such alert, or one the caller may not see. */
  NOT_FOUND = 'ALERTS_NOT_FOUND',
  /** The alert is already resolved: nothing left to acknowledge or resolve. */
  ALREADY_RESOLVED = 'ALERTS_ALREADY_RESOLVED',
  /** Resolving needs a reason (it goes into the audit trail). */
  REASON_REQUIRED = 'ALERTS_REASON_REQUIRED',
  /** A notification channel did not accept a notification (retried by the dispatcher; never reaches a caller). */
  NOTIFICATION_FAILED = 'ALERTS_NOTIFICATION_FAILED',
}

export class AlertsError extends ClinLoopError<AlertsErrorCode> {
  readonly module = 'alerts';
}
