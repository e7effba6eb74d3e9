import { AlertCondition, AlertSeverity, severityRank } from '../vocabulary';

export interface OpenAlert {
  readonly id: string;
  readonly patientId: string;
  readonly condition: AlertCondition;
  readonly severity: AlertSeverity;
}

export type AlertNotificationDecision =
  | { readonly action: 'CREATE' }
  /** An open alert already covers it at the same or a worse severity: nobody is paged again. */
  | { readonly action: 'SUPPRESS'; readonly existingAlertId: string }
  /** The open alert is raised to the worse severity and the care team is notified again. */
  | {
      readonly action: 'RENOTIFY';
      readonly existingAlertId: string;
      readonly previousSeverity: AlertSeverity;
      readonly severity: AlertSeverity;
    };

/**
 * De-duplication per patient and condition while an alert is open: no second alert for the
 * same thing, but a worse severity re-notifies. `openAlerts` holds only open alerts (any patient).
 */
export function decideAlertNotification(
  candidate: {
    readonly patientId: string;
    readonly condition: AlertCondition;
    readonly severity: AlertSeverity;
  },
  openAlerts: readonly OpenAlert[],
): AlertNotificationDecision {
  const sameCondition = openAlerts
    .filter((alert) => alert.patientId === candidate.patientId && alert.condition === candidate.condition)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
  const worstOpen = sameCondition[0];
  if (!worstOpen) return { action: 'CREATE' };
  if (severityRank(candidate.severity) > severityRank(worstOpen.severity)) {
    return {
      action: 'RENOTIFY',
      existingAlertId: worstOpen.id,
      previousSeverity: worstOpen.severity,
      severity: candidate.severity,
    };
  }
  return { action: 'SUPPRESS', existingAlertId: worstOpen.id };
}
