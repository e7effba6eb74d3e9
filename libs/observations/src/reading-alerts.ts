import type { EntityManager } from 'typeorm';
import { AlertsService, type CrisisEpisodes, type ObservedCrisisEpisode, type RaiseOutcome, type SettledEpisode, type StoredCrisisEpisode } from '@clinloop/alerts';
import {
  DEFAULT_RULES,
  evaluateHypertensiveCrisis,
  evaluatePersistentHypotension,
  groupIntoSessions,
  isCrisisRange,
  type AlertCandidate,
  type BpReading,
  type ClinicalRules,
} from '@clinloop/clinical';
import type { ValidReading } from './reading';

/** A row the ingest INSERT returned (see ObservationIngestService.store). */
export interface InsertedReading {
  readonly id: string;
  readonly patientId: string;
  readonly measuredAt: Date;
  readonly countsTowardDecisions: boolean;
}

export interface ReadingAlertsOutcome {
  /** Patients whose recent readings were loaded and evaluated. */
  readonly patientsEvaluated: number;
  readonly crisisEpisodes: readonly SettledEpisode[];
  readonly hypotension: readonly { readonly patientId: string; readonly action: RaiseOutcome['action'] }[];
}

const NOTHING: ReadingAlertsOutcome = { patientsEvaluated: 0, crisisEpisodes: [], hypotension: [] };
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The alert rules on newly stored readings, in the ingest transaction (crisis with its re-measure
 * episode, persistent hypotension), and the sweep that decides crisis episodes nobody re-measured.
 *
 * Cheap for big batches: nothing is read unless a patient's inserted readings fall in the rules' window
 * (the last 48 h) and either a reading of theirs in the batch is crisis-range or low, or they have a
 * crisis episode awaiting its re-measure; then one query loads the window for all of those patients.
 * Everything keys off the rows the INSERT returned, so a replayed batch raises nothing.
 */
export class ReadingAlerts {
  private readonly episodes: CrisisEpisodes;

  constructor(
    private readonly alerts: AlertsService,
    private readonly rules: ClinicalRules = DEFAULT_RULES,
  ) {
    this.episodes = alerts.crisisEpisodes;
  }

  /** How far back the rules look from `now`: the hypotension window (48 h) and one crisis re-measure window before it. */
  private get lookbackMs(): number {
    return this.rules.hypotensionAlert.windowHours * HOUR_MS + this.rules.crisisAlert.confirmWithinMinutes * MINUTE_MS;
  }

  async onStored(manager: EntityManager, inserted: readonly InsertedReading[], batch: readonly ValidReading[], now: Date): Promise<ReadingAlertsOutcome> {
    const windowStart = new Date(now.getTime() - this.rules.hypotensionAlert.windowHours * HOUR_MS);
    const recent = inserted.filter((row) => row.countsTowardDecisions && row.measuredAt >= windowStart);
    if (recent.length === 0) return NOTHING;
    const insertedPatients = new Set(recent.map((row) => row.patientId));
    // A batch reading can only matter if it is crisis-range or low, or may be the re-measure of an open episode.
    const byValue = new Set(
      batch
        .filter((reading) => reading.countsTowardDecisions && reading.sbp !== null && reading.dbp !== null && insertedPatients.has(reading.claim.patientId))
        .filter((reading) => isCrisisRange({ sbp: reading.sbp ?? 0, dbp: reading.dbp ?? 0 }, this.rules) || (reading.sbp ?? 0) < this.rules.hypotensionAlert.sessionMeanSbpBelow)
        .map((reading) => reading.claim.patientId),
    );
    const awaiting = await this.episodes.patientsAwaitingRemeasure(manager, [...insertedPatients].filter((patientId) => !byValue.has(patientId)).sort());
    const patients = [...new Set([...byValue, ...awaiting])].sort();
    if (patients.length === 0) return NOTHING;

    const latestInserted = Math.max(...recent.map((row) => row.measuredAt.getTime()));
    // A reading inside the allowed clock skew is a little ahead of `now`; evaluate as of the latest one.
    const evaluatedAt = new Date(Math.max(now.getTime(), latestInserted));
    const readings = await loadDecisionReadings(manager, patients, new Date(now.getTime() - this.lookbackMs), evaluatedAt);
    const insertedIds = new Set(recent.map((row) => row.id));

    const observed: ObservedCrisisEpisode[] = [];
    const hypotensionCandidates: AlertCandidate[] = [];
    for (const patientId of patients) {
      const own = readings.get(patientId) ?? [];
      const crisis = evaluateHypertensiveCrisis({ patientId, readings: own, now: evaluatedAt }, this.rules);
      for (const episode of crisis.episodes) {
        const touched = insertedIds.has(episode.triggeringReadingId) || episode.remeasureReadingIds.some((id) => insertedIds.has(id));
        if (!touched || episode.triggeredAt < windowStart) continue;
        observed.push({ patientId, episode, candidate: crisis.alerts.find((alert) => alert.evidence.readingIds[0] === episode.triggeringReadingId) ?? null });
      }
      const hypotension = evaluatePersistentHypotension({ patientId, sessions: groupIntoSessions(own, this.rules).sessions, now: evaluatedAt }, this.rules);
      // Only a new low reading raises it: old evidence alone (an alert resolved since) raises nothing again.
      if (hypotension.alert && hypotension.alert.evidence.readingIds.some((id) => insertedIds.has(id))) hypotensionCandidates.push(hypotension.alert);
    }
    const crisisEpisodes = await this.episodes.settle(manager, observed, now);
    const hypotension: { patientId: string; action: RaiseOutcome['action'] }[] = [];
    for (const candidate of hypotensionCandidates) {
      const outcome = await this.alerts.raise(manager, candidate);
      hypotension.push({ patientId: candidate.patientId, action: outcome.action });
    }
    return { patientsEvaluated: patients.length, crisisEpisodes, hypotension };
  }

