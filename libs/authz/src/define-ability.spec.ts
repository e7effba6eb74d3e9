import { describe, expect, it } from 'vitest';
import { defineAbilityFor, heldForPasswordChange, INTEGRATOR_PATIENT_FIELDS } from './define-ability';
import { patientReadScope } from './patient-scope';
import { ANONYMOUS, type ClientPrincipal, type Principal, type UserPrincipal } from './principal';
import { ACTIONS, SUBJECT_TYPES, patientSubject, type PatientRecordSubject } from './subjects';

const ORG = 'org-1';
const OTHER_ORG = 'org-2';

function user(role: UserPrincipal['role'], extra: Partial<UserPrincipal> = {}): UserPrincipal {
  return {
    kind: 'user',
    userId: `${role}-1`,
    organizationId: ORG,
    role,
    email: `${role}@example.test`,
    displayName: role,
    sessionId: 'session-1',
    patientId: null,
    careTeamIds: [],
    breakGlassPatientIds: [],
    formularyPermission: false,
    passwordChangeRequired: false,
    ...extra,
  };
}

function client(scopes: ClientPrincipal['scopes'], organizationId = ORG): ClientPrincipal {
  return { kind: 'client', clientId: 'client-1', publicClientId: 'clc_1', organizationId, scopes };
}

const patientP1 = patientSubject({ id: 'p1', organizationId: ORG, careTeamIds: ['team-a'] });
const patientP2 = patientSubject({ id: 'p2', organizationId: ORG, careTeamIds: ['team-b'] });
const patientElsewhere = patientSubject({ id: 'p9', organizationId: OTHER_ORG, careTeamIds: ['team-a'] });
const regimenOf = (patient: PatientRecordSubject): PatientRecordSubject => ({ ...patient, kind: 'RegimenVersion', id: `r-${patient.id}` });

const PATIENT = user('patient', { patientId: 'p1', careTeamIds: ['team-a'] });
const CLINICIAN_A = user('clinician', { careTeamIds: ['team-a'] });
const CLINICIAN_A_BREAK_GLASS_P2 = user('clinician', { careTeamIds: ['team-a'], breakGlassPatientIds: ['p2'] });
const FORMULARY_CLINICIAN = user('clinician', { careTeamIds: ['team-a'], formularyPermission: true });
const AUDITOR = user('auditor');
const ADMIN = user('admin');
// Signed in with a password an administrator issued, not yet changed.
const PATIENT_TEMPORARY = user('patient', { patientId: 'p1', careTeamIds: ['team-a'], passwordChangeRequired: true });
const CLINICIAN_TEMPORARY = user('clinician', { careTeamIds: ['team-a'], formularyPermission: true, passwordChangeRequired: true });
const ADMIN_TEMPORARY = user('admin', { passwordChangeRequired: true });

