import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { JsonObject } from '@clinloop/audit';
import { AUDIT_APPENDER, auditActorFor, SignatureService, type AuditAppender, type RequestMeta, type SignatureCredentials } from '@clinloop/auth';
import { AuthzError, AuthzErrorCode, defineAbilityFor, type PatientRecordSubject, type UserPrincipal } from '@clinloop/authz';
import { ClinicalErrorCode, validateBounds, type ClinicalRules, type SafetyBounds } from '@clinloop/clinical';
import { FormularyService } from '@clinloop/formulary';
import { PatientsError, PatientsErrorCode } from '@clinloop/patients';
import { SafetyBoundsError, SafetyBoundsErrorCode } from './errors';
import { SafetyBoundsVersionEntity, type SafetyBoundsContent } from './safety-bounds.entity';

export const SAFETY_BOUNDS_RECORD_TYPE = 'SafetyBounds';

/** Bounds as a clinician enters them: the version, signer and time are the system's to set. */
export interface SafetyBoundsDraft {
  readonly targetSbp: number;
  readonly targetDbp: number;
  readonly allowedDrugs: readonly { readonly drug: string; readonly minDailyMg: number; readonly maxDailyMg: number }[];
  readonly maxAutoIncreaseSteps?: number | null;
  readonly minIncreaseIntervalDays?: number | null;
  readonly confidenceFloor: number;
}

/** Exactly what a bounds signature covers: patient, version, rules version and the bounds themselves. */
export function safetyBoundsSignedContent(row: Pick<SafetyBoundsVersionEntity, 'patientId' | 'version' | 'rulesVersion' | 'content'>): JsonObject {
  return { patientId: row.patientId, version: row.version, rulesVersion: row.rulesVersion, bounds: row.content as JsonObject };
}

/** Normalized stored form: drug names trimmed and lower-cased, absent optionals as null. */
export function safetyBoundsContent(draft: SafetyBoundsDraft): SafetyBoundsContent {
  return {
    targetSbp: draft.targetSbp,
    targetDbp: draft.targetDbp,
    allowedDrugs: draft.allowedDrugs.map((allowed) => ({ drug: allowed.drug.trim().toLowerCase(), minDailyMg: allowed.minDailyMg, maxDailyMg: allowed.maxDailyMg })),
    maxAutoIncreaseSteps: draft.maxAutoIncreaseSteps ?? null,
    minIncreaseIntervalDays: draft.minIncreaseIntervalDays ?? null,
    confidenceFloor: draft.confidenceFloor,
  };
}

/** A stored version as the envelope's SafetyBounds (signed, with its version as text). */
export function toEnvelopeBounds(row: SafetyBoundsVersionEntity, signedBy: string): SafetyBounds {
  const content = row.content;
  return {
    version: String(row.version),
    targetSbp: content.targetSbp,
    targetDbp: content.targetDbp,
    allowedDrugs: content.allowedDrugs,
    ...(content.maxAutoIncreaseSteps === null ? {} : { maxAutoIncreaseSteps: content.maxAutoIncreaseSteps }),
    ...(content.minIncreaseIntervalDays === null ? {} : { minIncreaseIntervalDays: content.minIncreaseIntervalDays }),
    confidenceFloor: content.confidenceFloor,
    signedAt: row.createdAt,
    signedBy,
  };
}

const NO_META: RequestMeta = { requestId: null, ip: null };

/**
 * Per-patient safety bounds as data: validated against the formulary's hard limits, e-signed by a
 * clinician of the patient's care team (meaning `authored`), stored as version N+1 next to the
 * versions before it (never rewritten), and audited - all in the caller's transaction.
 */
