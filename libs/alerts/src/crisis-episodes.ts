import type { EntityManager } from 'typeorm';
import type { AlertCandidate, CrisisEpisode, CrisisEpisodeStatus } from '@clinloop/clinical';
import type { AlertsService, RaiseOutcome } from './alerts.service';

/** A crisis episode as stored: WITHDRAWN when its triggering reading no longer opens an episode (entered in error, re-ordered by a late reading). */
export type StoredCrisisEpisodeStatus = CrisisEpisodeStatus | 'WITHDRAWN';

export interface StoredCrisisEpisode {
  readonly episodeKey: string;
  readonly patientId: string;
  readonly openedAt: Date;
  readonly remeasureFrom: Date;
  readonly dueAt: Date;
  readonly status: StoredCrisisEpisodeStatus;
  readonly remeasureCount: number;
  readonly decidedAt: Date | null;
  readonly alertId: string | null;
}

/** What a rule evaluation says about one episode now: the pure rule's episode and, when it calls for one, its alert. */
export type ObservedCrisisEpisode =
  | { readonly patientId: string; readonly episode: CrisisEpisode; readonly candidate: AlertCandidate | null }
  | { readonly patientId: string; readonly withdrawn: StoredCrisisEpisode };

export interface SettledEpisode {
  readonly episodeKey: string;
  readonly patientId: string;
  readonly status: StoredCrisisEpisodeStatus;
  readonly raised: RaiseOutcome['action'] | null;
  readonly alertId: string | null;
}

const CONDITION = 'HYPERTENSIVE_CRISIS';

interface EpisodeRow {
  episode_key: string;
  patient_id: string;
  opened_at: Date;
  remeasure_from: Date;
  due_at: Date;
  status: StoredCrisisEpisodeStatus;
  remeasure_count: number;
  decided_at: Date | null;
  alert_id: string | null;
}

function fromRow(row: EpisodeRow): StoredCrisisEpisode {
  return {
    episodeKey: row.episode_key,
    patientId: row.patient_id,
    openedAt: new Date(row.opened_at),
    remeasureFrom: new Date(row.remeasure_from),
    dueAt: new Date(row.due_at),
    status: row.status,
    remeasureCount: row.remeasure_count,
    decidedAt: row.decided_at ? new Date(row.decided_at) : null,
    alertId: row.alert_id,
  };
}

const COLUMNS = `episode_key, patient_id::text AS patient_id, opened_at, remeasure_from, due_at, status, remeasure_count, decided_at, alert_id::text AS alert_id`;

/**
 * Hypertensive-crisis episodes as records, keyed by the triggering reading: an episode is decided once
 * (confirmed, not confirmed, no re-measure by its due time, or withdrawn) and a decision that calls for
 * an alert raises it then and only then - so an episode raises at most one alert, however often
 * ingestion or the sweep looks at it, and even after that alert was acknowledged or resolved.
 */
export class CrisisEpisodes {
  constructor(private readonly alerts: AlertsService) {}

