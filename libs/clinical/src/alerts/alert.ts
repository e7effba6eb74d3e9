import { AlertCondition, AlertSeverity } from '../vocabulary';

/** What an alert sets in motion besides being shown; the alerts module acts on these. */
export type AlertEffect =
  | 'NOTIFY_CARE_TEAM'
  | 'ESCALATE_IF_UNACKNOWLEDGED'
  | 'WITHHOLD_INCREASES'
  | 'BRING_FOLLOW_UP_FORWARD'
  | 'TELL_PATIENT_TO_STOP_AND_CONTACT_CARE_TEAM';

/** An alert a rule says should exist; decideAlertNotification says whether it becomes a new one. */
export interface AlertCandidate {
  readonly patientId: string;
  readonly condition: AlertCondition;
  readonly severity: AlertSeverity;
  /** When the condition was met, derived from the evidence so re-evaluation gives the same answer. */
  readonly raisedAt: Date;
  readonly message: string;
  readonly evidence: { readonly readingIds: readonly string[] };
  readonly effects: readonly AlertEffect[];
  readonly rulesVersion: string;
}
