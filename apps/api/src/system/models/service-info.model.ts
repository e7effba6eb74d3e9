import { Field, ObjectType } from '@nestjs/graphql';
import { GuardedByParent } from '@clinloop/authz';

@ObjectType('ServiceInfo', { description: 'What this ClinLoop deployment is running on (no PHI).' })
@GuardedByParent()
export class ServiceInfoModel {
  @Field({ description: 'ClinLoop version.' })
  version!: string;

  @Field({ description: 'Runtime mode: development, test or production.' })
  environment!: string;

  @Field({ description: '`external` (DATABASE_URL) or `embedded` PostgreSQL.' })
  database!: string;

  @Field({ description: '`kafka` or `in-process` (demo only) stream transport.' })
  stream!: string;

  @Field({ description: 'When this API process started.' })
  startedAt!: Date;
}
