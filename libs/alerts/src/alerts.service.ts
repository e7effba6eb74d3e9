import { In, IsNull, type EntityManager } from 'typeorm';
import type { AuditActor, AuditEntryInput, JsonObject } from '@clinloop/audit';
import type { AuditAppender, Clock } from '@clinloop/auth';
import { auditActorFor } from '@clinloop/auth';
import { AuthzError, AuthzErrorCode, defineAbilityFor, type PatientRecordSubject, type UserPrincipal } from '@clinloop/authz';
import {
  ALERT_SEVERITIES,
  decideAlertNotification,
  decideEscalation,
  DEFAULT_RULES,
  emergencyGuidanceFor,
  type AlertCandidate,
  type ClinicalRules,
  type EmergencyGuidance,
  type OpenAlertSummary,
} from '@clinloop/clinical';
import { AlertEntity } from './alert.entity';
import { queueAlertNotifications } from './alert-notification-outbox';
import { CrisisEpisodes, type StoredCrisisEpisode } from './crisis-episodes';
import { AlertsError, AlertsErrorCode } from './errors';

/** The component named as actor of what the system does on its own (raising, escalating). */
export const ALERTS_ACTOR: AuditActor = { type: 'system', component: 'alerts' };

export type RaiseOutcome =
  | { readonly action: 'CREATED'; readonly alert: AlertEntity }
  | { readonly action: 'SUPPRESSED'; readonly alert: AlertEntity }
  | { readonly action: 'RENOTIFIED'; readonly alert: AlertEntity };

export type EscalationOutcome = { readonly alertId: string; readonly action: 'ESCALATED'; readonly toMemberId: string } | { readonly alertId: string; readonly action: 'CARE_TEAM_EXHAUSTED' };

/** One line of a clinician's alert queue. */
export interface AlertQueueEntry {
  readonly alert: AlertEntity;
  readonly patientName: string;
  readonly careTeamIds: readonly string[];
}

/** What the patient is shown while a crisis episode is open. */
export interface CrisisGuidance {
  readonly episode: StoredCrisisEpisode;
  readonly guidance: EmergencyGuidance;
}

/** Longest resolution reason kept (it goes into the audit trail). */
export const MAX_RESOLUTION_REASON_LENGTH = 2000;

interface PatientRow {
  readonly organizationId: string;
  readonly careTeamIds: readonly string[];
  /** Members of the patient's care teams in escalation order (team order, then member order), each once. */
  readonly escalationOrder: readonly string[];
}

/**
 * Alerts as records: raised from the pure rules' candidates (de-duplicated per patient and condition
 * while open - a worse severity re-notifies), acknowledged and resolved by a clinician of the patient's
 * care team, escalated to the next care-team member when a CRITICAL alert is not acknowledged in time
 * (the scheduled job calls escalateDue with its clock). Every change is audited in the caller's
 * transaction; notifications are queued in it too (alert_notifications) and delivered after commit.
 */
export class AlertsService {
  readonly crisisEpisodes: CrisisEpisodes;

  constructor(
    private readonly audit: AuditAppender,
    private readonly clock: Clock,
    private readonly rules: ClinicalRules = DEFAULT_RULES,
  ) {
    this.crisisEpisodes = new CrisisEpisodes(this);
  }

