import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { CareTeamModel } from '@clinloop/organizations';
import { PatientModel } from './models/patient.model';
import { PatientsService } from './patients.service';

/** The patients of a care team (the feature that owns patients adds them to the organizations' type). */
@Resolver(() => CareTeamModel)
export class CareTeamPatientsResolver {
  constructor(private readonly patientsService: PatientsService) {}

  // Nullable: for people who may see the team but not its patient list (a patient, an admin) the
  // field is refused on its own, and the rest of the answer survives.
  @ResolveField(() => [PatientModel], { nullable: true, description: 'Patients on this team that you may see (clinical staff only).' })
  @RequireAbility('read', 'Patient')
  patients(@Parent() team: CareTeamModel, @Security() security: SecurityContext): Promise<PatientModel[]> {
    return this.patientsService.patientsOfCareTeam(security, team.id);
  }
}
