import { Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { CareTeamsService } from './care-teams.service';
import { CareTeamModel } from './models/care-team.model';

@Resolver(() => CareTeamModel)
export class CareTeamsResolver {
  constructor(private readonly teams: CareTeamsService) {}

  @Query(() => [CareTeamModel], { description: 'Your care teams (clinicians, patients) or all of the organization (admins).' })
  @RequireAbility('read', 'CareTeam')
  careTeams(@Security() security: SecurityContext): Promise<CareTeamModel[]> {
    return this.teams.visibleTeams(security);
  }
}
