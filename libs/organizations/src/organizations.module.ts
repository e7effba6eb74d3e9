import { Module } from '@nestjs/common';
import { CareTeamsResolver } from './care-teams.resolver';
import { CareTeamsService } from './care-teams.service';
import { ViewerResolver } from './viewer.resolver';

@Module({ providers: [CareTeamsService, CareTeamsResolver, ViewerResolver], exports: [CareTeamsService] })
export class OrganizationsModule {}
