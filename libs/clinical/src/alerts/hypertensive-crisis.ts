import { classifyReading, isCrisisRange } from '../readings/bp-category';
import { BpReading } from '../readings/reading';
import { countsTowardDecisions } from '../readings/sessions';
import { ClinicalRules } from '../rules';
import { addMinutes } from '../time';
import { BloodPressure, Symptom } from '../vocabulary';
import { AlertCandidate } from './alert';

export type CrisisEpisodeStatus = 'AWAITING_REMEASURE' | 'CONFIRMED' | 'NOT_CONFIRMED' | 'NO_REMEASURE';

/**
 * One crisis episode: it opens with a crisis-range reading; the readings taken from
 * `remeasureFrom` (after the rest) up to `confirmBy` are the re-measure session.
 */
export interface CrisisEpisode {
  readonly triggeringReadingId: string;
  readonly triggeredAt: Date;
  readonly remeasureFrom: Date;
  readonly confirmBy: Date;
  readonly remeasureReadingIds: readonly string[];
  readonly remeasureMean: BloodPressure | null;
  /** Time of the last re-measure reading so far; a confirmation is dated then. */
  readonly remeasureEndedAt: Date | null;
  readonly status: CrisisEpisodeStatus;
}

export interface EmergencyGuidance {
  /** Shown at once: with any of these symptoms, call emergency services. */
  readonly emergencySymptoms: readonly Symptom[];
  readonly message: string;
  /** When to re-measure if there are no symptoms; null once the re-measure is in. */
  readonly remeasureAt: Date | null;
}

export interface CrisisEvaluation {
  readonly episodes: readonly CrisisEpisode[];
  /** Guidance for the patient while the latest episode is open (until its confirmBy). */
  readonly patientGuidance: EmergencyGuidance | null;
  /** One CRITICAL candidate per confirmed or unanswered episode. */
  readonly alerts: readonly AlertCandidate[];
}

export interface CrisisInput {
  readonly patientId: string;
  /** The patient's recent readings; only those that count toward decisions are used. */
  readonly readings: readonly BpReading[];
  readonly now: Date;
}

function meanOf(readings: readonly BpReading[]): BloodPressure | null {
  if (readings.length === 0) return null;
  const sum = readings.reduce(
    (total, reading) => ({ sbp: total.sbp + reading.sbp, dbp: total.dbp + reading.dbp }),
    {
      sbp: 0,
      dbp: 0,
    },
  );
  return { sbp: sum.sbp / readings.length, dbp: sum.dbp / readings.length };
}

function episodeStatus(
  remeasureMean: BloodPressure | null,
  confirmBy: Date,
  now: Date,
  rules: ClinicalRules,
): CrisisEpisodeStatus {
  if (remeasureMean) return isCrisisRange(remeasureMean, rules) ? 'CONFIRMED' : 'NOT_CONFIRMED';
  return now >= confirmBy ? 'NO_REMEASURE' : 'AWAITING_REMEASURE';
}

function findEpisodes(readings: readonly BpReading[], now: Date, rules: ClinicalRules): CrisisEpisode[] {
  const { remeasureAfterMinutes, confirmWithinMinutes } = rules.crisisAlert;
  const episodes: CrisisEpisode[] = [];
  let openUntil: Date | null = null;
  for (const reading of readings) {
    if (openUntil && reading.takenAt <= openUntil) continue;
    if (!classifyReading(reading, rules).crisisRange) continue;
    const remeasureFrom = addMinutes(reading.takenAt, remeasureAfterMinutes);
    const confirmBy = addMinutes(reading.takenAt, confirmWithinMinutes);
    const remeasure = readings.filter(
      (candidate) => candidate.takenAt >= remeasureFrom && candidate.takenAt <= confirmBy,
    );
    const remeasureMean = meanOf(remeasure);
    episodes.push({
      triggeringReadingId: reading.id,
      triggeredAt: reading.takenAt,
      remeasureFrom,
      confirmBy,
      remeasureReadingIds: remeasure.map((candidate) => candidate.id),
      remeasureMean,
      remeasureEndedAt: remeasure[remeasure.length - 1]?.takenAt ?? null,
      status: episodeStatus(remeasureMean, confirmBy, now, rules),
    });
    openUntil = confirmBy;
  }
  return episodes;
}

