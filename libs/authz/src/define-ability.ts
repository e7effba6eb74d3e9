import { createMongoAbility, type MongoAbility, type MongoQuery, type RawRuleOf } from '@casl/ability';
import type { ClientPrincipal, Principal, UserPrincipal } from './principal';
import type { IntegratorScope } from './scopes';
import { isAccountSubject, PATIENT_RECORD_SUBJECTS, PUBLIC_SUBJECTS, type Action, type PatientRecordSubjectType, type SubjectObject, type SubjectType } from './subjects';

/** Conditions are plain MongoDB-style queries over the subject objects of subjects.ts. */
export type AppAbility = MongoAbility<[Action, SubjectType | SubjectObject], MongoQuery<Record<string, unknown>>>;

/** Patient fields an integrator with `patients:read` receives: demographics and the facts safety rules use, not the care-team structure. */
export const INTEGRATOR_PATIENT_FIELDS = [
  'id',
  'mrn',
  'givenName',
  'familyName',
  'birthYear',
  'sex',
  'timeZone',
  'pregnancyStatus',
  'aceInhibitorAngioedemaHistory',
  'sulfonamideAllergy',
  'anuria',
] as const;

/** Patient fields that name a patient on their own pages ("Hello, Aiko"): all of their record a temporary password opens. */
export const PATIENT_IDENTITY_FIELDS = ['id', 'givenName', 'familyName', 'timeZone'] as const;

/** Care-team fields people outside clinical care (a patient about their own team, an admin) may read: not the patient list. */
export const CARE_TEAM_DIRECTORY_FIELDS = ['id', 'name', 'members'] as const;

/** Patient-linked records a clinician may read for patients of their care teams (and, read-only, under break-glass). */
const CLINICAL_READ: readonly PatientRecordSubjectType[] = PATIENT_RECORD_SUBJECTS;
/** Patient-linked records a patient may read about themselves. */
const PATIENT_SELF_READ: readonly PatientRecordSubjectType[] = ['Patient', 'RegimenVersion', 'Device', 'Observation', 'Recommendation', 'SafetyBounds', 'Alert'];

const SCOPE_GRANTS: Readonly<Record<IntegratorScope, { action: Action; subject: PatientRecordSubjectType }>> = {
  'patients:read': { action: 'read', subject: 'Patient' },
  'observations:read': { action: 'read', subject: 'Observation' },
  'observations:write': { action: 'create', subject: 'Observation' },
  'recommendations:read': { action: 'read', subject: 'Recommendation' },
  'alerts:read': { action: 'read', subject: 'Alert' },
};

/**
 * The abilities of one principal, as a pure function of who they are, their care-team memberships
 * and their open break-glass grants. Deny by default: anything not granted here is refused.
 * Every organization-scoped rule carries the principal's organization, so nothing crosses tenants.
 */
export function defineAbilityFor(principal: Principal): AppAbility {
  const rules: RawRuleOf<AppAbility>[] = [];
  const can: Grant = (action, subject, conditions, fields) => {
    rules.push({ action, subject, ...(conditions ? { conditions } : {}), ...(fields ? { fields: [...fields] } : {}) });
  };

  // Signing in and refreshing a session: anyone, signed in or not.
  can('create', 'Session');
  if (principal.kind === 'user' && principal.passwordChangeRequired) {
    defineAbilitiesBeforePasswordChange(can, principal);
  } else {
    // Reference data: anyone, signed in or not.
    for (const subject of PUBLIC_SUBJECTS) can('read', subject);
    // A download link (an audit export's) is its own credential: whoever presents it reaches the route,
    // which checks it - once, in time, for its holder as they are now.
    can('read', 'DownloadTicket');
    if (principal.kind === 'user') defineUserAbilities(can, principal);
    if (principal.kind === 'client') defineClientAbilities(can, principal);
  }

  return createMongoAbility<AppAbility>(rules, { detectSubjectType: (object) => object.kind });
}

/**
 * Whether the global guard holds a principal back from an operation that needs `subject`: while the
 * password an administrator issued is not yet changed, everything but the account itself (who am I,
 * change the password, sign out, sign in or refresh). The ability decides what those operations may
 * show; this decides which operations there are, so a patient's name behind `me` does not open the
 * `patient` query.
 */
export function heldForPasswordChange(principal: Principal, subject: SubjectType): boolean {
  return principal.kind === 'user' && principal.passwordChangeRequired && !isAccountSubject(subject);
}

type Conditions = MongoQuery<Record<string, unknown>>;
type Grant = (action: Action | Action[], subject: SubjectType, conditions?: Conditions, fields?: readonly string[]) => void;

