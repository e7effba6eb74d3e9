import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { GuardedBy, GuardedByParent, type PatientRecordSubject } from '@clinloop/authz';

@ObjectType('RegimenItem', { description: 'One antihypertensive drug and its daily dose.' })
@GuardedByParent()
export class RegimenItemModel {
  @Field()
  drug!: string;

  @Field(() => Float)
  dailyDoseMg!: number;
}

@ObjectType('RegimenVersion', { description: 'A version of a patient\'s regimen; every change is a new version (PHI).' })
@GuardedBy('RegimenVersion')
export class RegimenVersionModel {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  version!: number;

  @Field()
  effectiveAt!: Date;

  @Field()
  reason!: string;

  @Field(() => [RegimenItemModel])
  items!: RegimenItemModel[];

  /** For the ability check; not in the schema. */
  authzSubject!: PatientRecordSubject;
}
