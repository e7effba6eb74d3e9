import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { AlertCondition } from '../vocabulary';
import { FollowUpInput, planFollowUp } from './follow-up';

const rules = DEFAULT_RULES;
const NOW = new Date('2025-06-30T09:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const daysAfter = (from: Date, days: number) => new Date(from.getTime() + days * 86_400_000);
const LAST_VISIT = daysAgo(10);

function input(overrides: Partial<FollowUpInput> = {}): FollowUpInput {
  return {
    now: NOW,
    lastVisitAt: LAST_VISIT,
    lastTreatmentChangeAt: null,
    control: { category: 'ELEVATED', atTarget: true },
    controlledSince: daysAgo(200),
    alerts: [],
    ...overrides,
  };
}
const alertAt = (condition: AlertCondition, raisedAt: Date) => ({ condition, raisedAt });

describe('planFollowUp', () => {
  it.each`
    name                                               | overrides                                                                                                          | reason                         | dueAt                                   | latestAt
    ${'after a change: 4 weeks from the change'}       | ${{ lastTreatmentChangeAt: daysAgo(3), control: { category: 'STAGE_1', atTarget: false } }}                        | ${'AFTER_CHANGE'}              | ${daysAfter(daysAgo(3), 28)}            | ${daysAfter(daysAgo(3), 28)}
    ${'after a change while stage 2: 2 weeks'}         | ${{ lastTreatmentChangeAt: daysAgo(3), control: { category: 'STAGE_2', atTarget: false } }}                        | ${'AFTER_CHANGE'}              | ${daysAfter(daysAgo(3), 14)}            | ${daysAfter(daysAgo(3), 14)}
    ${'after a change, now controlled: still 4 weeks'} | ${{ lastTreatmentChangeAt: daysAgo(3) }}                                                                           | ${'AFTER_CHANGE'}              | ${daysAfter(daysAgo(3), 28)}            | ${daysAfter(daysAgo(3), 28)}
    ${'uncontrolled stage 1: 4 weeks from the visit'}  | ${{ control: { category: 'STAGE_1', atTarget: false } }}                                                           | ${'UNCONTROLLED'}              | ${daysAfter(LAST_VISIT, 28)}            | ${daysAfter(LAST_VISIT, 28)}
    ${'uncontrolled stage 2: 2 weeks'}                 | ${{ control: { category: 'STAGE_2', atTarget: false } }}                                                           | ${'UNCONTROLLED'}              | ${daysAfter(LAST_VISIT, 14)}            | ${daysAfter(LAST_VISIT, 14)}
    ${'no data to judge control: as uncontrolled'}     | ${{ control: null, controlledSince: null }}                                                                        | ${'UNCONTROLLED'}              | ${daysAfter(LAST_VISIT, 28)}            | ${daysAfter(LAST_VISIT, 28)}
    ${'controlled 3 months, no alerts: 3-6 months'}    | ${{ controlledSince: new Date('2025-03-30T09:00:00.000Z') }}                                                       | ${'STABLE'}                    | ${new Date('2025-09-20T09:00:00.000Z')} | ${new Date('2025-12-20T09:00:00.000Z')}
    ${'controlled a day short of 3 months'}            | ${{ controlledSince: new Date('2025-03-31T09:00:00.000Z') }}                                                       | ${'CONTROL_NOT_YET_SUSTAINED'} | ${daysAfter(LAST_VISIT, 28)}            | ${daysAfter(LAST_VISIT, 28)}
    ${'controlled, but an alert in the last 3 months'} | ${{ lastVisitAt: daysAgo(5), alerts: [alertAt('PREGNANCY_ON_ACE_OR_ARB', daysAgo(40))] }}                          | ${'CONTROL_NOT_YET_SUSTAINED'} | ${daysAfter(daysAgo(5), 28)}            | ${daysAfter(daysAgo(5), 28)}
    ${'crisis alert since the visit: brought forward'} | ${{ alerts: [alertAt('HYPERTENSIVE_CRISIS', daysAgo(2))] }}                                                        | ${'ALERT_BROUGHT_FORWARD'}     | ${daysAgo(2)}                           | ${daysAgo(2)}
    ${'hypotension alert: brought forward'}            | ${{ alerts: [alertAt('PERSISTENT_HYPOTENSION', daysAgo(1))] }}                                                     | ${'ALERT_BROUGHT_FORWARD'}     | ${daysAgo(1)}                           | ${daysAgo(1)}
    ${'persistent uncontrolled: brought forward'}      | ${{ control: { category: 'STAGE_1', atTarget: false }, alerts: [alertAt('PERSISTENT_UNCONTROLLED', daysAgo(1))] }} | ${'ALERT_BROUGHT_FORWARD'}     | ${daysAgo(1)}                           | ${daysAgo(1)}
    ${'alert before the last visit was seen there'}    | ${{ lastVisitAt: daysAgo(5), alerts: [alertAt('HYPERTENSIVE_CRISIS', daysAgo(6))] }}                               | ${'CONTROL_NOT_YET_SUSTAINED'} | ${daysAfter(daysAgo(5), 28)}            | ${daysAfter(daysAgo(5), 28)}
    ${'no visit and no change yet: from now'}          | ${{ lastVisitAt: null, control: null, controlledSince: null }}                                                     | ${'UNCONTROLLED'}              | ${daysAfter(NOW, 28)}                   | ${daysAfter(NOW, 28)}
  `(
    '$name',
    ({
      overrides,
      reason,
      dueAt,
      latestAt,
    }: {
      overrides: Partial<FollowUpInput>;
      reason: string;
      dueAt: Date;
      latestAt: Date;
    }) => {
      const plan = planFollowUp(input(overrides), rules);
      expect(plan.reason).toBe(reason);
      expect(plan.dueAt).toEqual(dueAt);
      expect(plan.latestAt).toEqual(latestAt);
    },
  );

  it('names the alert that brought the visit forward (the earliest)', () => {
    const plan = planFollowUp(
      input({
        alerts: [alertAt('PERSISTENT_HYPOTENSION', daysAgo(1)), alertAt('HYPERTENSIVE_CRISIS', daysAgo(3))],
      }),
      rules,
    );
    expect(plan).toEqual({
      reason: 'ALERT_BROUGHT_FORWARD',
      dueAt: daysAgo(3),
      latestAt: daysAgo(3),
      broughtForwardBy: 'HYPERTENSIVE_CRISIS',
    });
  });
});
