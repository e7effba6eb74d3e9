import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { userOf } from '@clinloop/auth';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import type { AlertEntity } from './alert.entity';
import { AlertModel, MONITORING_NOTICE, PATIENT_GUIDANCE } from './alert.model';
import { AlertsService } from './alerts.service';
import { AlertsError, AlertsErrorCode } from './errors';

@Resolver(() => AlertModel)
export class AlertsResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly service: AlertsService,
  ) {}

  @Query(() => [AlertModel], { description: 'The patient\'s alerts, newest first (open ones and their history).' })
  @RequireAbility('read', 'Alert')
  async alerts(@Security() security: SecurityContext, @Args('patientId', { type: () => ID }) patientId: string): Promise<AlertModel[]> {
    const principal = security.principal;
    if (principal.kind === 'anonymous') throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    const careTeamIds = await this.service.careTeamsOf(this.dataSource.manager, patientId, principal.organizationId);
    if (careTeamIds === null) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    const subject = { kind: 'Alert' as const, id: patientId, organizationId: principal.organizationId, patientId, careTeamIds };
    if (!security.ability.can('read', subject)) throw new AlertsError(AlertsErrorCode.NOT_FOUND, 'No such patient.');
    const rows = await this.service.alertsOf(this.dataSource.manager, patientId);
    return rows.map((row) => toModel(row, careTeamIds)).filter((model) => security.ability.can('read', model.authzSubject));
  }

  @Mutation(() => AlertModel, { description: 'Acknowledge an alert (a clinician of the patient\'s care team); stops its escalation.' })
  @RequireAbility('update', 'Alert')
  async acknowledgeAlert(@Security() security: SecurityContext, @Args('alertId', { type: () => ID }) alertId: string): Promise<AlertModel> {
    const clinician = userOf(security);
    const row = await withTransaction(this.dataSource, (manager) => this.service.acknowledge(manager, clinician, alertId, security.requestId));
    const careTeamIds = (await this.service.careTeamsOf(this.dataSource.manager, row.patientId, clinician.organizationId)) ?? [];
    return toModel(row, careTeamIds);
  }
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
    rulesVersion: row.rulesVersion,
    authzSubject: { kind: 'Alert', id: row.id, organizationId: row.organizationId, patientId: row.patientId, careTeamIds },
  };
}
