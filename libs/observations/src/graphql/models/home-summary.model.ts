import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GuardedBy, GuardedByParent, type PatientRecordSubject } from '@clinloop/authz';
import { HOME_BP_CATEGORIES, type HomeBpCategory } from '@clinloop/clinical';

export const HomeBpCategoryEnum = Object.fromEntries(HOME_BP_CATEGORIES.map((category) => [category, category])) as Record<HomeBpCategory, HomeBpCategory>;
registerEnumType(HomeBpCategoryEnum, {
  name: 'HomeBpCategory',
  description: 'Category of a home mean with the home-equivalent thresholds (ACC/AHA 2017 Table 11: 135/85 is stage 2 at home).',
});

@ObjectType('BloodPressurePair', { description: 'Systolic and diastolic, mm[Hg] (for slopes: mm[Hg] per week).' })
@GuardedByParent()
export class BloodPressurePairModel {
  @Field(() => Float)
  systolic!: number;

  @Field(() => Float)
  diastolic!: number;
}

@ObjectType('FeatureWindow', { description: 'One 7/14/30-day window of decision readings, days on the patient\'s calendar (today included).' })
@GuardedByParent()
export class FeatureWindowModel {
  @Field(() => Int)
  days!: number;

  @Field(() => Int)
  readings!: number;

  @Field(() => Int)
  sessions!: number;

  @Field(() => BloodPressurePairModel, { nullable: true, description: 'Mean of the session means: the figure decisions use.' })
  sessionMean!: BloodPressurePairModel | null;

  @Field(() => BloodPressurePairModel, { nullable: true, description: 'Variability: sample SD of the session means (null below 2 sessions).' })
  sessionMeanSd!: BloodPressurePairModel | null;

  @Field(() => BloodPressurePairModel, { nullable: true, description: 'Mean of the readings.' })
  readingMean!: BloodPressurePairModel | null;

  @Field(() => BloodPressurePairModel, { nullable: true })
  morningMean!: BloodPressurePairModel | null;

  @Field(() => Int)
  morningSessions!: number;

  @Field(() => BloodPressurePairModel, { nullable: true })
  eveningMean!: BloodPressurePairModel | null;

  @Field(() => Int)
  eveningSessions!: number;

  @Field(() => BloodPressurePairModel, { nullable: true, description: 'Least-squares slope of the daily means, mm[Hg] per week (null below 2 days).' })
  slopePerWeek!: BloodPressurePairModel | null;

  @Field(() => Float, { description: 'Share (0-1) of the window\'s days with a morning and an evening session.' })
  adherence!: number;

  @Field(() => Int)
  daysWithSessions!: number;

  @Field(() => HomeBpCategoryEnum, { nullable: true })
  category!: HomeBpCategory | null;
}

@ObjectType('HomeSummary', { description: 'The patient\'s current feature windows (PHI), as last updated by ingestion.' })
@GuardedBy('Observation')
export class HomeSummaryModel {
  @Field(() => ID)
  patientId!: string;

  @Field({ description: 'The patient-local day the windows end on (YYYY-MM-DD).' })
  asOfDay!: string;

  @Field({ description: 'The IANA time zone the days were cut in.' })
  timeZone!: string;

  @Field()
  updatedAt!: Date;

  @Field(() => [FeatureWindowModel])
  windows!: FeatureWindowModel[];

  /** For the ability check; not in the schema. */
  authzSubject!: PatientRecordSubject;
}
