export * from './care-team.entity';
export * from './organization.entity';
export * from './user.entity';
