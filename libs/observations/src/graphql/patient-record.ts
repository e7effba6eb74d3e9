import type { EntityManager } from 'typeorm';
import type { PatientRecordSubject, PatientRecordSubjectType, SecurityContext } from '@clinloop/authz';
import { PatientsError, PatientsErrorCode } from '@clinloop/patients';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What one patient's records are for authorization (organization, care teams), looked up inside the
 * caller's organization only: a patient of another organization, a malformed id and a missing one
 * all give null.
 */
export async function patientRecordOf(
  manager: EntityManager,
  organizationId: string,
  patientId: string,
  kind: PatientRecordSubjectType,
): Promise<PatientRecordSubject | null> {
  if (!UUID.test(patientId)) return null;
  const [row] = await manager.query<{ id: string; care_team_ids: string[] | null }[]>(
    `SELECT p.id, (SELECT array_agg(c.care_team_id::text ORDER BY c.care_team_id) FROM care_team_patients c WHERE c.patient_id = p.id) AS care_team_ids
       FROM patients p WHERE p.id = $1 AND p.organization_id = $2`,
    [patientId, organizationId],
  );
  return row ? { kind, id: row.id, organizationId, patientId: row.id, careTeamIds: row.care_team_ids ?? [] } : null;
}

/**
 * The patient's records of `kind` when the caller may `read` them; otherwise "no such patient" -
 * the same answer as for a patient that does not exist, so nobody learns who is outside their care.
 */
export async function readablePatientRecord(
  manager: EntityManager,
  security: SecurityContext,
  patientId: string,
  kind: PatientRecordSubjectType,
): Promise<PatientRecordSubject> {
  const principal = security.principal;
  const subject = principal.kind === 'anonymous' ? null : await patientRecordOf(manager, principal.organizationId, patientId, kind);
  if (!subject || !security.ability.can('read', subject)) {
    security.audit.record({
      action: `${kind.toLowerCase()}.read`,
      resource: { type: 'Patient', id: patientId.slice(0, 64) },
      patientId: subject?.patientId ?? null,
      outcome: subject ? 'denied' : 'failure',
      reason: subject ? "outside the caller's organization or care teams" : 'no such patient',
    });
    throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'No such patient.');
  }
  return subject;
}
