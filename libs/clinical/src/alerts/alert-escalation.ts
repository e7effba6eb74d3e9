import { ClinicalRules } from '../rules';
import { addMinutes } from '../time';
import { AlertSeverity } from '../vocabulary';

export interface EscalatableAlert {
  readonly id: string;
  readonly severity: AlertSeverity;
  readonly acknowledgedAt: Date | null;
  readonly resolvedAt: Date | null;
  /** Care-team members already notified, in the order they were notified. */
  readonly notifiedMemberIds: readonly string[];
  /** When the most recent notification went out (the alert's creation for the first). */
  readonly lastNotifiedAt: Date;
}

export type EscalationDecision =
  | {
      readonly action: 'NONE';
      readonly reason: 'SEVERITY_NOT_ESCALATED' | 'ACKNOWLEDGED' | 'RESOLVED' | 'WAITING';
      /** When to ask again; null when the alert will never escalate. */
      readonly nextCheckAt: Date | null;
    }
  | { readonly action: 'ESCALATE'; readonly toMemberId: string; readonly nextCheckAt: Date }
  /** Everyone in the care-team order has been notified and nobody acknowledged. */
  | { readonly action: 'CARE_TEAM_EXHAUSTED'; readonly nextCheckAt: null };

/**
 * Escalation of an unacknowledged alert: once the escalation time has passed since the last
 * notification, the next care-team member (in `careTeamOrder`) not yet notified is notified.
 * An alert nobody has been told about goes to the first member at once.
 */
export function decideEscalation(
  alert: EscalatableAlert,
  now: Date,
  careTeamOrder: readonly string[],
  rules: ClinicalRules,
): EscalationDecision {
  if (!rules.escalation.severities.includes(alert.severity)) {
    return { action: 'NONE', reason: 'SEVERITY_NOT_ESCALATED', nextCheckAt: null };
  }
  if (alert.resolvedAt) return { action: 'NONE', reason: 'RESOLVED', nextCheckAt: null };
  if (alert.acknowledgedAt) return { action: 'NONE', reason: 'ACKNOWLEDGED', nextCheckAt: null };

  const escalateAt = addMinutes(alert.lastNotifiedAt, rules.escalation.unacknowledgedMinutes);
  const nobodyNotified = alert.notifiedMemberIds.length === 0;
  if (!nobodyNotified && now < escalateAt)
    return { action: 'NONE', reason: 'WAITING', nextCheckAt: escalateAt };

  const next = careTeamOrder.find((memberId) => !alert.notifiedMemberIds.includes(memberId));
  if (next === undefined) return { action: 'CARE_TEAM_EXHAUSTED', nextCheckAt: null };
  return {
    action: 'ESCALATE',
    toMemberId: next,
    nextCheckAt: addMinutes(now, rules.escalation.unacknowledgedMinutes),
  };
}