describe('defineAbilityFor: object-level rules (table)', () => {
  it.each<[string, Principal, Parameters<ReturnType<typeof defineAbilityFor>['can']>, boolean]>([
    ['anonymous reads the formulary', ANONYMOUS, ['read', 'Formulary'], true],
    ['anonymous may sign in', ANONYMOUS, ['create', 'Session'], true],
    ['anyone may present a download link (the route checks the link itself)', ANONYMOUS, ['read', 'DownloadTicket'], true],
    ['only an auditor asks for an audit export link', ADMIN, ['export', { kind: 'AuditTrail', organizationId: ORG }], false],
    ['an admin changes care teams of their organization', ADMIN, ['update', { kind: 'CareTeam', id: 'team-a', organizationId: ORG }], true],
    ['... not of another', ADMIN, ['update', { kind: 'CareTeam', id: 'team-a', organizationId: OTHER_ORG }], false],
    ['a clinician changes no care team', CLINICIAN_A, ['update', { kind: 'CareTeam', id: 'team-a', organizationId: ORG }], false],
    ['an admin does not change the formulary', ADMIN, ['update', 'Formulary'], false],
    ['anonymous reads no patient', ANONYMOUS, ['read', patientP1], false],
    ['a patient reads their own record', PATIENT, ['read', patientP1], true],
    ['a patient reads their own regimen', PATIENT, ['read', regimenOf(patientP1)], true],
    ['a patient does not read another patient', PATIENT, ['read', patientP2], false],
    ['a patient does not read a same-id record of another organization', PATIENT, ['read', { ...patientP1, organizationId: OTHER_ORG }], false],
    ['a patient reads their care team, not its patient list', PATIENT, ['read', { kind: 'CareTeam', id: 'team-a', organizationId: ORG }, 'members'], true],
    ['... and not its patients', PATIENT, ['read', { kind: 'CareTeam', id: 'team-a', organizationId: ORG }, 'patients'], false],
    ['a patient signs nothing', PATIENT, ['sign', regimenOf(patientP1)], false],
    ['a clinician reads a patient of their team', CLINICIAN_A, ['read', patientP1], true],
    ['a clinician does not read a patient outside their teams', CLINICIAN_A, ['read', patientP2], false],
    ['a clinician does not read another organization, same team id', CLINICIAN_A, ['read', patientElsewhere], false],
    ['a clinician signs the regimen of a team patient', CLINICIAN_A, ['sign', regimenOf(patientP1)], true],
    ['a clinician approves recommendations of team patients only', CLINICIAN_A, ['approve', { ...patientP2, kind: 'Recommendation', id: 'rec' }], false],
    ['break-glass opens reading', CLINICIAN_A_BREAK_GLASS_P2, ['read', regimenOf(patientP2)], true],
    ['break-glass does not open signing', CLINICIAN_A_BREAK_GLASS_P2, ['sign', regimenOf(patientP2)], false],
    ['break-glass stays in the organization', CLINICIAN_A, ['break-glass', patientElsewhere], false],
    ['a clinician may open break-glass in their organization', CLINICIAN_A, ['break-glass', patientP2], true],
    ['formulary changes need the permission', CLINICIAN_A, ['update', 'Formulary'], false],
    ['... which a formulary clinician has', FORMULARY_CLINICIAN, ['update', 'Formulary'], true],
    ['an auditor reads the trail of their organization', AUDITOR, ['export', { kind: 'AuditTrail', organizationId: ORG }], true],
    ['... not of another', AUDITOR, ['export', { kind: 'AuditTrail', organizationId: OTHER_ORG }], false],
    ['an auditor reads no PHI', AUDITOR, ['read', patientP1], false],
    ['an auditor changes nothing', AUDITOR, ['create', 'ElectronicSignature'], false],
    ['an admin manages users of their organization', ADMIN, ['update', { kind: 'User', id: 'u', organizationId: ORG }], true],
    ['... not of another', ADMIN, ['update', { kind: 'User', id: 'u', organizationId: OTHER_ORG }], false],
    ['an admin reads care teams but not their patients', ADMIN, ['read', { kind: 'CareTeam', id: 'team-a', organizationId: ORG }, 'patients'], false],
    ['an admin reads no PHI', ADMIN, ['read', patientP1], false],
    ['an admin makes no clinical decision', ADMIN, ['approve', { ...patientP1, kind: 'Recommendation', id: 'rec' }], false],
    ['an admin revokes clients of their organization', ADMIN, ['revoke', { kind: 'IntegratorClient', id: 'c', organizationId: ORG }], true],
    ['an integrator with patients:read reads patients of its organization', client(['patients:read']), ['read', patientP2], true],
    ['... their demographics', client(['patients:read']), ['read', patientP2, 'givenName'], true],
    ['... not their care teams', client(['patients:read']), ['read', patientP2, 'careTeams'], false],
    ['... not another organization', client(['patients:read']), ['read', patientElsewhere], false],
    ['an integrator without the scope reads nothing', client(['observations:write']), ['read', patientP1], false],
    ['observations:write writes observations in its organization', client(['observations:write']), ['create', { ...patientP1, kind: 'Observation', id: 'o' }], true],
    ['a patient marks their own reading entered in error', PATIENT, ['update', { ...patientP1, kind: 'Observation', id: 'o' }], true],
    ['... not another patient\'s', PATIENT, ['update', { ...patientP2, kind: 'Observation', id: 'o' }], false],
    ['a clinician corrects readings of team patients', CLINICIAN_A, ['update', { ...patientP1, kind: 'Observation', id: 'o' }], true],
    ['... not outside their teams', CLINICIAN_A, ['update', { ...patientP2, kind: 'Observation', id: 'o' }], false],
    ['break-glass does not open corrections', CLINICIAN_A_BREAK_GLASS_P2, ['update', { ...patientP2, kind: 'Observation', id: 'o' }], false],
    ['a patient reads their own devices', PATIENT, ['read', { ...patientP1, kind: 'Device', id: 'd' }], true],
    ['a patient binds no device', PATIENT, ['update', { ...patientP1, kind: 'Device', id: 'd' }], false],
    ['a patient registers no device', PATIENT, ['create', { kind: 'DeviceInventory', organizationId: ORG }], false],
    ['a clinician binds devices to team patients', CLINICIAN_A, ['update', { ...patientP1, kind: 'Device', id: 'd' }], true],
    ['... not to patients outside their teams', CLINICIAN_A, ['update', { ...patientP2, kind: 'Device', id: 'd' }], false],
    ['a clinician registers devices in their organization', CLINICIAN_A, ['create', { kind: 'DeviceInventory', organizationId: ORG }], true],
    ['... not in another', CLINICIAN_A, ['create', { kind: 'DeviceInventory', organizationId: OTHER_ORG }], false],
    ['an admin registers devices in their organization', ADMIN, ['create', { kind: 'DeviceInventory', organizationId: ORG }], true],
    ['... and reads the inventory', ADMIN, ['read', { kind: 'DeviceInventory', organizationId: ORG }], true],
    ['... but binds none to a patient (PHI)', ADMIN, ['update', { ...patientP1, kind: 'Device', id: 'd' }], false],
    ['... and reads no patient device', ADMIN, ['read', { ...patientP1, kind: 'Device', id: 'd' }], false],
    ['an auditor registers no device', AUDITOR, ['create', { kind: 'DeviceInventory', organizationId: ORG }], false],
    ['an integrator corrects no reading', client(['observations:write']), ['update', { ...patientP1, kind: 'Observation', id: 'o' }], false],
    ['an integrator has no profile', client(['patients:read']), ['read', { kind: 'Viewer', userId: 'client-1' }], false],
    ['a temporary password reads its own profile', CLINICIAN_TEMPORARY, ['read', { kind: 'Viewer', userId: 'clinician-1' }], true],
    ['... changes its own password', CLINICIAN_TEMPORARY, ['update', { kind: 'Credentials', userId: 'clinician-1' }], true],
    ['... ends its own session', CLINICIAN_TEMPORARY, ['delete', { kind: 'Session', userId: 'clinician-1' }], true],
    ['... refreshes', CLINICIAN_TEMPORARY, ['create', 'Session'], true],
    ['... not someone else\'s password', CLINICIAN_TEMPORARY, ['update', { kind: 'Credentials', userId: 'other' }], false],
    ['a temporary password reads no patient of the team', CLINICIAN_TEMPORARY, ['read', patientP1], false],
    ['... approves nothing', CLINICIAN_TEMPORARY, ['approve', { ...patientP1, kind: 'Recommendation', id: 'rec' }], false],
    ['... changes no formulary, whatever the permission', CLINICIAN_TEMPORARY, ['update', 'Formulary'], false],
    ['... reads no reference data (it needs no token)', CLINICIAN_TEMPORARY, ['read', 'Formulary'], false],
    ['... presents no download link', CLINICIAN_TEMPORARY, ['read', 'DownloadTicket'], false],
    ['... manages no user', ADMIN_TEMPORARY, ['update', { kind: 'User', id: 'u', organizationId: ORG }], false],
    ['a patient\'s temporary password shows their own name', PATIENT_TEMPORARY, ['read', patientP1, 'givenName'], true],
    ['... not another patient\'s', PATIENT_TEMPORARY, ['read', patientP2, 'givenName'], false],
    ['... no clinical fact of their record', PATIENT_TEMPORARY, ['read', patientP1, 'pregnancyStatus'], false],
    ['... nor their MRN', PATIENT_TEMPORARY, ['read', patientP1, 'mrn'], false],
    ['... nor their regimen', PATIENT_TEMPORARY, ['read', regimenOf(patientP1)], false],
    ['... nor their readings', PATIENT_TEMPORARY, ['read', { ...patientP1, kind: 'Observation', id: 'o' }], false],
  ])('%s', (_name, principal, args, expected) => {
    expect(defineAbilityFor(principal).can(...args)).toBe(expected);
  });

  it.each<[string, Principal, Parameters<typeof heldForPasswordChange>[1], boolean]>([
    ['a temporary password may ask who it is', PATIENT_TEMPORARY, 'Viewer', false],
    ['... change the password', PATIENT_TEMPORARY, 'Credentials', false],
    ['... sign out, sign in and refresh', PATIENT_TEMPORARY, 'Session', false],
    ['... not query the patient record, though its name shows behind `me`', PATIENT_TEMPORARY, 'Patient', true],
    ['... nor reference data', CLINICIAN_TEMPORARY, 'Formulary', true],
    ['... nor the audit trail', ADMIN_TEMPORARY, 'AuditTrail', true],
    ['a chosen password is not held', PATIENT, 'Patient', false],
    ['anonymous callers are not held (the ability refuses them)', ANONYMOUS, 'Patient', false],
    ['integrators are not held', client(['patients:read']), 'Patient', false],
  ])('held for a password change: %s', (_name, principal, subject, held) => {
    expect(heldForPasswordChange(principal, subject)).toBe(held);
  });

  it('lists exactly the patient fields integrators receive', () => {
    expect(INTEGRATOR_PATIENT_FIELDS).not.toContain('careTeams');
    expect(INTEGRATOR_PATIENT_FIELDS).toContain('mrn');
  });
});

