import { ClinicalRules } from '../rules';
import { addMinutes } from '../time';
import { SymptomCode } from '../vocabulary';
import { checkBpPlausibility } from './plausibility';
import { BpReading } from './reading';

export type DecisionExclusionReason =
  'ENTERED_IN_ERROR' | 'IMPLAUSIBLE' | 'NOT_A_DECISION_DEVICE' | 'DEVICE_NOT_VALIDATED';

/**
 * Why a reading does not count toward decisions, or null when it does. Wrist and cuffless
 * readings are supporting data only (ESH 2022); so are unvalidated cuffs.
 */
export function decisionExclusionReason(
  reading: BpReading,
  rules: ClinicalRules,
): DecisionExclusionReason | null {
  if (reading.enteredInError === true) return 'ENTERED_IN_ERROR';
  if (!checkBpPlausibility(reading, rules).plausible) return 'IMPLAUSIBLE';
  if (!rules.decisionDevices.deviceKinds.includes(reading.device.kind)) return 'NOT_A_DECISION_DEVICE';
  if (rules.decisionDevices.requireValidatedDevice && !reading.device.validated)
    return 'DEVICE_NOT_VALIDATED';
  return null;
}

export function countsTowardDecisions(reading: BpReading, rules: ClinicalRules): boolean {
  return decisionExclusionReason(reading, rules) === null;
}

export interface BpSession {
  readonly patientId: string;
  /** Time of the first reading; summaries place the session at this instant. */
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly readingIds: readonly string[];
  readonly meanSbp: number;
  readonly meanDbp: number;
  readonly meanHeartRate: number | null;
  readonly reportedSymptoms: readonly SymptomCode[];
}

export interface SessionGrouping {
  readonly sessions: readonly BpSession[];
  readonly excluded: readonly { readonly readingId: string; readonly reason: DecisionExclusionReason }[];
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function toSession(opener: BpReading, readings: readonly BpReading[]): BpSession {
  const last = readings[readings.length - 1] ?? opener;
  const heartRates = readings.flatMap((reading) =>
    reading.heartRate === undefined || reading.heartRate === null ? [] : [reading.heartRate],
  );
  const symptoms = new Set(readings.flatMap((reading) => reading.reportedSymptoms ?? []));
  return {
    patientId: opener.patientId,
    startedAt: opener.takenAt,
    endedAt: last.takenAt,
    readingIds: readings.map((reading) => reading.id),
    meanSbp: mean(readings.map((reading) => reading.sbp)),
    meanDbp: mean(readings.map((reading) => reading.dbp)),
    meanHeartRate: heartRates.length > 0 ? mean(heartRates) : null,
    reportedSymptoms: [...symptoms].sort(),
  };
}

function byTimeThenId(a: BpReading, b: BpReading): number {
  return a.takenAt.getTime() - b.takenAt.getTime() || a.id.localeCompare(b.id);
}

/**
 * Groups the readings that count toward decisions into sessions, per patient. A session opens
 * with a reading and takes every later reading of the same patient taken within the window of
 * that first reading (inclusive). The window is anchored on the first reading, not chained
 * reading to reading, so a patient measuring every few minutes does not make one endless session.
 * The result does not depend on the order of the input.
 */
export function groupIntoSessions(readings: readonly BpReading[], rules: ClinicalRules): SessionGrouping {
  const excluded: { readingId: string; reason: DecisionExclusionReason }[] = [];
  const countingByPatient = new Map<string, BpReading[]>();
  for (const reading of [...readings].sort(byTimeThenId)) {
    const reason = decisionExclusionReason(reading, rules);
    if (reason) {
      excluded.push({ readingId: reading.id, reason });
      continue;
    }
    const patientReadings = countingByPatient.get(reading.patientId) ?? [];
    patientReadings.push(reading);
    countingByPatient.set(reading.patientId, patientReadings);
  }

  const sessions: BpSession[] = [];
  for (const patientReadings of countingByPatient.values()) {
    let opener: BpReading | null = null;
    let members: BpReading[] = [];
    for (const reading of patientReadings) {
      if (opener && reading.takenAt > addMinutes(opener.takenAt, rules.sessions.windowMinutes)) {
        sessions.push(toSession(opener, members));
        opener = null;
      }
      if (!opener) {
        opener = reading;
        members = [];
      }
      members.push(reading);
    }
    if (opener) sessions.push(toSession(opener, members));
  }
  sessions.sort(
    (a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.patientId.localeCompare(b.patientId),
  );
  return { sessions, excluded };
}
