import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { ViewerModel } from '@clinloop/organizations';
import { PatientModel } from './models/patient.model';
import { PatientsService } from './patients.service';

@Resolver(() => ViewerModel)
export class ViewerPatientResolver {
  constructor(private readonly patientsService: PatientsService) {}

  @ResolveField(() => PatientModel, { nullable: true, description: 'For a patient: their own record. Null for staff.' })
  @RequireAbility('read', 'Viewer')
  patient(@Parent() viewer: ViewerModel, @Security() security: SecurityContext): Promise<PatientModel | null> {
    return viewer.patientId ? this.patientsService.patient(security, viewer.patientId) : Promise.resolve(null);
  }
}
