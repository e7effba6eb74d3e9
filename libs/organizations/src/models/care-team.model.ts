import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { GuardedBy, GuardedByParent, type CareTeamSubject } from '@clinloop/authz';
import type { UserRole } from '../user.entity';
import { UserRoleEnum } from './user-role.enum';

@ObjectType('CareTeamMember', { description: 'A clinician on a care team, in escalation order.' })
@GuardedByParent()
export class CareTeamMemberModel {
  @Field(() => ID)
  userId!: string;

  @Field()
  displayName!: string;

  @Field(() => UserRoleEnum)
  role!: UserRole;

  @Field(() => Int, { description: '1 is notified first when an alert is not acknowledged.' })
  escalationOrder!: number;
}

@ObjectType('CareTeam', { description: 'Clinicians who look after a group of patients.' })
@GuardedBy('CareTeam')
export class CareTeamModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => [CareTeamMemberModel])
  members!: CareTeamMemberModel[];

  /** For the ability check; not in the schema. */
  authzSubject!: CareTeamSubject;
}
