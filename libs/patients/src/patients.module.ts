import { Module } from '@nestjs/common';
import { OrganizationsModule } from '@clinloop/organizations';
import { CareTeamPatientsResolver } from './care-team-patients.resolver';
import { PatientsResolver } from './patients.resolver';
import { PatientsService } from './patients.service';
import { RegimenSigningSource } from './regimen-signing';
import { ViewerPatientResolver } from './viewer-patient.resolver';

@Module({
  imports: [OrganizationsModule],
  providers: [PatientsService, PatientsResolver, CareTeamPatientsResolver, ViewerPatientResolver, RegimenSigningSource],
  exports: [PatientsService, RegimenSigningSource],
})
export class PatientsModule {}
