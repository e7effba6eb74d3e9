import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { userOf } from '@clinloop/auth';
import { RequireAbility, Security, type PatientRecordSubject, type SecurityContext } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import type { AlertEntity } from './alert.entity';
import { AlertModel, AlertQueueItemModel, CrisisGuidanceModel, MONITORING_NOTICE, PATIENT_GUIDANCE } from './alert.model';
import { AlertsService } from './alerts.service';
import { AlertsError, AlertsErrorCode } from './errors';

/** Most lines one alertQueue answer holds. */
const MAX_QUEUE_LENGTH = 500;

@Resolver(() => AlertModel)
export class AlertsResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly service: AlertsService,
  ) {}

  @Query(() => [AlertModel], { description: 'The patient\'s alerts, newest first (open ones and their history).' })
  @RequireAbility('read', 'Alert')
  async alerts(@Security() security: SecurityContext, @Args('patientId', { type: () => ID }) patientId: string): Promise<AlertModel[]> {
    const careTeamIds = await this.visiblePatient(security, patientId);
    const rows = await this.service.alertsOf(this.dataSource.manager, patientId);
    return rows.map((row) => toModel(row, careTeamIds)).filter((model) => security.ability.can('read', model.authzSubject));
  }

  @Query(() => CrisisGuidanceModel, {
    nullable: true,
    description: 'Emergency guidance while a hypertensive-crisis episode of the patient is open (from the first crisis-range reading until the re-measure window closes); null otherwise.',
  })
  @RequireAbility('read', 'Alert')
  async crisisGuidance(@Security() security: SecurityContext, @Args('patientId', { type: () => ID }) patientId: string): Promise<CrisisGuidanceModel | null> {
    const careTeamIds = await this.visiblePatient(security, patientId);
    const open = await this.service.crisisGuidance(this.dataSource.manager, patientId);
    if (!open) return null;
    const { episode, guidance } = open;
    return {
      patientId,
      triggeredAt: episode.openedAt,
      status: episode.status,
      message: guidance.message,
      emergencySymptoms: guidance.emergencySymptoms.map((symptom) => symptom.label),
      remeasureAt: guidance.remeasureAt,
      confirmBy: episode.dueAt,
      remeasureCount: episode.remeasureCount,
      monitoringNotice: MONITORING_NOTICE,
      authzSubject: alertSubjectOfPatient(security, patientId, careTeamIds),
    };
  }

  @Query(() => [AlertQueueItemModel], {
    description: 'Open alerts of the patients of the caller\'s care teams: CRITICAL first, then by severity, then oldest first.',
  })
  @RequireAbility('update', 'Alert')
  async alertQueue(
    @Security() security: SecurityContext,
    @Args('limit', { type: () => Int, defaultValue: 100, description: `At most this many (1-${MAX_QUEUE_LENGTH}).` }) limit: number,
  ): Promise<AlertQueueItemModel[]> {
    const clinician = userOf(security);
    const entries = await this.service.queueFor(this.dataSource.manager, clinician, Math.min(Math.max(limit, 1), MAX_QUEUE_LENGTH));
    return entries
      .map(({ alert, patientName, careTeamIds }) => {
        const model = toModel(alert, careTeamIds);
        return { alert: model, patientName, acknowledged: alert.acknowledgedAt !== null, authzSubject: model.authzSubject };
      })
      .filter((item) => security.ability.can('update', item.authzSubject));
  }

  @Mutation(() => AlertModel, { description: 'Acknowledge an alert (a clinician of the patient\'s care team); stops its escalation.' })
  @RequireAbility('update', 'Alert')
  async acknowledgeAlert(@Security() security: SecurityContext, @Args('alertId', { type: () => ID }) alertId: string): Promise<AlertModel> {
    const clinician = userOf(security);
    const row = await withTransaction(this.dataSource, (manager) => this.service.acknowledge(manager, clinician, alertId, security.requestId));
    const careTeamIds = (await this.service.careTeamsOf(this.dataSource.manager, row.patientId, clinician.organizationId)) ?? [];
    return toModel(row, careTeamIds);
  }

  @Mutation(() => AlertModel, {
    description: 'Resolve an open alert with a reason (a clinician of the patient\'s care team): it stops escalating, and a new occurrence of the condition raises a new alert. Audited.',
  })
  @RequireAbility('update', 'Alert')
  async resolveAlert(
    @Security() security: SecurityContext,
    @Args('alertId', { type: () => ID }) alertId: string,
    @Args('reason', { description: 'Why it is resolved (kept in the audit trail).' }) reason: string,
  ): Promise<AlertModel> {
    const clinician = userOf(security);
    const row = await withTransaction(this.dataSource, (manager) => this.service.resolve(manager, clinician, alertId, reason, security.requestId));
    const careTeamIds = (await this.service.careTeamsOf(this.dataSource.manager, row.patientId, clinician.organizationId)) ?? [];
    return toModel(row, careTeamIds);
  }

  /** The patient's care teams when the caller may read the patient's alerts; NOT_FOUND otherwise (no hint whether the patient exists). */
  private async visiblePatient(security: SecurityContext, patientId: string): Promise<string[]> {
    const principal = security.principal;
    if (principal.kind === 'anonymous') throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    const careTeamIds = await this.service.careTeamsOf(this.dataSource.manager, patientId, principal.organizationId);
    if (careTeamIds === null) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    if (!security.ability.can('read', alertSubjectOfPatient(security, patientId, careTeamIds))) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    return careTeamIds;
  }
}

function alertSubjectOfPatient(security: SecurityContext, patientId: string, careTeamIds: readonly string[]): PatientRecordSubject {
  const organizationId = security.principal.kind === 'anonymous' ? '' : security.principal.organizationId;
  return { kind: 'Alert', id: patientId, organizationId, patientId, careTeamIds };
}

function toModel(row: AlertEntity, careTeamIds: readonly string[]): AlertModel {
  return {
    id: row.id,
    patientId: row.patientId,
    condition: row.condition,
    severity: row.severity,
    message: row.message,
    guidance: PATIENT_GUIDANCE[row.condition],
    monitoringNotice: MONITORING_NOTICE,
    raisedAt: row.raisedAt,
    acknowledgedAt: row.acknowledgedAt,
    acknowledgedBy: row.acknowledgedBy,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    resolutionReason: row.resolutionReason,
    rulesVersion: row.rulesVersion,
    authzSubject: { kind: 'Alert', id: row.id, organizationId: row.organizationId, patientId: row.patientId, careTeamIds },
  };
}
