export * from './care-team.entity';
export * from './care-teams.service';
export * from './models/care-team.model';
export * from './models/user-role.enum';
export * from './models/viewer.model';
export * from './organization.entity';
export * from './organizations.module';
export * from './user.entity';