  async raise(manager: EntityManager, candidate: AlertCandidate): Promise<RaiseOutcome> {
    const patient = await this.lockPatient(manager, candidate.patientId);
    const openAlerts = await manager.find(AlertEntity, { where: { patientId: candidate.patientId, condition: candidate.condition, resolvedAt: IsNull() } });
    const decision = decideAlertNotification(candidate, openAlerts);
    const now = this.clock.now();
    if (decision.action === 'SUPPRESS') {
      const existing = openAlerts.find((alert) => alert.id === decision.existingAlertId) as AlertEntity;
      await this.record(manager, ALERTS_ACTOR, 'alert.suppress', existing, `open alert already covers ${candidate.severity}`, { severity: candidate.severity });
      return { action: 'SUPPRESSED', alert: existing };
    }
    if (decision.action === 'RENOTIFY') {
      const existing = openAlerts.find((alert) => alert.id === decision.existingAlertId) as AlertEntity;
      existing.severity = decision.severity;
      existing.message = candidate.message;
      existing.lastNotifiedAt = now;
      // A worse severity needs a fresh acknowledgment.
      existing.acknowledgedAt = null;
      existing.acknowledgedBy = null;
      const saved = await manager.save(existing);
      await queueAlertNotifications(manager, saved, 'WORSENED', saved.notifiedMemberIds.length > 0 ? saved.notifiedMemberIds : patient.escalationOrder.slice(0, 1), now);
      await this.record(manager, ALERTS_ACTOR, 'alert.renotify', saved, `${decision.previousSeverity} -> ${decision.severity}`, { previousSeverity: decision.previousSeverity, severity: decision.severity });
      return { action: 'RENOTIFIED', alert: saved };
    }
    const first = patient.escalationOrder[0];
    const saved = await manager.save(
      manager.create(AlertEntity, {
        organizationId: patient.organizationId,
        patientId: candidate.patientId,
        condition: candidate.condition,
        severity: candidate.severity,
        message: candidate.message,
        rulesVersion: candidate.rulesVersion,
        raisedAt: candidate.raisedAt,
        notifiedMemberIds: first === undefined ? [] : [first],
        lastNotifiedAt: now,
        acknowledgedAt: null,
        acknowledgedBy: null,
        careTeamExhaustedAt: null,
        resolvedAt: null,
        resolvedBy: null,
        resolutionReason: null,
      }),
    );
    await queueAlertNotifications(manager, saved, 'RAISED', saved.notifiedMemberIds, now);
    await this.record(manager, ALERTS_ACTOR, 'alert.raise', saved, candidate.severity, { severity: candidate.severity, notified: saved.notifiedMemberIds, readingIds: [...candidate.evidence.readingIds] });
    return { action: 'CREATED', alert: saved };
  }

  /** @throws AlertsError NOT_FOUND (not visible to the clinician) / ALREADY_RESOLVED; AuthzError when not on the patient's care team */
  async acknowledge(manager: EntityManager, clinician: UserPrincipal, alertId: string, requestId: string | null = null): Promise<AlertEntity> {
    const alert = await this.lockForUpdate(manager, clinician, alertId, 'acknowledge');
    if (alert.resolvedAt) throw new AlertsError(AlertsErrorCode.ALREADY_RESOLVED, 'This alert is already resolved.');
    if (alert.acknowledgedAt) return alert;
    alert.acknowledgedAt = this.clock.now();
    alert.acknowledgedBy = clinician.userId;
    const saved = await manager.save(alert);
    await this.record(manager, auditActorFor(clinician), 'alert.acknowledge', saved, null, { severity: saved.severity }, requestId);
    return saved;
  }