  /**
   * Decides the crisis episodes whose re-measure window has closed: confirmed or unanswered -> one
   * CRITICAL alert each; a re-measure below crisis range closes it quietly. Each episode is judged on
   * its own readings (trigger to due time), as the rule defines it. Run it in one transaction per round.
   */
  async sweepDueCrisisEpisodes(manager: EntityManager, now: Date, limit = 200): Promise<SettledEpisode[]> {
    const due = await this.episodes.due(manager, now, limit);
    if (due.length === 0) return [];
    const from = new Date(Math.min(...due.map((episode) => episode.openedAt.getTime())));
    const to = new Date(Math.max(...due.map((episode) => episode.dueAt.getTime())));
    const readings = await loadDecisionReadings(manager, [...new Set(due.map((episode) => episode.patientId))].sort(), from, to);
    const observed = due.map((stored): ObservedCrisisEpisode => this.judgeAlone(stored, readings.get(stored.patientId) ?? [], now));
    return this.episodes.settle(manager, observed, now);
  }

  private judgeAlone(stored: StoredCrisisEpisode, patientReadings: readonly BpReading[], now: Date): ObservedCrisisEpisode {
    const own = patientReadings.filter((reading) => reading.takenAt >= stored.openedAt && reading.takenAt <= stored.dueAt);
    const evaluation = evaluateHypertensiveCrisis({ patientId: stored.patientId, readings: own, now }, this.rules);
    const episode = evaluation.episodes[0];
    // The triggering reading was marked entered in error, or no longer opens the episode.
    if (!episode || episode.triggeringReadingId !== stored.episodeKey) return { patientId: stored.patientId, withdrawn: stored };
    return { patientId: stored.patientId, episode, candidate: evaluation.alerts.find((alert) => alert.evidence.readingIds[0] === episode.triggeringReadingId) ?? null };
  }
}

/**
 * The decision readings (validated upper-arm cuffs and counted manual entries, not entered in error) of
 * the given patients between two instants, per patient - one query for all of them.
 */
export async function loadDecisionReadings(manager: EntityManager, patientIds: readonly string[], from: Date, to: Date): Promise<Map<string, BpReading[]>> {
  const rows = await manager.query<{ id: string; patient_id: string; measured_at: Date; sbp: number; dbp: number; heart_rate: number | null }[]>(
    `SELECT o.id::text AS id, o.patient_id::text AS patient_id, o.measured_at, o.sbp, o.dbp, o.heart_rate
       FROM observations o
      WHERE o.patient_id = ANY($1::uuid[]) AND o.measured_at >= $2 AND o.measured_at <= $3
        AND o.counts_toward_decisions AND o.sbp IS NOT NULL AND o.dbp IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM observation_corrections c WHERE c.observation_id = o.id AND c.kind = 'entered_in_error')
      ORDER BY o.patient_id, o.measured_at, o.id`,
    [patientIds, from.toISOString(), to.toISOString()],
  );
  const byPatient = new Map<string, BpReading[]>();
  for (const row of rows) {
    const list = byPatient.get(row.patient_id) ?? [];
    list.push({
      id: row.id,
      patientId: row.patient_id,
      takenAt: new Date(row.measured_at),
      sbp: row.sbp,
      dbp: row.dbp,
      heartRate: row.heart_rate,
      // Ingest already decided this reading counts (validated cuff, or a counted manual entry); say so to the rules.
      device: { kind: 'UPPER_ARM_CUFF', validated: true },
    });
    byPatient.set(row.patient_id, list);
  }
  return byPatient;
}