@Injectable()
export class SafetyBoundsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signatures: SignatureService,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
    private readonly formulary: FormularyService,
  ) {}

  /**
   * Validates against `options.rules`, by default the clinical rules with the formulary's current
   * signed database versions (read in the caller's transaction); the stored rules version names them.
   * @throws SafetyBoundsError OUTSIDE_FORMULARY / INVALID before anything is written
   * @throws PatientsError NOT_FOUND when the patient is not visible to the clinician
   * @throws AuthzError FORBIDDEN when the clinician is not on the patient's care team
   * @throws SignatureError when the re-entered e-mail or password is wrong (or signing is locked)
   */
  async signBounds(
    manager: EntityManager,
    clinician: UserPrincipal,
    patientId: string,
    bounds: SafetyBoundsDraft,
    credentials: SignatureCredentials,
    options: { readonly meta?: RequestMeta; readonly rules?: ClinicalRules } = {},
  ): Promise<SafetyBoundsVersionEntity> {
    const meta = options.meta ?? NO_META;
    const subject = await this.subjectOf(manager, clinician, patientId, true);
    const ability = defineAbilityFor(clinician);
    if (!ability.can('read', subject)) throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'No such patient.');
    if (!ability.can('sign', subject)) throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'Only a clinician of the patient\'s care team may sign safety bounds.');
    const rules = options.rules ?? (await this.formulary.effectiveRules(manager));

    const content = safetyBoundsContent(bounds);
    const [last] = await manager.query<{ version: number }[]>(`SELECT max("version")::int AS "version" FROM "safety_bounds_versions" WHERE "patient_id" = $1`, [patientId]);
    const version = (last?.version ?? 0) + 1;
    assertValid({ ...content, version: String(version), maxAutoIncreaseSteps: content.maxAutoIncreaseSteps ?? undefined, minIncreaseIntervalDays: content.minIncreaseIntervalDays ?? undefined }, rules);

    const id = randomUUID();
    const row = { id, organizationId: clinician.organizationId, patientId, version, content, rulesVersion: rules.version, authoredBy: clinician.userId };
    const signature = await this.signatures.sign(manager, {
      signer: clinician,
      credentials,
      meaning: 'authored',
      record: { type: SAFETY_BOUNDS_RECORD_TYPE, id, organizationId: clinician.organizationId, patientId, content: safetyBoundsSignedContent(row) },
      meta,
    });
    const saved = await manager.save(manager.create(SafetyBoundsVersionEntity, { ...row, signatureId: signature.id }));
    await this.audit.append(manager, [
      {
        actor: auditActorFor(clinician),
        action: 'safety-bounds.sign',
        resource: { type: SAFETY_BOUNDS_RECORD_TYPE, id },
        patientId,
        outcome: 'success',
        reason: `version ${version}`,
        requestId: meta.requestId,
        payload: { version, rulesVersion: rules.version, signatureId: signature.id, bounds: content as JsonObject },
      },
    ]);
    return saved;
  }

  /** Every version of the patient's bounds, newest first. */
  versions(patientId: string, manager: EntityManager = this.dataSource.manager): Promise<SafetyBoundsVersionEntity[]> {
    return manager.find(SafetyBoundsVersionEntity, { where: { patientId }, order: { version: 'DESC' } });
  }

  /** The patient as an authorization subject of kind SafetyBounds; undefined outside the clinician's organization. */
  async subjectOf(manager: EntityManager, principal: { organizationId: string }, patientId: string, lock = false): Promise<PatientRecordSubject> {
    // The patient row lock orders concurrent signings of one patient, so versions stay N, N+1.
    const rows = await manager.query<{ id: string; care_team_ids: string[] | null }[]>(
      `SELECT p."id", (SELECT array_agg(c."care_team_id"::text) FROM "care_team_patients" c WHERE c."patient_id" = p."id") AS "care_team_ids"
         FROM "patients" p WHERE p."id" = $1 AND p."organization_id" = $2 ${lock ? 'FOR UPDATE OF p' : ''}`,
      [patientId, principal.organizationId],
    );
    const patient = rows[0];
    if (!patient) throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'No such patient.');
    return { kind: 'SafetyBounds', id: patientId, organizationId: principal.organizationId, patientId, careTeamIds: patient.care_team_ids ?? [] };
  }
}

function assertValid(bounds: SafetyBounds, rules: ClinicalRules): void {
  const validation = validateBounds(bounds, rules.formulary);
  if (validation.valid) return;
  const outside = validation.problems.some((problem) => problem.code === ClinicalErrorCode.BOUNDS_OUTSIDE_FORMULARY || problem.code === ClinicalErrorCode.UNKNOWN_DRUG);
  const message = validation.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
  throw new SafetyBoundsError(
    outside ? SafetyBoundsErrorCode.OUTSIDE_FORMULARY : SafetyBoundsErrorCode.INVALID,
    outside ? `Safety bounds outside the formulary's hard limits: ${message}` : `Invalid safety bounds: ${message}`,
    { problems: validation.problems.map((problem) => ({ code: problem.code, field: problem.field })) },
  );
}