/** The account itself: the profile, the session, the password. */
function defineAccountAbilities(can: Grant, user: UserPrincipal): void {
  can('read', 'Viewer', { userId: user.userId });
  can('delete', 'Session', { userId: user.userId });
  can('update', 'Credentials', { userId: user.userId });
}

/**
 * A password an administrator issued is no working credential for clinical data (21 CFR 11.300,
 * HIPAA 164.312(d): whoever handed it over knows it): until it is changed it opens the account and,
 * for a patient, the name the portal greets them with - no clinical fact, and no reference data either
 * (which needs no token at all).
 */
function defineAbilitiesBeforePasswordChange(can: Grant, user: UserPrincipal): void {
  defineAccountAbilities(can, user);
  if (user.role === 'patient' && user.patientId !== null) {
    can('read', 'Patient', { organizationId: user.organizationId, patientId: user.patientId }, PATIENT_IDENTITY_FIELDS);
  }
}

function defineUserAbilities(can: Grant, user: UserPrincipal): void {
  const organizationId = user.organizationId;
  defineAccountAbilities(can, user);

  switch (user.role) {
    case 'patient': {
      if (user.patientId === null) break;
      for (const subject of PATIENT_SELF_READ) can('read', subject, { organizationId, patientId: user.patientId });
      // Home readings typed in by the patient, and marking one of their own readings entered in error.
      can(['create', 'update'], 'Observation', { organizationId, patientId: user.patientId });
      can('read', 'CareTeam', { organizationId, id: { $in: [...user.careTeamIds] } }, CARE_TEAM_DIRECTORY_FIELDS);
      break;
    }
    case 'clinician': {
      const onMyTeams = { organizationId, careTeamIds: { $in: [...user.careTeamIds] } };
      for (const subject of CLINICAL_READ) can('read', subject, onMyTeams);
      // Break-glass opens reading only; decisions still need a care-team clinician.
      if (user.breakGlassPatientIds.length > 0) {
        for (const subject of CLINICAL_READ) can('read', subject, { organizationId, patientId: { $in: [...user.breakGlassPatientIds] } });
      }
      can(['create', 'update'], 'Observation', onMyTeams);
      // Devices: register them into the organization's inventory; bind to and unbind from team patients.
      can(['read', 'create'], 'DeviceInventory', { organizationId });
      can('update', 'Device', onMyTeams);
      can('sign', 'RegimenVersion', onMyTeams);
      can('approve', 'Recommendation', onMyTeams);
      can(['create', 'sign'], 'SafetyBounds', onMyTeams);
      can('update', 'Alert', onMyTeams);
      can('break-glass', 'Patient', { organizationId });
      can('read', 'BreakGlassGrant', { organizationId, ownerId: user.userId });
      can('create', 'ElectronicSignature', { organizationId });
      can('read', 'CareTeam', { organizationId, id: { $in: [...user.careTeamIds] } });
      can('read', 'ElectronicSignature', { organizationId });
      can('read', 'ModelVersion', { organizationId });
      can('read', 'EnvelopeCheck');
      if (user.formularyPermission) can(['update', 'sign'], 'Formulary');
      break;
    }
    case 'auditor': {
      // Reads the trail and the governance records; changes nothing.
      can(['read', 'export', 'verify'], 'AuditTrail', { organizationId });
      for (const subject of ['BreakGlassGrant', 'ElectronicSignature', 'ModelVersion', 'Report', 'User'] as const) {
        can('read', subject, { organizationId });
      }
      break;
    }
    case 'admin': {
      // Users, teams and clients - no clinical data and no clinical decisions.
      can(['read', 'create', 'update'], 'User', { organizationId });
      can(['read', 'create', 'update'], 'CareTeam', { organizationId }, CARE_TEAM_DIRECTORY_FIELDS);
      can(['read', 'create', 'revoke'], 'IntegratorClient', { organizationId });
      // Device inventory (no patient in it); binding a device to a patient is a care-team clinician's.
      can(['read', 'create'], 'DeviceInventory', { organizationId });
      break;
    }
  }
}

function defineClientAbilities(can: Grant, client: ClientPrincipal): void {
  const organizationId = client.organizationId;
  for (const scope of client.scopes) {
    const grant = SCOPE_GRANTS[scope];
    can(grant.action, grant.subject, { organizationId }, grant.subject === 'Patient' ? INTEGRATOR_PATIENT_FIELDS : undefined);
    // Whoever may read recommendations may ask the envelope how a proposal would be routed.
    if (scope === 'recommendations:read') can('read', 'EnvelopeCheck');
  }
}
