import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, DataSource } from 'typeorm';
import type { AuditEntryInput } from '@clinloop/audit';
import type { UserPrincipal } from '@clinloop/authz';
import { withTransaction } from '@clinloop/database';
import { CareTeamEntity, CareTeamMemberEntity, UserEntity } from '@clinloop/organizations';
import { CareTeamPatientEntity, PatientEntity } from '@clinloop/patients';
import { AUDIT_APPENDER } from '../auth-settings';
import { CareTeamAdminError, CareTeamAdminErrorCode } from '../errors';
import { auditActorFor, securityPayload, type AuditAppender, type RequestMeta } from '../security-audit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewCareTeamMember {
  readonly careTeamId: string;
  readonly userId: string;
  /** 1 is notified first when a CRITICAL alert is not acknowledged; unique within the team. */
  readonly escalationOrder: number;
}

/**
 * Care-team membership, changed by admins of the team's organization: clinicians join and leave
 * (with their escalation order), patients are put on and taken off teams. Membership decides what a
 * clinician may see, so every change is audited in its transaction and applies to the next request
 * (principals are read fresh). Teams, users and patients of another organization answer exactly as
 * missing ones. Lives with accounts and clients in libs/auth: the one library that sees users,
 * patients and the audit appender without a dependency cycle (docs/decisions/0005).
 */
