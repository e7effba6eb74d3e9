import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GuardedBy, type PatientRecordSubject } from '@clinloop/authz';
import { PREGNANCY_STATUSES, SEXES, type PregnancyStatus, type Sex } from '../patient.entity';

const SexEnum = Object.fromEntries(SEXES.map((sex) => [sex.toUpperCase(), sex])) as Record<Uppercase<Sex>, Sex>;
registerEnumType(SexEnum, { name: 'Sex' });
const PregnancyStatusEnum = Object.fromEntries(PREGNANCY_STATUSES.map((status) => [status.toUpperCase(), status])) as Record<
  Uppercase<PregnancyStatus>,
  PregnancyStatus
>;
registerEnumType(PregnancyStatusEnum, { name: 'PregnancyStatus' });

/**
 * A patient record: PHI. Each field is here on purpose - identification, and the clinical facts the
 * safety envelope uses. The fairness demographics (race/ethnicity, skin type) are deliberately not.
 */
@ObjectType('Patient', { description: 'A patient in remote blood-pressure management (PHI).' })
@GuardedBy('Patient')
export class PatientModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Medical record number, unique within the organization.' })
  mrn!: string;

  @Field()
  givenName!: string;

  @Field()
  familyName!: string;

  @Field(() => Int, { nullable: true })
  birthYear!: number | null;

  @Field(() => SexEnum, { nullable: true })
  sex!: Sex | null;

  @Field({ description: 'IANA time zone; morning and evening readings are judged in it.' })
  timeZone!: string;

  @Field(() => PregnancyStatusEnum, { description: 'ACE inhibitors and ARBs are contraindicated in pregnancy.' })
  pregnancyStatus!: PregnancyStatus;

  @Field({ description: 'History of angioedema on an ACE inhibitor.' })
  aceInhibitorAngioedemaHistory!: boolean;

  @Field()
  sulfonamideAllergy!: boolean;

  @Field()
  anuria!: boolean;

  /** For the ability check and nested fields; not in the schema. */
  authzSubject!: PatientRecordSubject;
}
