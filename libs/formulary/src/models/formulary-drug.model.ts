import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { GuardedByParent } from '@clinloop/authz';

@ObjectType('FormularyDrug', { description: 'Formulary hard limits of one drug: no safety bounds may exceed them.' })
@GuardedByParent()
export class FormularyDrugModel {
  @Field({ description: 'Generic name, e.g. lisinopril.' })
  drug!: string;

  @Field({ description: 'Drug class, e.g. ACE inhibitor.' })
  drugClass!: string;

  @Field(() => [Float], { description: 'Daily dose steps in mg, ascending.' })
  stepsMg!: number[];

  @Field(() => Float, { description: 'Largest daily dose in mg.' })
  maxDailyMg!: number;

  @Field({ description: 'Clinical note from the guideline or label.' })
  note!: string;

  @Field({ description: 'Where these limits come from.' })
  source!: string;

  @Field(() => Int, { description: 'Formulary version of this row.' })
  version!: number;

  @Field(() => String, { nullable: true, description: 'Why this version changed the limits (null for the seeded version).' })
  changeReason!: string | null;

  @Field(() => ID, { nullable: true, description: 'The e-signature (meaning "approved") of this version; null for the seeded version.' })
  signatureId!: string | null;
}