@Injectable()
export class CareTeamAdminService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_APPENDER) private readonly audit: AuditAppender,
  ) {}

  async addMember(admin: UserPrincipal, input: NewCareTeamMember, meta: RequestMeta): Promise<string> {
    if (!Number.isInteger(input.escalationOrder) || input.escalationOrder < 1 || input.escalationOrder > 1000) {
      throw new CareTeamAdminError(CareTeamAdminErrorCode.INVALID_MEMBER, 'The escalation order is a whole number from 1 (notified first).');
    }
    return this.change(admin, input.careTeamId, meta, async (manager, team) => {
      const user = await this.userOf(manager, admin, input.userId);
      if (user.role !== 'clinician' || user.deactivatedAt) throw new CareTeamAdminError(CareTeamAdminErrorCode.INVALID_MEMBER, 'Only active clinicians can be care-team members.');
      const members = await manager.findBy(CareTeamMemberEntity, { careTeamId: team.id });
      if (members.some((member) => member.userId === user.id)) throw new CareTeamAdminError(CareTeamAdminErrorCode.ALREADY_ON_TEAM, `${user.displayName} is already on ${team.name}.`);
      if (members.some((member) => member.escalationOrder === input.escalationOrder)) {
        throw new CareTeamAdminError(CareTeamAdminErrorCode.INVALID_MEMBER, `Escalation order ${input.escalationOrder} is taken on ${team.name}; choose another.`);
      }
      await manager.insert(CareTeamMemberEntity, { careTeamId: team.id, userId: user.id, escalationOrder: input.escalationOrder });
      return this.entry(admin, 'care-team.member_add', team, meta, null, { userId: user.id, escalationOrder: input.escalationOrder });
    });
  }

  async removeMember(admin: UserPrincipal, careTeamId: string, userId: string, meta: RequestMeta): Promise<string> {
    return this.change(admin, careTeamId, meta, async (manager, team) => {
      const user = await this.userOf(manager, admin, userId);
      const members = await manager.findBy(CareTeamMemberEntity, { careTeamId: team.id });
      const member = members.find((candidate) => candidate.userId === user.id);
      if (!member) throw new CareTeamAdminError(CareTeamAdminErrorCode.NOT_ON_TEAM, `${user.displayName} is not on ${team.name}.`);
      const patients = await manager.countBy(CareTeamPatientEntity, { careTeamId: team.id });
      if (members.length === 1 && patients > 0) {
        throw new CareTeamAdminError(CareTeamAdminErrorCode.LAST_CLINICIAN, `${team.name} has patients: add another clinician before removing its last one.`);
      }
      await manager.delete(CareTeamMemberEntity, { careTeamId: team.id, userId: user.id });
      return this.entry(admin, 'care-team.member_remove', team, meta, null, { userId: user.id, escalationOrder: member.escalationOrder });
    });
  }

  async addPatient(admin: UserPrincipal, careTeamId: string, patientId: string, meta: RequestMeta): Promise<string> {
    return this.change(admin, careTeamId, meta, async (manager, team) => {
      const patient = await this.patientOf(manager, admin, patientId);
      if (await manager.existsBy(CareTeamPatientEntity, { careTeamId: team.id, patientId: patient.id })) {
        throw new CareTeamAdminError(CareTeamAdminErrorCode.ALREADY_ON_TEAM, `The patient is already on ${team.name}.`);
      }
      if ((await manager.countBy(CareTeamMemberEntity, { careTeamId: team.id })) === 0) {
        throw new CareTeamAdminError(CareTeamAdminErrorCode.LAST_CLINICIAN, `${team.name} has no clinician yet: add one before its first patient.`);
      }
      await manager.insert(CareTeamPatientEntity, { careTeamId: team.id, patientId: patient.id });
      return this.entry(admin, 'care-team.patient_add', team, meta, patient.id, {});
    });
  }

  async removePatient(admin: UserPrincipal, careTeamId: string, patientId: string, meta: RequestMeta): Promise<string> {
    return this.change(admin, careTeamId, meta, async (manager, team) => {
      const patient = await this.patientOf(manager, admin, patientId);
      const removed = await manager.delete(CareTeamPatientEntity, { careTeamId: team.id, patientId: patient.id });
      if (!removed.affected) throw new CareTeamAdminError(CareTeamAdminErrorCode.NOT_ON_TEAM, `The patient is not on ${team.name}.`);
      return this.entry(admin, 'care-team.patient_remove', team, meta, patient.id, {});
    });
  }

  /** Runs one change with the team row locked (so concurrent changes of a team queue), then audits it. */
  private async change(
    admin: UserPrincipal,
    careTeamId: string,
    meta: RequestMeta,
    apply: (manager: EntityManager, team: CareTeamEntity) => Promise<AuditEntryInput>,
  ): Promise<string> {
    return withTransaction(this.dataSource, async (manager) => {
      const team = UUID.test(careTeamId)
        ? await manager.findOne(CareTeamEntity, { where: { id: careTeamId, organizationId: admin.organizationId }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!team) throw notFound('care team');
      await this.audit.append(manager, [await apply(manager, team)]);
      return team.id;
    });
  }

  private async userOf(manager: EntityManager, admin: UserPrincipal, userId: string): Promise<UserEntity> {
    const user = UUID.test(userId) ? await manager.findOneBy(UserEntity, { id: userId, organizationId: admin.organizationId }) : null;
    if (!user) throw notFound('user');
    return user;
  }

  private async patientOf(manager: EntityManager, admin: UserPrincipal, patientId: string): Promise<PatientEntity> {
    const patient = UUID.test(patientId) ? await manager.findOneBy(PatientEntity, { id: patientId, organizationId: admin.organizationId }) : null;
    if (!patient) throw notFound('patient');
    return patient;
  }

  private entry(
    admin: UserPrincipal,
    action: string,
    team: CareTeamEntity,
    meta: RequestMeta,
    patientId: string | null,
    details: Record<string, string | number>,
  ): AuditEntryInput {
    return {
      actor: auditActorFor(admin),
      action,
      resource: { type: 'CareTeam', id: team.id },
      patientId,
      outcome: 'success',
      requestId: meta.requestId,
      payload: securityPayload(meta, { careTeam: team.name, ...details }),
    };
  }
}

function notFound(what: string): CareTeamAdminError {
  return new CareTeamAdminError(CareTeamAdminErrorCode.NOT_FOUND, `No such ${what}.`);
}
