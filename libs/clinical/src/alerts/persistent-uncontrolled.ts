import { isAtTarget } from '../readings/bp-category';
import { BpSession } from '../readings/sessions';
import { ClinicalRules } from '../rules';
import { addDays } from '../time';
import { BloodPressure } from '../vocabulary';
import { AlertCandidate } from './alert';

export interface WeekJudgement {
  /** Exclusive start and inclusive end: (from, to]. */
  readonly from: Date;
  readonly to: Date;
  readonly sessionCount: number;
  readonly mean: BloodPressure | null;
  /** Null without sessions: a week without data is neither controlled nor uncontrolled. */
  readonly atTarget: boolean | null;
}

export interface UncontrolledEvaluation {
  readonly alert: AlertCandidate | null;
  /** Most recent week first. */
  readonly weeks: readonly WeekJudgement[];
}

export interface UncontrolledInput {
  readonly patientId: string;
  readonly sessions: readonly BpSession[];
  readonly now: Date;
  /** The patient's home target (signed bounds, or the rules' default). */
  readonly target: BloodPressure;
  /** Last regimen change; weeks that began before it do not count. Null if never adjusted. */
  readonly lastAdjustmentAt: Date | null;
}

function judgeWeek(
  sessions: readonly BpSession[],
  from: Date,
  to: Date,
  target: BloodPressure,
): WeekJudgement {
  const inWeek = sessions.filter((session) => session.startedAt > from && session.startedAt <= to);
  if (inWeek.length === 0) return { from, to, sessionCount: 0, mean: null, atTarget: null };
  const mean = {
    sbp: inWeek.reduce((sum, session) => sum + session.meanSbp, 0) / inWeek.length,
    dbp: inWeek.reduce((sum, session) => sum + session.meanDbp, 0) / inWeek.length,
  };
  return { from, to, sessionCount: inWeek.length, mean, atTarget: isAtTarget(mean, target) };
}

/**
 * Persistent uncontrolled: the home mean of each of the last `consecutiveWeeks` weeks (ending at
 * `now`, all after the last adjustment) is above target -> the follow-up is brought forward.
 */
export function evaluatePersistentUncontrolled(
  input: UncontrolledInput,
  rules: ClinicalRules,
): UncontrolledEvaluation {
  const { weekDays, consecutiveWeeks, severity } = rules.uncontrolledAlert;
  const sessions = input.sessions.filter((session) => session.patientId === input.patientId);
  const weeks = Array.from({ length: consecutiveWeeks }, (_, index) =>
    judgeWeek(
      sessions,
      addDays(input.now, -weekDays * (index + 1)),
      addDays(input.now, -weekDays * index),
      input.target,
    ),
  );
  const oldestWeekStart = addDays(input.now, -weekDays * consecutiveWeeks);
  const allAfterAdjustment = input.lastAdjustmentAt === null || oldestWeekStart >= input.lastAdjustmentAt;
  const allAboveTarget = weeks.every((week) => week.atTarget === false);
  if (!allAfterAdjustment || !allAboveTarget) return { alert: null, weeks };
  return {
    weeks,
    alert: {
      patientId: input.patientId,
      condition: 'PERSISTENT_UNCONTROLLED',
      severity,
      raisedAt: input.now,
      message: `Home mean above target ${input.target.sbp}/${input.target.dbp} for ${consecutiveWeeks} consecutive weeks: ${weeks
        .flatMap((week) => (week.mean ? [`${week.mean.sbp.toFixed(0)}/${week.mean.dbp.toFixed(0)}`] : []))
        .join(', ')}`,
      evidence: {
        readingIds: sessions
          .filter((session) => session.startedAt > oldestWeekStart && session.startedAt <= input.now)
          .flatMap((session) => session.readingIds),
      },
      effects: ['BRING_FOLLOW_UP_FORWARD'],
      rulesVersion: rules.version,
    },
  };
}
