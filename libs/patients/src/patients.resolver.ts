import { Args, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { CareTeamModel, CareTeamsService } from '@clinloop/organizations';
import { DeviceModel } from './models/device.model';
import { PatientModel } from './models/patient.model';
import { RegimenVersionModel } from './models/regimen.model';
import { PatientsService } from './patients.service';

@Resolver(() => PatientModel)
export class PatientsResolver {
  constructor(
    private readonly patientsService: PatientsService,
    private readonly careTeamsService: CareTeamsService,
  ) {}

  @Query(() => PatientModel, { description: 'One patient record you may see; any other id is "not found".' })
  @RequireAbility('read', 'Patient')
  patient(@Security() security: SecurityContext, @Args('id', { type: () => ID }) id: string): Promise<PatientModel> {
    return this.patientsService.patient(security, id);
  }

  @Query(() => [PatientModel], { description: "The patients you may see (your care teams' patients; your own record), by family name." })
  @RequireAbility('read', 'Patient')
  patients(
    @Security() security: SecurityContext,
    @Args('first', { type: () => Int, defaultValue: 50, description: 'Page size, at most 100.' }) first: number,
    @Args('offset', { type: () => Int, defaultValue: 0 }) offset: number,
  ): Promise<PatientModel[]> {
    return this.patientsService.patients(security, { first, offset });
  }

  @ResolveField(() => [CareTeamModel], { description: 'Care teams looking after the patient (those you may see).' })
  @RequireAbility('read', 'CareTeam')
  careTeams(@Parent() patient: PatientModel, @Security() security: SecurityContext): Promise<CareTeamModel[]> {
    return this.careTeamsService.teamsById(security, patient.authzSubject.careTeamIds);
  }

  @ResolveField(() => RegimenVersionModel, { nullable: true, description: 'The current antihypertensive regimen.' })
  @RequireAbility('read', 'RegimenVersion')
  currentRegimen(@Parent() patient: PatientModel, @Security() security: SecurityContext): Promise<RegimenVersionModel | null> {
    return this.patientsService.currentRegimen(security, patient);
  }

  @ResolveField(() => [DeviceModel], { description: 'Devices bound to the patient now.' })
  @RequireAbility('read', 'Device')
  devices(@Parent() patient: PatientModel, @Security() security: SecurityContext): Promise<DeviceModel[]> {
    return this.patientsService.devices(security, patient);
  }
}
