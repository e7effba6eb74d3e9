import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { GuardedBy, GuardedByParent, type PatientRecordSubject } from '@clinloop/authz';

@ObjectType('SafetyBoundsAllowedDrug', { description: 'A drug the envelope may change without review, with its daily dose range (mg).' })
@GuardedByParent()
export class SafetyBoundsAllowedDrugModel {
  @Field()
  drug!: string;

  @Field(() => Float)
  minDailyMg!: number;

  @Field(() => Float)
  maxDailyMg!: number;
}

@ObjectType('SafetyBoundsVersion', { description: 'One version of a patient\'s clinician-signed safety bounds (PHI). Versions are never rewritten.' })
@GuardedBy('SafetyBounds')
export class SafetyBoundsVersionModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  patientId!: string;

  @Field(() => Int, { description: 'Increases by one with every signing: 1, 2, 3...' })
  version!: number;

  @Field(() => Float, { description: 'Home target: at target means SBP below targetSbp and DBP below targetDbp.' })
  targetSbp!: number;

  @Field(() => Float)
  targetDbp!: number;

  @Field(() => [SafetyBoundsAllowedDrugModel])
  allowedDrugs!: SafetyBoundsAllowedDrugModel[];

  @Field(() => Int, { nullable: true, description: 'Largest increase (ladder steps) without review; rules default when null.' })
  maxAutoIncreaseSteps!: number | null;

  @Field(() => Float, { nullable: true, description: 'Minimum days between increases; rules default when null.' })
  minIncreaseIntervalDays!: number | null;

  @Field(() => Float, { description: 'Proposals with a lower model confidence go to review.' })
  confidenceFloor!: number;

  @Field({ description: 'Version of the clinical rules table the bounds were validated against.' })
  rulesVersion!: string;

  @Field(() => ID, { description: 'The clinician who authored and signed this version.' })
  authoredBy!: string;

  @Field(() => ID, { description: 'The electronic signature (meaning AUTHORED) covering this version.' })
  signatureId!: string;

  @Field()
  createdAt!: Date;

  /** What this record is for authorization; not in the schema. */
  authzSubject!: PatientRecordSubject;
}

@InputType('SafetyBoundsAllowedDrugInput')
export class SafetyBoundsAllowedDrugInput {
  @Field()
  drug!: string;

  @Field(() => Float)
  minDailyMg!: number;

  @Field(() => Float)
  maxDailyMg!: number;
}

@InputType('SignSafetyBoundsInput', { description: 'New safety bounds for a patient, with the signer\'s re-entered e-mail and password (21 CFR 11.200).' })
export class SignSafetyBoundsInput {
  @Field(() => ID)
  patientId!: string;

  @Field(() => Float)
  targetSbp!: number;

  @Field(() => Float)
  targetDbp!: number;

  @Field(() => [SafetyBoundsAllowedDrugInput])
  allowedDrugs!: SafetyBoundsAllowedDrugInput[];

  @Field(() => Int, { nullable: true })
  maxAutoIncreaseSteps?: number | null;

  @Field(() => Float, { nullable: true })
  minIncreaseIntervalDays?: number | null;

  @Field(() => Float)
  confidenceFloor!: number;

  @Field({ description: 'The signer\'s sign-in e-mail (identification code).' })
  email!: string;

  @Field()
  password!: string;
}
