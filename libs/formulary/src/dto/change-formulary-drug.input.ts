import { Field, Float, InputType } from '@nestjs/graphql';

@InputType()
export class ChangeFormularyDrugInput {
  @Field({ description: 'Generic name of a drug the formulary lists, e.g. lisinopril.' })
  drug!: string;

  @Field(() => [Float], { description: 'Daily dose steps in mg, strictly ascending; the largest is the new daily maximum.' })
  stepsMg!: number[];

  @Field({ description: 'Clinical note from the guideline or label.' })
  note!: string;

  @Field({ description: 'Where these limits come from.' })
  source!: string;

  @Field({ description: 'Why the limits change (recorded with the version and in the audit trail).' })
  reason!: string;

  @Field({ description: 'Re-enter your identification code (sign-in e-mail) to sign the change (meaning "approved").' })
  email!: string;

  @Field({ description: 'Re-enter your password to sign the change.' })
  password!: string;
}