  /**
   * Records what the rule says about each episode (new ones inserted, undecided ones updated) and
   * decides those whose outcome is final at `now`, in one statement; then raises the alerts of the
   * episodes this call decided. Runs in the caller's transaction (ingestion batch or sweep round).
   */
  async settle(manager: EntityManager, observed: readonly ObservedCrisisEpisode[], now: Date): Promise<SettledEpisode[]> {
    if (observed.length === 0) return [];
    const rows = [...observed]
      .map((item) => {
        if ('withdrawn' in item) return { ...item.withdrawn, status: 'WITHDRAWN' as StoredCrisisEpisodeStatus, remeasureCount: 0, final: true, candidate: null };
        const { episode } = item;
        const status = episode.status;
        // A re-measure below crisis range may still be outweighed by later readings until the episode is due.
        const final = status === 'CONFIRMED' || status === 'NO_REMEASURE' || (status === 'NOT_CONFIRMED' && now >= episode.confirmBy);
        return {
          episodeKey: episode.triggeringReadingId,
          patientId: item.patientId,
          openedAt: episode.triggeredAt,
          remeasureFrom: episode.remeasureFrom,
          dueAt: episode.confirmBy,
          status: status as StoredCrisisEpisodeStatus,
          remeasureCount: episode.remeasureReadingIds.length,
          final,
          candidate: item.candidate,
        };
      })
      .sort((a, b) => a.episodeKey.localeCompare(b.episodeKey));
    const column = <T>(pick: (row: (typeof rows)[number]) => T): T[] => rows.map(pick);
    // Only rows inserted or updated here come back, i.e. episodes that were undecided before this statement.
    const changed = await manager.query<{ episode_key: string; status: StoredCrisisEpisodeStatus; decided_at: Date | null }[]>(
      `INSERT INTO alert_episodes AS e (condition, episode_key, patient_id, opened_at, remeasure_from, due_at, status, remeasure_count, decided_at)
       SELECT $1, key, patient, opened, remeasure_from, due, status, remeasure_count, CASE WHEN final THEN $10::timestamptz END
         FROM unnest($2::text[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::integer[], $9::boolean[])
              AS u(key, patient, opened, remeasure_from, due, status, remeasure_count, final)
       ON CONFLICT (condition, episode_key) DO UPDATE SET status = excluded.status, remeasure_count = excluded.remeasure_count, decided_at = excluded.decided_at
        WHERE e.decided_at IS NULL
       RETURNING e.episode_key, e.status, e.decided_at`,
      [
        CONDITION,
        column((row) => row.episodeKey),
        column((row) => row.patientId),
        column((row) => row.openedAt.toISOString()),
        column((row) => row.remeasureFrom.toISOString()),
        column((row) => row.dueAt.toISOString()),
        column((row) => row.status),
        column((row) => row.remeasureCount),
        column((row) => row.final),
        now.toISOString(),
      ],
    );
    const decidedNow = new Set(changed.filter((row) => row.decided_at !== null).map((row) => row.episode_key));
    const settled: SettledEpisode[] = [];
    for (const row of rows) {
      if (!decidedNow.has(row.episodeKey) || row.candidate === null) {
        settled.push({ episodeKey: row.episodeKey, patientId: row.patientId, status: row.status, raised: null, alertId: null });
        continue;
      }
      const outcome = await this.alerts.raise(manager, row.candidate);
      await manager.query(`UPDATE alert_episodes SET alert_id = $3 WHERE condition = $1 AND episode_key = $2`, [CONDITION, row.episodeKey, outcome.alert.id]);
      settled.push({ episodeKey: row.episodeKey, patientId: row.patientId, status: row.status, raised: outcome.action, alertId: outcome.alert.id });
    }
    return settled;
  }

  /** Undecided episodes whose re-measure window has closed, locked for this round (SKIP LOCKED: one sweeper per episode). */
  async due(manager: EntityManager, now: Date, limit: number): Promise<StoredCrisisEpisode[]> {
    const rows = await manager.query<EpisodeRow[]>(
      `SELECT ${COLUMNS} FROM alert_episodes
        WHERE condition = $1 AND decided_at IS NULL AND due_at <= $2
        ORDER BY due_at, episode_key LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [CONDITION, now.toISOString(), limit],
    );
    return rows.map(fromRow);
  }

  /** Of the given patients, those with an undecided episode: a new reading of theirs may be its re-measure. */
  async patientsAwaitingRemeasure(manager: EntityManager, patientIds: readonly string[]): Promise<Set<string>> {
    if (patientIds.length === 0) return new Set();
    const rows = await manager.query<{ patient_id: string }[]>(
      `SELECT DISTINCT patient_id::text AS patient_id FROM alert_episodes WHERE condition = $1 AND decided_at IS NULL AND patient_id = ANY($2::uuid[])`,
      [CONDITION, patientIds],
    );
    return new Set(rows.map((row) => row.patient_id));
  }

  /** The patient's latest episode that was not withdrawn. */
  async latest(manager: EntityManager, patientId: string): Promise<StoredCrisisEpisode | null> {
    const [row] = await manager.query<EpisodeRow[]>(
      `SELECT ${COLUMNS} FROM alert_episodes WHERE condition = $1 AND patient_id = $2 AND status <> 'WITHDRAWN' ORDER BY opened_at DESC, episode_key DESC LIMIT 1`,
      [CONDITION, patientId],
    );
    return row ? fromRow(row) : null;
  }
}