  /**
   * Resolves an open alert with a reason (a clinician of the patient's care team): it stops escalating,
   * and the patient's next alert of that condition is a new one.
   * @throws AlertsError NOT_FOUND / ALREADY_RESOLVED / REASON_REQUIRED; AuthzError when not on the patient's care team
   */
  async resolve(manager: EntityManager, clinician: UserPrincipal, alertId: string, reason: string, requestId: string | null = null): Promise<AlertEntity> {
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_RESOLUTION_REASON_LENGTH) {
      throw new AlertsError(AlertsErrorCode.REASON_REQUIRED, `Give a reason for resolving the alert (1 to ${MAX_RESOLUTION_REASON_LENGTH} characters).`);
    }
    const alert = await this.lockForUpdate(manager, clinician, alertId, 'resolve');
    if (alert.resolvedAt) throw new AlertsError(AlertsErrorCode.ALREADY_RESOLVED, 'This alert is already resolved.');
    alert.resolvedAt = this.clock.now();
    alert.resolvedBy = clinician.userId;
    alert.resolutionReason = trimmed;
    const saved = await manager.save(alert);
    await this.record(manager, auditActorFor(clinician), 'alert.resolve', saved, trimmed, { severity: saved.severity, acknowledged: saved.acknowledgedAt !== null }, requestId);
    return saved;
  }

  /**
   * Open alerts of the patients of the clinician's care teams: worst severity first (CRITICAL first), then
   * oldest first; with the patient's name and care teams (for the row-level check).
   */
  async queueFor(manager: EntityManager, clinician: UserPrincipal, limit: number): Promise<AlertQueueEntry[]> {
    if (clinician.careTeamIds.length === 0) return [];
    const rows = await manager.query<{ id: string; patient_name: string; care_team_ids: string[] }[]>(
      `SELECT a.id::text AS id, p.given_name || ' ' || p.family_name AS patient_name,
              (SELECT array_agg(c.care_team_id::text ORDER BY c.care_team_id) FROM care_team_patients c WHERE c.patient_id = a.patient_id) AS care_team_ids
         FROM alerts a JOIN patients p ON p.id = a.patient_id AND p.organization_id = a.organization_id
        WHERE a.resolved_at IS NULL AND a.organization_id = $1
          AND EXISTS (SELECT 1 FROM care_team_patients c WHERE c.patient_id = a.patient_id AND c.care_team_id = ANY($2::uuid[]))
        ORDER BY array_position($3::text[], a.severity) DESC NULLS LAST, a.raised_at, a.id
        LIMIT $4`,
      [clinician.organizationId, [...clinician.careTeamIds], [...ALERT_SEVERITIES], limit],
    );
    if (rows.length === 0) return [];
    const alerts = new Map((await manager.find(AlertEntity, { where: { id: In(rows.map((row) => row.id)) } })).map((alert) => [alert.id, alert]));
    return rows.flatMap((row) => {
      const alert = alerts.get(row.id);
      return alert ? [{ alert, patientName: row.patient_name, careTeamIds: row.care_team_ids }] : [];
    });
  }

  /** The patient's open alerts as the safety envelope reads them (an open persistent hypotension blocks increases). */
  async openAlertSummaries(manager: EntityManager, patientId: string): Promise<OpenAlertSummary[]> {
    const open = await manager.find(AlertEntity, { where: { patientId, resolvedAt: IsNull() }, order: { raisedAt: 'ASC' } });
    return open.map(({ condition, severity }) => ({ condition, severity }));
  }

  /**
   * The emergency guidance of the patient's latest crisis episode while it is open (until its re-measure
   * window closes), or null. The first crisis-range reading shows it at once; it says when to re-measure
   * until the re-measure is in.
   */
  async crisisGuidance(manager: EntityManager, patientId: string): Promise<CrisisGuidance | null> {
    const episode = await this.crisisEpisodes.latest(manager, patientId);
    if (!episode || episode.status === 'WITHDRAWN' || this.clock.now() > episode.dueAt) return null;
    return { episode, guidance: emergencyGuidanceFor({ status: episode.status, remeasureFrom: episode.remeasureFrom }, this.rules) };
  }

  /** The scheduled job: escalates every open, unacknowledged alert whose time has come. */
  async escalateDue(manager: EntityManager): Promise<EscalationOutcome[]> {
    const now = this.clock.now();
    const candidates = await manager
      .createQueryBuilder(AlertEntity, 'alert')
      .where('alert.resolved_at IS NULL AND alert.acknowledged_at IS NULL AND alert.care_team_exhausted_at IS NULL')
      .andWhere('alert.severity IN (:...severities)', { severities: [...this.rules.escalation.severities] })
      .orderBy('alert.raised_at', 'ASC')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    const outcomes: EscalationOutcome[] = [];
    for (const alert of candidates) {
      const patient = await this.patientOf(manager, alert.patientId);
      const decision = decideEscalation(alert, now, patient.escalationOrder, this.rules);
      if (decision.action === 'NONE') continue;
      if (decision.action === 'CARE_TEAM_EXHAUSTED') {
        alert.careTeamExhaustedAt = now;
        await manager.save(alert);
        await this.record(manager, ALERTS_ACTOR, 'alert.escalation_exhausted', alert, 'every care-team member notified, none acknowledged', { notified: alert.notifiedMemberIds });
        outcomes.push({ alertId: alert.id, action: 'CARE_TEAM_EXHAUSTED' });
        continue;
      }
      alert.notifiedMemberIds = [...alert.notifiedMemberIds, decision.toMemberId];
      alert.lastNotifiedAt = now;
      await manager.save(alert);
      await queueAlertNotifications(manager, alert, 'ESCALATED', [decision.toMemberId], now);
      await this.record(manager, ALERTS_ACTOR, 'alert.escalate', alert, `not acknowledged within ${this.rules.escalation.unacknowledgedMinutes} minutes`, { toMemberId: decision.toMemberId, notified: alert.notifiedMemberIds });
      outcomes.push({ alertId: alert.id, action: 'ESCALATED', toMemberId: decision.toMemberId });
    }
    return outcomes;
  }

  /** Every alert of the patient, newest first. */
  alertsOf(manager: EntityManager, patientId: string): Promise<AlertEntity[]> {
    return manager.find(AlertEntity, { where: { patientId }, order: { raisedAt: 'DESC', createdAt: 'DESC' } });
  }

  /** The patient's care teams; null when the patient is not in that organization. */
  async careTeamsOf(manager: EntityManager, patientId: string, organizationId: string): Promise<string[] | null> {
    const rows = await manager.query<{ care_team_ids: string[] | null }[]>(
      `SELECT (SELECT array_agg(c."care_team_id"::text) FROM "care_team_patients" c WHERE c."patient_id" = p."id") AS "care_team_ids"
         FROM "patients" p WHERE p."id" = $1 AND p."organization_id" = $2`,
      [patientId, organizationId],
    );
    const row = rows[0];
    return row ? (row.care_team_ids ?? []) : null;
  }

  /** The alert, locked, after checking the clinician may see it (else NOT_FOUND) and act on it (else FORBIDDEN). */
  private async lockForUpdate(manager: EntityManager, clinician: UserPrincipal, alertId: string, verb: 'acknowledge' | 'resolve'): Promise<AlertEntity> {
    const alert = await manager.findOne(AlertEntity, { where: { id: alertId, organizationId: clinician.organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!alert) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such alert.');
    const patient = await this.patientOf(manager, alert.patientId);
    const subject: PatientRecordSubject = { kind: 'Alert', id: alert.id, organizationId: alert.organizationId, patientId: alert.patientId, careTeamIds: patient.careTeamIds };
    const ability = defineAbilityFor(clinician);
    if (!ability.can('read', subject)) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such alert.');
    if (!ability.can('update', subject)) throw new AuthzError(AuthzErrorCode.FORBIDDEN, `Only a clinician of the patient's care team may ${verb} this alert.`);
    return alert;
  }

  private async record(manager: EntityManager, actor: AuditActor, action: string, alert: AlertEntity, reason: string | null, details: JsonObject, requestId: string | null = null): Promise<void> {
    const entry: AuditEntryInput = {
      actor,
      action,
      resource: { type: 'Alert', id: alert.id },
      patientId: alert.patientId,
      outcome: 'success',
      reason,
      requestId,
      payload: { condition: alert.condition, ...details },
    };
    await this.audit.append(manager, [entry]);
  }

  /** Locks the patient row so two evaluations of one patient cannot both create the same alert. */
  private async lockPatient(manager: EntityManager, patientId: string): Promise<PatientRow> {
    const rows = await manager.query<{ id: string }[]>('SELECT "id" FROM "patients" WHERE "id" = $1 FOR UPDATE', [patientId]);
    if (rows.length === 0) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    return this.patientOf(manager, patientId);
  }

  private async patientOf(manager: EntityManager, patientId: string): Promise<PatientRow> {
    const [patient] = await manager.query<{ organization_id: string }[]>('SELECT "organization_id" FROM "patients" WHERE "id" = $1', [patientId]);
    if (!patient) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    const members = await manager.query<{ care_team_id: string; user_id: string }[]>(
      `SELECT ctp."care_team_id"::text AS "care_team_id", m."user_id"::text AS "user_id"
         FROM "care_team_patients" ctp
         JOIN "care_teams" t ON t."id" = ctp."care_team_id"
         JOIN "care_team_members" m ON m."care_team_id" = ctp."care_team_id"
        WHERE ctp."patient_id" = $1
        ORDER BY t."name", m."escalation_order", m."user_id"`,
      [patientId],
    );
    return {
      organizationId: patient.organization_id,
      careTeamIds: [...new Set(members.map((member) => member.care_team_id))],
      escalationOrder: [...new Set(members.map((member) => member.user_id))],
    };
  }
}
