import type { Principal } from './principal';

/**
 * Which patients a principal may read, as a database filter for list queries. It must agree with
 * `defineAbilityFor` (a table test checks both on the same cases); services still check every row
 * they return against the ability.
 */
export type PatientReadScope =
  | { readonly kind: 'none' }
  | { readonly kind: 'organization'; readonly organizationId: string }
  | {
      readonly kind: 'patients';
      readonly organizationId: string;
      /** Patients on any of these care teams... */
      readonly careTeamIds: readonly string[];
      /** ...and these patients by id. */
      readonly patientIds: readonly string[];
    };

export function patientReadScope(principal: Principal): PatientReadScope {
  if (principal.kind === 'anonymous') return { kind: 'none' };
  if (principal.kind === 'client') {
    return principal.scopes.includes('patients:read') ? { kind: 'organization', organizationId: principal.organizationId } : { kind: 'none' };
  }
  // A temporary password shows a patient their own name (PATIENT_IDENTITY_FIELDS) and a clinician nobody.
  if (principal.passwordChangeRequired && principal.role !== 'patient') return { kind: 'none' };
  switch (principal.role) {
    case 'patient':
      return principal.patientId === null
        ? { kind: 'none' }
        : { kind: 'patients', organizationId: principal.organizationId, careTeamIds: [], patientIds: [principal.patientId] };
    case 'clinician':
      return { kind: 'patients', organizationId: principal.organizationId, careTeamIds: principal.careTeamIds, patientIds: principal.breakGlassPatientIds };
    case 'auditor':
    case 'admin':
      return { kind: 'none' };
  }
}
