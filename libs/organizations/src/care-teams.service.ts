import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { SecurityContext } from '@clinloop/authz';
import { CareTeamEntity, CareTeamMemberEntity } from './care-team.entity';
import { CareTeamModel } from './models/care-team.model';
import { UserEntity } from './user.entity';

/** Care teams as the caller may see them: filtered by the ability, never across organizations. */
@Injectable()
export class CareTeamsService {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's care teams: a clinician's own, a patient's own, all of the organization for an admin. */
  async visibleTeams(security: SecurityContext): Promise<CareTeamModel[]> {
    const { principal } = security;
    if (principal.kind !== 'user') return [];
    const where =
      principal.role === 'admin'
        ? { organizationId: principal.organizationId }
        : { organizationId: principal.organizationId, id: In([...principal.careTeamIds]) };
    const teams = await this.dataSource.getRepository(CareTeamEntity).find({ where, order: { name: 'ASC' } });
    return this.readable(security, await this.toModels(teams));
  }

  /** Care teams by id, those the caller may read, in the order asked. */
  async teamsById(security: SecurityContext, ids: readonly string[]): Promise<CareTeamModel[]> {
    if (ids.length === 0 || security.principal.kind === 'anonymous') return [];
    const teams = await this.dataSource.getRepository(CareTeamEntity).findBy({ id: In([...ids]), organizationId: security.principal.organizationId });
    const models = this.readable(security, await this.toModels(teams));
    return ids.map((id) => models.find((model) => model.id === id)).filter((model): model is CareTeamModel => model !== undefined);
  }

  private readable(security: SecurityContext, teams: CareTeamModel[]): CareTeamModel[] {
    return teams.filter((team) => security.ability.can('read', team.authzSubject));
  }

  private async toModels(teams: CareTeamEntity[]): Promise<CareTeamModel[]> {
    if (teams.length === 0) return [];
    const members = await this.dataSource
      .getRepository(CareTeamMemberEntity)
      .find({ where: { careTeamId: In(teams.map((team) => team.id)) }, order: { escalationOrder: 'ASC' } });
    const users = await this.dataSource.getRepository(UserEntity).findBy({ id: In([...new Set(members.map((member) => member.userId))]) });
    const userById = new Map(users.map((user) => [user.id, user]));
    return teams.map((team) => ({
      id: team.id,
      name: team.name,
      members: members
        .filter((member) => member.careTeamId === team.id)
        .flatMap((member) => {
          const user = userById.get(member.userId);
          return user ? [{ userId: user.id, displayName: user.displayName, role: user.role, escalationOrder: member.escalationOrder }] : [];
        }),
      authzSubject: { kind: 'CareTeam', id: team.id, organizationId: team.organizationId },
    }));
  }
}
