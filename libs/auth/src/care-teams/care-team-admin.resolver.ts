import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { CareTeamModel, CareTeamsService } from '@clinloop/organizations';
import { AddCareTeamMemberInput, CareTeamPatientInput, RemoveCareTeamMemberInput } from '../dto/auth.inputs';
import { CareTeamAdminError, CareTeamAdminErrorCode } from '../errors';
import { metaOf, userOf } from '../request-principal';
import { CareTeamAdminService } from './care-team-admin.service';

@Resolver(() => CareTeamModel)
export class CareTeamAdminResolver {
  constructor(
    private readonly admin: CareTeamAdminService,
    private readonly teams: CareTeamsService,
  ) {}

  @Mutation(() => CareTeamModel, { description: 'Put a clinician on a care team with their escalation order (admins of the organization; audited).' })
  @RequireAbility('update', 'CareTeam')
  async addCareTeamMember(@Security() security: SecurityContext, @Args('input') input: AddCareTeamMemberInput): Promise<CareTeamModel> {
    return this.team(security, await this.admin.addMember(userOf(security), input, metaOf(security)));
  }

  @Mutation(() => CareTeamModel, { description: 'Take a clinician off a care team (not its last one while it has patients; audited).' })
  @RequireAbility('update', 'CareTeam')
  async removeCareTeamMember(@Security() security: SecurityContext, @Args('input') input: RemoveCareTeamMemberInput): Promise<CareTeamModel> {
    return this.team(security, await this.admin.removeMember(userOf(security), input.careTeamId, input.userId, metaOf(security)));
  }

  @Mutation(() => CareTeamModel, { description: 'Put a patient on a care team: its clinicians see the patient from the next request (audited).' })
  @RequireAbility('update', 'CareTeam')
  async addPatientToCareTeam(@Security() security: SecurityContext, @Args('input') input: CareTeamPatientInput): Promise<CareTeamModel> {
    return this.team(security, await this.admin.addPatient(userOf(security), input.careTeamId, input.patientId, metaOf(security)));
  }

  @Mutation(() => CareTeamModel, { description: 'Take a patient off a care team (audited).' })
  @RequireAbility('update', 'CareTeam')
  async removePatientFromCareTeam(@Security() security: SecurityContext, @Args('input') input: CareTeamPatientInput): Promise<CareTeamModel> {
    return this.team(security, await this.admin.removePatient(userOf(security), input.careTeamId, input.patientId, metaOf(security)));
  }

  private async team(security: SecurityContext, careTeamId: string): Promise<CareTeamModel> {
    const [team] = await this.teams.teamsById(security, [careTeamId]);
    if (!team) throw new CareTeamAdminError(CareTeamAdminErrorCode.NOT_FOUND, 'No such care team.');
    return team;
  }
}