/**
 * The emergency guidance of one episode: what to do with symptoms, and - while the re-measure is
 * awaited - when to measure again. Exported so a stored episode shows the patient the same words.
 */
export function emergencyGuidanceFor(
  episode: Pick<CrisisEpisode, 'status' | 'remeasureFrom'>,
  rules: ClinicalRules,
): EmergencyGuidance {
  const symptoms = rules.crisisAlert.emergencySymptoms;
  const awaiting = episode.status === 'AWAITING_REMEASURE';
  const symptomList = symptoms.map((symptom) => symptom.label).join(', ');
  return {
    emergencySymptoms: symptoms,
    message:
      `Your blood pressure is very high. If you have ${symptomList}, call emergency services now.` +
      (awaiting
        ? ` If you feel well, sit and rest, then measure again in ${rules.crisisAlert.remeasureAfterMinutes} minutes.`
        : ''),
    remeasureAt: awaiting ? episode.remeasureFrom : null,
  };
}

function alertFor(episode: CrisisEpisode, patientId: string, rules: ClinicalRules): AlertCandidate | null {
  const base = {
    patientId,
    condition: 'HYPERTENSIVE_CRISIS',
    severity: rules.crisisAlert.severity,
    evidence: { readingIds: [episode.triggeringReadingId, ...episode.remeasureReadingIds] },
    effects: ['NOTIFY_CARE_TEAM', 'ESCALATE_IF_UNACKNOWLEDGED', 'BRING_FOLLOW_UP_FORWARD'],
    rulesVersion: rules.version,
  } as const;
  const mean = episode.remeasureMean;
  if (episode.status === 'CONFIRMED' && mean && episode.remeasureEndedAt) {
    return {
      ...base,
      raisedAt: episode.remeasureEndedAt,
      message: `Hypertensive crisis confirmed: re-measure mean ${mean.sbp.toFixed(0)}/${mean.dbp.toFixed(0)} mm[Hg]`,
    };
  }
  if (episode.status === 'NO_REMEASURE') {
    return {
      ...base,
      raisedAt: episode.confirmBy,
      message: `Crisis-range reading with no re-measure within ${rules.crisisAlert.confirmWithinMinutes} minutes`,
    };
  }
  return null;
}

/**
 * Hypertensive crisis rule. A crisis-range reading opens an episode and shows the patient the
 * emergency guidance at once. The readings taken after the rest (from remeasureAfterMinutes up
 * to confirmWithinMinutes after it) are the re-measure session: a crisis-range mean confirms
 * (CRITICAL); no re-measure by confirmWithinMinutes is treated like a confirmation (CRITICAL);
 * a mean below crisis range closes the episode without an alert. Readings taken during the rest
 * belong to the first measurement, not to the re-measure.
 */
export function evaluateHypertensiveCrisis(input: CrisisInput, rules: ClinicalRules): CrisisEvaluation {
  const readings = input.readings
    .filter(
      (reading) =>
        reading.patientId === input.patientId &&
        reading.takenAt <= input.now &&
        countsTowardDecisions(reading, rules),
    )
    .sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime() || a.id.localeCompare(b.id));
  const episodes = findEpisodes(readings, input.now, rules);
  const latest = episodes[episodes.length - 1];
  return {
    episodes,
    patientGuidance: latest && input.now <= latest.confirmBy ? emergencyGuidanceFor(latest, rules) : null,
    alerts: episodes.flatMap((episode) => alertFor(episode, input.patientId, rules) ?? []),
  };
}
