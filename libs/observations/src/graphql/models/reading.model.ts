import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GuardedBy, type PatientRecordSubject } from '@clinloop/authz';
import { OFFICE_BP_CATEGORIES, type OfficeBpCategory } from '@clinloop/clinical';
import { DeviceKindEnum, type DeviceKind } from '@clinloop/patients';
import { BODY_POSITIONS, READING_SOURCES, type BodyPosition, type ReadingSource } from '../../reading';

function upperCaseEnum<T extends string>(values: readonly T[]): Record<Uppercase<T>, T> {
  return Object.fromEntries(values.map((value) => [value.toUpperCase(), value])) as Record<Uppercase<T>, T>;
}

export const ReadingSourceEnum = upperCaseEnum(READING_SOURCES);
registerEnumType(ReadingSourceEnum, {
  name: 'ReadingSource',
  description: 'How the reading reached ClinLoop: DEVICE (wearable.readings.v1), FHIR (fhir.observations.v1) or MANUAL (typed in).',
});

export const BodyPositionEnum = upperCaseEnum(BODY_POSITIONS);
registerEnumType(BodyPositionEnum, { name: 'BodyPosition' });

export const OfficeBpCategoryEnum = Object.fromEntries(OFFICE_BP_CATEGORIES.map((category) => [category, category])) as Record<
  OfficeBpCategory,
  OfficeBpCategory
>;
registerEnumType(OfficeBpCategoryEnum, {
  name: 'BpCategory',
  description: 'ACC/AHA 2017 category of one reading (office thresholds; the higher of systolic and diastolic wins).',
});

export const READING_FLAGS = [
  'CRISIS_RANGE',
  'HYPOTENSIVE_SYSTOLIC',
  'HYPOTENSIVE_DIASTOLIC',
  'LATE',
  'ENTERED_IN_ERROR',
  'SUPPORTING_DATA',
] as const;
export type ReadingFlagName = (typeof READING_FLAGS)[number];
export const ReadingFlagEnum = Object.fromEntries(READING_FLAGS.map((flag) => [flag, flag])) as Record<ReadingFlagName, ReadingFlagName>;
registerEnumType(ReadingFlagEnum, {
  name: 'ReadingFlag',
  description:
    'CRISIS_RANGE: above 180 systolic or 120 diastolic; HYPOTENSIVE_SYSTOLIC / _DIASTOLIC: below 90 / 60; LATE: arrived long after it was measured; ENTERED_IN_ERROR: marked wrong by a person (kept, never used); SUPPORTING_DATA: shown, but not a validated upper-arm cuff reading, so it does not count toward decisions.',
  valuesMap: {
    CRISIS_RANGE: { description: 'Systolic above 180 or diastolic above 120 mm[Hg] (clinical-rules.md).' },
    SUPPORTING_DATA: { description: 'Manual entry, wrist or cuffless device, or an unvalidated cuff: does not count toward decisions.' },
  },
});

/** One stored reading as a patient or their care team sees it (PHI): values, where it came from, how it is judged. */
@ObjectType('Reading', { description: 'One home reading (PHI): canonical values, origin, and how clinical-rules.md judges it. Never deleted.' })
@GuardedBy('Observation')
export class ReadingModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  patientId!: string;

  @Field({ description: 'When it was measured.' })
  measuredAt!: Date;

  @Field(() => Int, { description: 'The UTC offset (minutes east) the device or the patient stated with it.' })
  utcOffsetMinutes!: number;

  @Field({ description: 'When it reached ClinLoop.' })
  receivedAt!: Date;

  @Field()
  storedAt!: Date;

  @Field(() => ReadingSourceEnum)
  source!: ReadingSource;

  @Field(() => ID, { nullable: true, description: 'The registered device; null for manual entry.' })
  deviceId!: string | null;

  @Field(() => DeviceKindEnum, { nullable: true, description: 'The registered kind of that device (the registry decides, not the message).' })
  deviceKind!: DeviceKind | null;

  @Field(() => Float, { nullable: true, description: 'Systolic pressure, mm[Hg].' })
  systolic!: number | null;

  @Field(() => Float, { nullable: true, description: 'Diastolic pressure, mm[Hg].' })
  diastolic!: number | null;

  @Field(() => Float, { nullable: true, description: 'Heart rate, /min.' })
  heartRate!: number | null;

  @Field(() => Int, { nullable: true })
  steps!: number | null;

  @Field(() => BodyPositionEnum, { nullable: true })
  bodyPosition!: BodyPosition | null;

  @Field(() => String, { nullable: true, description: 'The pressure unit it arrived in (kPa is converted; the original is kept).' })
  originalPressureUnit!: string | null;

  @Field(() => Float, { nullable: true })
  originalSystolic!: number | null;

  @Field(() => Float, { nullable: true })
  originalDiastolic!: number | null;

  @Field({ description: 'A validated upper-arm cuff reading not entered in error: it feeds the windows and decisions.' })
  countsTowardDecisions!: boolean;

  @Field()
  late!: boolean;

  @Field()
  enteredInError!: boolean;

  @Field(() => String, { nullable: true })
  enteredInErrorReason!: string | null;

  @Field(() => OfficeBpCategoryEnum, { nullable: true, description: 'Null for a reading without blood pressure.' })
  category!: OfficeBpCategory | null;

  @Field(() => [ReadingFlagEnum])
  flags!: ReadingFlagName[];

  /** For the ability check; not in the schema. */
  authzSubject!: PatientRecordSubject;
}

@ObjectType('SubmittedReading', { description: 'The outcome of submitReading: the stored reading, and whether this was a retry of an earlier submission.' })
@GuardedBy('Observation')
export class SubmittedReadingModel {
  @Field(() => ReadingModel)
  reading!: ReadingModel;

  @Field({ description: 'True when the idempotency key was used before: nothing new was stored, the first reading is returned.' })
  replayed!: boolean;

  /** For the ability check; not in the schema. */
  authzSubject!: PatientRecordSubject;
}