describe('patientReadScope agrees with the ability', () => {
  const principals: [string, Principal][] = [
    ['anonymous', ANONYMOUS],
    ['patient', PATIENT],
    ['clinician', CLINICIAN_A],
    ['clinician with break-glass', CLINICIAN_A_BREAK_GLASS_P2],
    ['auditor', AUDITOR],
    ['admin', ADMIN],
    ['patient, temporary password', PATIENT_TEMPORARY],
    ['clinician, temporary password', CLINICIAN_TEMPORARY],
    ['integrator patients:read', client(['patients:read'])],
    ['integrator observations:write', client(['observations:write'])],
  ];
  const candidates = [patientP1, patientP2, patientElsewhere, patientSubject({ id: 'p3', organizationId: ORG, careTeamIds: [] })];

  function inScope(principal: Principal, patient: PatientRecordSubject): boolean {
    const scope = patientReadScope(principal);
    if (scope.kind === 'none') return false;
    if (patient.organizationId !== scope.organizationId) return false;
    if (scope.kind === 'organization') return true;
    return scope.patientIds.includes(patient.id) || patient.careTeamIds.some((team) => scope.careTeamIds.includes(team));
  }

  it.each(principals)('%s', (_name, principal) => {
    const ability = defineAbilityFor(principal);
    for (const patient of candidates) expect([patient.id, inScope(principal, patient)]).toEqual([patient.id, ability.can('read', patient)]);
  });
});

