/**
 * Everything an ability can be about. Each object a service hands to an ability check is a plain
 * object with `kind` naming its subject type and the attributes the rules look at (organization,
 * patient, care teams) - never an entity or a GraphQL model.
 */
export const ACTIONS = [
  'read',
  'create',
  'update',
  'delete',
  'sign',
  'approve',
  'export',
  'verify',
  'revoke',
  'break-glass',
  'promote',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Records that belong to one patient: PHI. */
export const PATIENT_RECORD_SUBJECTS = [
  'Patient',
  'RegimenVersion',
  'Device',
  'Observation',
  'Recommendation',
  'SafetyBounds',
  'Alert',
] as const;
export type PatientRecordSubjectType = (typeof PATIENT_RECORD_SUBJECTS)[number];

/** Reference data and endpoints that carry no PHI. */
export const PUBLIC_SUBJECTS = ['ServiceInfo', 'Formulary', 'Health', 'PublicKeys'] as const;

/** The signed-in account itself: its session, its profile, its password. */
export const ACCOUNT_SUBJECTS = ['Session', 'Viewer', 'Credentials'] as const;
export type AccountSubjectType = (typeof ACCOUNT_SUBJECTS)[number];

export const SUBJECT_TYPES = [
  ...PUBLIC_SUBJECTS,
  ...ACCOUNT_SUBJECTS,
  ...PATIENT_RECORD_SUBJECTS,
  'CareTeam',
  'User',
  'IntegratorClient',
  'AuditTrail',
  'BreakGlassGrant',
  'ElectronicSignature',
  'ModelVersion',
  'Report',
  'EnvelopeCheck',
  'DownloadTicket',
  'DeviceInventory',
] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface PatientRecordSubject {
  readonly kind: PatientRecordSubjectType;
  readonly id: string;
  readonly organizationId: string;
  /** The patient the record belongs to (for a Patient, its own id). */
  readonly patientId: string;
  /** Care teams the patient is on. */
  readonly careTeamIds: readonly string[];
}

export interface CareTeamSubject {
  readonly kind: 'CareTeam';
  readonly id: string;
  readonly organizationId: string;
}

/**
 * A record of the organization's governance: users, clients, the audit trail, signatures, models,
 * reports - and its device inventory (a device on its own, not bound to anyone, is no PHI; once bound
 * it is the patient's `Device`).
 */
export interface OrganizationRecordSubject {
  readonly kind: 'User' | 'IntegratorClient' | 'AuditTrail' | 'BreakGlassGrant' | 'ElectronicSignature' | 'ModelVersion' | 'Report' | 'DeviceInventory';
  readonly id?: string;
  readonly organizationId: string;
  /** The user the record is about or was made by, when that matters (a clinician's own break-glass grants). */
  readonly ownerId?: string;
}

/** Things that belong to one signed-in user: their session, their profile, their password. */
export interface OwnSubject {
  readonly kind: AccountSubjectType;
  readonly userId: string;
}

/** Asking the safety envelope "what would happen" (checkProposal): no PHI, creates nothing. */
export interface EnvelopeCheckSubject {
  readonly kind: 'EnvelopeCheck';
}

export interface PublicSubject {
  readonly kind: (typeof PUBLIC_SUBJECTS)[number];
}

export type SubjectObject = PatientRecordSubject | CareTeamSubject | OrganizationRecordSubject | OwnSubject | PublicSubject | EnvelopeCheckSubject;

export function isAccountSubject(subject: SubjectType): subject is AccountSubjectType {
  return (ACCOUNT_SUBJECTS as readonly SubjectType[]).includes(subject);
}

export function patientSubject(patient: { id: string; organizationId: string; careTeamIds: readonly string[] }): PatientRecordSubject {
  return { kind: 'Patient', id: patient.id, organizationId: patient.organizationId, patientId: patient.id, careTeamIds: patient.careTeamIds };
}
