import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { metaOf, userOf } from '@clinloop/auth';
import { RequireAbility, Security, type PatientRecordSubject, type SecurityContext } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { isClinLoopError } from '@clinloop/errors';
import { PatientsError, PatientsErrorCode } from '@clinloop/patients';
import { SafetyBoundsVersionModel, SignSafetyBoundsInput } from './models/safety-bounds.model';
import type { SafetyBoundsVersionEntity } from './safety-bounds.entity';
import { SAFETY_BOUNDS_RECORD_TYPE, SafetyBoundsService } from './safety-bounds.service';

function toModel(row: SafetyBoundsVersionEntity, patient: PatientRecordSubject): SafetyBoundsVersionModel {
  return {
    id: row.id,
    patientId: row.patientId,
    version: row.version,
    targetSbp: row.content.targetSbp,
    targetDbp: row.content.targetDbp,
    allowedDrugs: row.content.allowedDrugs.map((allowed) => ({ ...allowed })),
    maxAutoIncreaseSteps: row.content.maxAutoIncreaseSteps,
    minIncreaseIntervalDays: row.content.minIncreaseIntervalDays,
    confidenceFloor: row.content.confidenceFloor,
    rulesVersion: row.rulesVersion,
    authoredBy: row.authoredBy,
    signatureId: row.signatureId,
    createdAt: row.createdAt,
    authzSubject: { ...patient, kind: 'SafetyBounds', id: row.id },
  };
}

@Resolver(() => SafetyBoundsVersionModel)
export class SafetyBoundsResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly service: SafetyBoundsService,
  ) {}

  @Query(() => SafetyBoundsVersionModel, { nullable: true, description: 'The patient\'s current (highest) safety bounds version; null when none was signed yet.' })
  @RequireAbility('read', 'SafetyBounds')
  async safetyBounds(@Security() security: SecurityContext, @Args('patientId', { type: () => ID }) patientId: string): Promise<SafetyBoundsVersionModel | null> {
    const [current] = await this.visibleVersions(security, patientId);
    return current ?? null;
  }

  @Query(() => [SafetyBoundsVersionModel], { description: 'Every safety bounds version of the patient, newest first.' })
  @RequireAbility('read', 'SafetyBounds')
  safetyBoundsHistory(@Security() security: SecurityContext, @Args('patientId', { type: () => ID }) patientId: string): Promise<SafetyBoundsVersionModel[]> {
    return this.visibleVersions(security, patientId);
  }

  @Mutation(() => SafetyBoundsVersionModel, {
    description: 'Author and e-sign new safety bounds for a patient of your care team: stored as the next version, checked against the formulary\'s hard limits.',
  })
  @RequireAbility('sign', 'SafetyBounds')
  async signSafetyBounds(@Security() security: SecurityContext, @Args('input') input: SignSafetyBoundsInput): Promise<SafetyBoundsVersionModel> {
    const clinician = userOf(security);
    const { patientId, email, password, ...bounds } = input;
    try {
      const row = await withTransaction(this.dataSource, (manager) => this.service.signBounds(manager, clinician, patientId, bounds, { email, password }, { meta: metaOf(security) }));
      const subject = await this.service.subjectOf(this.dataSource.manager, clinician, patientId);
      return toModel(row, subject);
    } catch (error) {
      if (isClinLoopError(error)) {
        security.audit.record({
          action: 'safety-bounds.sign',
          resource: { type: SAFETY_BOUNDS_RECORD_TYPE, id: null },
          patientId: error instanceof PatientsError ? null : patientId,
          outcome: 'failure',
          reason: error.code,
        });
      }
      throw error;
    }
  }

  private async visibleVersions(security: SecurityContext, patientId: string): Promise<SafetyBoundsVersionModel[]> {
    const principal = security.principal;
    if (principal.kind === 'anonymous') throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'No such patient.');
    const subject = await this.service.subjectOf(this.dataSource.manager, principal, patientId);
    if (!security.ability.can('read', subject)) throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'No such patient.');
    const rows = await this.service.versions(patientId);
    return rows.map((row) => toModel(row, subject)).filter((model) => security.ability.can('read', model.authzSubject));
  }
}