describe('role x subject x action matrix of the pure rules', () => {
  it('matches the committed snapshot (type level: may the role ever do this?)', async () => {
    const roles: [string, Principal][] = [
      ['anonymous', ANONYMOUS],
      ['patient', PATIENT],
      ['clinician', CLINICIAN_A],
      ['clinician+formulary', FORMULARY_CLINICIAN],
      ['auditor', AUDITOR],
      ['admin', ADMIN],
      ['integrator(all scopes)', client(['patients:read', 'observations:read', 'observations:write', 'recommendations:read', 'alerts:read'])],
      ['patient, temporary password', PATIENT_TEMPORARY],
      ['clinician+formulary, temporary password', CLINICIAN_TEMPORARY],
    ];
    const abilities = roles.map(([name, principal]) => [name, defineAbilityFor(principal)] as const);
    const lines = ['| subject | action | ' + roles.map(([name]) => name).join(' | ') + ' |', `|${' --- |'.repeat(roles.length + 2)}`];
    for (const subject of SUBJECT_TYPES) {
      for (const action of ACTIONS) {
        const cells = abilities.map(([, ability]) => (ability.can(action, subject) ? 'yes' : ''));
        if (cells.some((cell) => cell !== '')) lines.push(`| ${subject} | ${action} | ${cells.join(' | ')} |`);
      }
    }
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('./__snapshots__/ability-matrix.md');
  });
});
