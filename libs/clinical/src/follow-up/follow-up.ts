import { ClinicalRules } from '../rules';
import { addDays, addMonths } from '../time';
import { AlertCondition, HomeBpCategory } from '../vocabulary';

export type FollowUpReason =
  'ALERT_BROUGHT_FORWARD' | 'AFTER_CHANGE' | 'UNCONTROLLED' | 'CONTROL_NOT_YET_SUSTAINED' | 'STABLE';

export interface FollowUpPlan {
  readonly reason: FollowUpReason;
  /** The visit is due from here... */
  readonly dueAt: Date;
  /** ...and should happen by here (equal to dueAt except for stable patients: 3-6 months). */
  readonly latestAt: Date;
  /** The alert that brought the visit forward, when that is the reason. */
  readonly broughtForwardBy: AlertCondition | null;
}

export interface FollowUpInput {
  readonly now: Date;
  readonly lastVisitAt: Date | null;
  readonly lastTreatmentChangeAt: Date | null;
  /** Judgement of the latest 7-day home mean; null when there is not enough data to judge. */
  readonly control: { readonly category: HomeBpCategory; readonly atTarget: boolean } | null;
  /** Start of the current unbroken period at target; null when not at target. */
  readonly controlledSince: Date | null;
  /** The patient's alerts (open or closed) since the last visit, and at least over the last months of control. */
  readonly alerts: readonly { readonly condition: AlertCondition; readonly raisedAt: Date }[];
}

function latestOf(dates: readonly (Date | null)[]): Date | null {
  return dates.reduce<Date | null>(
    (latest, date) => (date && (!latest || date > latest) ? date : latest),
    null,
  );
}

/**
 * Next follow-up by stability (ACC/AHA 2017):
 * 1. a crisis, hypotension or persistent-uncontrolled alert since the last visit brings the visit
 *    forward to when it was raised (as soon as possible);
 * 2. after a change not yet followed up, or while uncontrolled (or unknown): 4 weeks, 2 when stage 2;
 * 3. controlled for 3 months with no alerts: in 3 to 6 months;
 * 4. controlled for less than that: 4 weeks, as while titrating, until control has lasted.
 * Intervals run from the later of the last visit and the last change (from `now` if neither).
 */
export function planFollowUp(input: FollowUpInput, rules: ClinicalRules): FollowUpPlan {
  const followUp = rules.followUp;
  const forwarding = input.alerts
    .filter(
      (alert) =>
        followUp.bringForwardOn.includes(alert.condition) &&
        (!input.lastVisitAt || alert.raisedAt > input.lastVisitAt),
    )
    .sort((a, b) => a.raisedAt.getTime() - b.raisedAt.getTime())[0];
  if (forwarding) {
    return {
      reason: 'ALERT_BROUGHT_FORWARD',
      dueAt: forwarding.raisedAt,
      latestAt: forwarding.raisedAt,
      broughtForwardBy: forwarding.condition,
    };
  }

  const anchor = latestOf([input.lastVisitAt, input.lastTreatmentChangeAt]) ?? input.now;
  const inWeeks = (reason: FollowUpReason): FollowUpPlan => {
    const weeks =
      input.control?.category === 'STAGE_2' ? followUp.stage2Weeks : followUp.afterChangeOrUncontrolledWeeks;
    const dueAt = addDays(anchor, 7 * weeks);
    return { reason, dueAt, latestAt: dueAt, broughtForwardBy: null };
  };

  const changeNotFollowedUp =
    input.lastTreatmentChangeAt !== null &&
    (input.lastVisitAt === null || input.lastTreatmentChangeAt > input.lastVisitAt);
  if (changeNotFollowedUp) return inWeeks('AFTER_CHANGE');
  if (input.control === null || !input.control.atTarget) return inWeeks('UNCONTROLLED');

  const stableSince = addMonths(input.now, -followUp.controlledForMonthsBeforeStable);
  const controlledLongEnough = input.controlledSince !== null && input.controlledSince <= stableSince;
  const alertsInThatTime = input.alerts.some((alert) => alert.raisedAt >= stableSince);
  if (!controlledLongEnough || alertsInThatTime) return inWeeks('CONTROL_NOT_YET_SUSTAINED');
  return {
    reason: 'STABLE',
    dueAt: addMonths(anchor, followUp.stableIntervalMonths.min),
    latestAt: addMonths(anchor, followUp.stableIntervalMonths.max),
    broughtForwardBy: null,
  };
}
