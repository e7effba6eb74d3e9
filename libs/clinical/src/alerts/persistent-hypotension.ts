import { BpSession } from '../readings/sessions';
import { ClinicalRules } from '../rules';
import { addHours } from '../time';
import { AlertCandidate } from './alert';

export interface HypotensionFlag {
  readonly code: 'DIASTOLIC_BELOW_THRESHOLD';
  readonly sessionStartedAt: Date;
  readonly meanDbp: number;
}

export interface HypotensionEvaluation {
  readonly alert: AlertCandidate | null;
  /** True with the alert: pending increases for the patient are withheld. */
  readonly withholdIncreases: boolean;
  /** Sessions in the window whose mean SBP is low. */
  readonly lowSessions: readonly BpSession[];
  /** Low diastolic with normal systolic: shown to the clinician, never an alert on its own. */
  readonly clinicianFlags: readonly HypotensionFlag[];
}

export interface HypotensionInput {
  readonly patientId: string;
  /** The patient's sessions (from groupIntoSessions, so decision readings only). */
  readonly sessions: readonly BpSession[];
  readonly now: Date;
}

/**
 * Persistent hypotension: within the window before `now`, at least `minSessions` sessions with
 * a low mean SBP, or one such session with a reported symptom from the rules' list -> HIGH alert,
 * and increases are withheld while it is open.
 */
export function evaluatePersistentHypotension(
  input: HypotensionInput,
  rules: ClinicalRules,
): HypotensionEvaluation {
  const thresholds = rules.hypotensionAlert;
  const windowStart = addHours(input.now, -thresholds.windowHours);
  const inWindow = input.sessions
    .filter(
      (session) =>
        session.patientId === input.patientId &&
        session.startedAt >= windowStart &&
        session.startedAt <= input.now,
    )
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const lowSessions = inWindow.filter((session) => session.meanSbp < thresholds.sessionMeanSbpBelow);
  const symptomCodes = thresholds.symptoms.map((symptom) => symptom.code);
  const symptomatic = lowSessions.find((session) =>
    session.reportedSymptoms.some((symptom) => symptomCodes.includes(symptom)),
  );
  const lowSessionCompletingCount = lowSessions[thresholds.minSessions - 1];
  // The condition is met at the earlier of: the symptomatic session, the session completing the count.
  const decisive = [symptomatic, lowSessionCompletingCount]
    .filter((session): session is BpSession => session !== undefined)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())[0];

  const clinicianFlags: HypotensionFlag[] = inWindow
    .filter(
      (session) =>
        session.meanDbp < thresholds.diastolicFlagBelow && session.meanSbp >= thresholds.sessionMeanSbpBelow,
    )
    .map((session) => ({
      code: 'DIASTOLIC_BELOW_THRESHOLD',
      sessionStartedAt: session.startedAt,
      meanDbp: session.meanDbp,
    }));

  const alert: AlertCandidate | null = decisive
    ? {
        patientId: input.patientId,
        condition: 'PERSISTENT_HYPOTENSION',
        severity: thresholds.severity,
        raisedAt: decisive.startedAt,
        message:
          decisive === symptomatic
            ? `Session mean SBP ${decisive.meanSbp.toFixed(0)} mm[Hg] with reported ${decisive.reportedSymptoms.join(', ').toLowerCase()}`
            : `${lowSessions.length} sessions with mean SBP below ${thresholds.sessionMeanSbpBelow} mm[Hg] within ${thresholds.windowHours} h`,
        evidence: { readingIds: lowSessions.flatMap((session) => session.readingIds) },
        effects: ['NOTIFY_CARE_TEAM', 'WITHHOLD_INCREASES', 'BRING_FOLLOW_UP_FORWARD'],
        rulesVersion: rules.version,
      }
    : null;
  return { alert, withholdIncreases: alert !== null, lowSessions, clinicianFlags };
}
