import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GuardedBy, type OrganizationRecordSubject } from '@clinloop/authz';

@ObjectType('BreakGlassGrant', { description: 'Emergency access to a patient outside the clinician\'s care teams.' })
@GuardedBy('BreakGlassGrant')
export class BreakGlassGrantModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  clinicianId!: string;

  @Field()
  clinicianName!: string;

  @Field(() => ID)
  patientId!: string;

  @Field({ description: 'Why the clinician needed access, in their words.' })
  reason!: string;

  @Field()
  openedAt!: Date;

  @Field()
  expiresAt!: Date;

  /** For the ability check; not in the schema. */
  authzSubject!: OrganizationRecordSubject;
}
