import { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditEntryInput } from '@clinloop/audit';
import { withTransaction } from '@clinloop/database';
import type { TotpSecretCipher } from '@clinloop/auth';
import { CareTeamEntity, CareTeamMemberEntity, OrganizationEntity, UserEntity } from '@clinloop/organizations';
import {
  CareTeamPatientEntity,
  DeviceBindingEntity,
  DeviceEntity,
  PatientEntity,
  RegimenItemEntity,
  RegimenVersionEntity,
} from '@clinloop/patients';
import { DEMO_CARE_TEAMS, DEMO_ORGANIZATION, DEMO_PATIENTS, DEMO_STAFF } from './demo-organization';
import { ensureDemoSignIns } from './demo-sign-ins';

/** Demo devices are bound this many days before the seed, so 30 days of history are accepted. */
export const DEMO_ENROLMENT_DAYS_AGO = 31;

export interface DemoSeedResult {
  readonly organizationId: string;
  readonly created: boolean;
  readonly counts: { staff: number; patients: number; careTeams: number; devices: number };
}

/**
 * Creates the demo organization in one transaction, or does nothing if it exists (safe to run on
 * every start) - except give sign-ins to demo users that have none (a demo seeded before sign-in
 * existed). Readings come separately, through the ingest path: seedDemoReadings.
 */
export interface DemoSeedOptions {
  /** Encrypts the demo staff's TOTP secret at rest (the key the API uses); without it the API encrypts it at its next start. */
  readonly totpCipher?: Pick<TotpSecretCipher, 'seal'>;
}

export async function seedDemo(dataSource: DataSource, now: Date, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  return withTransaction(dataSource, async (manager) => {
    // Serialises concurrent seeders (two processes starting at once) without a unique-violation race.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['clinloop.seed-demo']);
    const existing = await manager.findOneBy(OrganizationEntity, { slug: DEMO_ORGANIZATION.slug });
    const counts = { staff: DEMO_STAFF.length, patients: DEMO_PATIENTS.length, careTeams: DEMO_CARE_TEAMS.length, devices: DEMO_PATIENTS.length };
    const trail: AuditEntryInput[] = [];
    let organizationId = existing?.id;
    if (!organizationId) {
      const organization = await manager.save(manager.create(OrganizationEntity, { ...DEMO_ORGANIZATION }));
      organizationId = organization.id;
      trail.push(seeded(organizationId, 'organization', organizationId, null, { slug: organization.slug }));
      await createDemoPeople(manager, organizationId, now, trail);
    }
    const signIns = await ensureDemoSignIns(manager, organizationId, now, options.totpCipher);
    if (signIns > 0) trail.push(seeded(organizationId, 'credential', null, null, { demoSignInsCreated: signIns }));
    // The demo organization has its trail like any other: every record the seed creates is audited in this transaction.
    if (trail.length > 0) await new AuditService().append(manager, trail);
    return { organizationId, created: !existing, counts };
  });
}

function seeded(
  organizationId: string,
  resourceType: string,
  resourceId: string | null,
  patientId: string | null,
  payload: AuditEntryInput['payload'] = {},
): AuditEntryInput {
  return {
    actor: { type: 'system', component: 'clinloop seed --demo', organizationId },
    action: `${resourceType}.create`,
    resource: { type: resourceType, id: resourceId },
    patientId,
    outcome: 'success',
    reason: 'demo organization seed',
    payload,
  };
}

async function createDemoPeople(manager: EntityManager, organizationId: string, now: Date, trail: AuditEntryInput[]): Promise<void> {
  const staffByEmail = new Map<string, UserEntity>();
  for (const member of DEMO_STAFF) {
    const user = await manager.save(
      manager.create(UserEntity, {
        organizationId,
        email: member.email,
        displayName: member.displayName,
        role: member.role,
        patientId: null,
        formularyPermission: member.formularyPermission ?? false,
      }),
    );
    staffByEmail.set(member.email, user);
    trail.push(seeded(organizationId, 'user', user.id, null, { role: member.role }));
  }

  const teamsByName = new Map<string, CareTeamEntity>();
  for (const team of DEMO_CARE_TEAMS) {
    const careTeam = await manager.save(manager.create(CareTeamEntity, { organizationId, name: team.name }));
    teamsByName.set(team.name, careTeam);
    trail.push(seeded(organizationId, 'care_team', careTeam.id, null, { name: team.name, members: team.members.length }));
    await manager.save(
      team.members.map((email, index) =>
        manager.create(CareTeamMemberEntity, { careTeamId: careTeam.id, userId: requireValue(staffByEmail.get(email), email).id, escalationOrder: index + 1 }),
      ),
    );
  }

  const prescriber = requireValue(staffByEmail.get(DEMO_STAFF[0]?.email ?? ''), 'first clinician');
  for (const demo of DEMO_PATIENTS) {
    const patient = await manager.save(
      manager.create(PatientEntity, {
        organizationId,
        mrn: demo.mrn,
        givenName: demo.givenName,
        familyName: demo.familyName,
        timeZone: demo.timeZone,
        sex: demo.sex,
        birthYear: demo.birthYear,
        raceEthnicity: demo.raceEthnicity,
        fitzpatrickSkinType: demo.fitzpatrickSkinType,
        pregnancyStatus: demo.pregnancyStatus,
        aceInhibitorAngioedemaHistory: demo.aceInhibitorAngioedemaHistory,
        sulfonamideAllergy: demo.sulfonamideAllergy,
        anuria: false,
      }),
    );
    trail.push(seeded(organizationId, 'patient', patient.id, patient.id, { mrn: demo.mrn }));
    const patientUser = await manager.save(
      manager.create(UserEntity, {
        organizationId,
        email: demo.email,
        displayName: `${demo.givenName} ${demo.familyName}`,
        role: 'patient',
        patientId: patient.id,
      }),
    );
    trail.push(seeded(organizationId, 'user', patientUser.id, patient.id, { role: 'patient' }));
    const careTeam = requireValue(teamsByName.get(demo.careTeam), demo.careTeam);
    await manager.save(manager.create(CareTeamPatientEntity, { careTeamId: careTeam.id, patientId: patient.id }));
    trail.push(seeded(organizationId, 'care_team_patient', careTeam.id, patient.id));
    const device = await manager.save(manager.create(DeviceEntity, { organizationId, ...demo.device }));
    // Bound since enrolment, before the demo readings' 30 days (seedDemoReadings).
    const boundAt = new Date(now.getTime() - DEMO_ENROLMENT_DAYS_AGO * 86_400_000);
    const binding = await manager.save(manager.create(DeviceBindingEntity, { deviceId: device.id, patientId: patient.id, boundAt, unboundAt: null }));
    trail.push(seeded(organizationId, 'device', device.id, patient.id, { serial: device.serial, kind: device.kind, bindingId: binding.id }));
    const regimen = await manager.save(
      manager.create(RegimenVersionEntity, {
        patientId: patient.id,
        version: 1,
        effectiveAt: now,
        recordedBy: prescriber.id,
        reason: 'Regimen at enrolment (demo data)',
      }),
    );
    if (demo.regimen.length > 0) {
      await manager.save(
        demo.regimen.map((item) =>
          manager.create(RegimenItemEntity, { regimenVersionId: regimen.id, drug: item.drug, dailyDoseMg: String(item.dailyDoseMg) }),
        ),
      );
    }
    trail.push(seeded(organizationId, 'regimen_version', regimen.id, patient.id, { version: 1, items: demo.regimen.map((item) => ({ ...item })) }));
  }
}

function requireValue<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`demo data refers to unknown ${what}`);
  return value;
}
