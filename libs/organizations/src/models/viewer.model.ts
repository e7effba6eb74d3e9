import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GuardedBy, type OwnSubject } from '@clinloop/authz';
import type { UserRole } from '../user.entity';
import { UserRoleEnum } from './user-role.enum';

@ObjectType('Viewer', { description: 'The signed-in user.' })
@GuardedBy('Viewer')
export class ViewerModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Sign-in e-mail (the identification code).' })
  email!: string;

  @Field({ description: 'Name as printed on signatures.' })
  displayName!: string;

  @Field(() => UserRoleEnum)
  role!: UserRole;

  @Field(() => ID)
  organizationId!: string;

  /** For the ability check; not in the schema. */
  authzSubject!: OwnSubject;

  /** For the patient role, the record they may see; resolved by the patients feature. */
  patientId!: string | null;
}
