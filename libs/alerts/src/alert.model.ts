import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GuardedBy, type PatientRecordSubject } from '@clinloop/authz';
import type { AlertCondition } from '@clinloop/clinical';

/** Said with every alert a patient sees: nobody watches readings around the clock. */
export const MONITORING_NOTICE =
  'Your readings are not watched around the clock. If you feel unwell - chest pain, shortness of breath, weakness, trouble speaking or seeing - call your local emergency number now.';

/** Plain-language guidance per condition, for the patient. */
export const PATIENT_GUIDANCE: Readonly<Record<AlertCondition, string>> = {
  HYPERTENSIVE_CRISIS:
    'Your blood pressure was very high. Sit quietly for 5 minutes and measure again. If it is still this high, or you have chest pain, shortness of breath, back pain, numbness, weakness, or trouble seeing or speaking, call your local emergency number now.',
  PERSISTENT_HYPOTENSION:
    'Your blood pressure has been low for several readings. Do not take extra doses. Stand up slowly, and contact your care team today. If you faint or feel very unwell, call your local emergency number.',
  PERSISTENT_UNCONTROLLED: 'Your blood pressure has stayed above your target. Keep taking your medicines as prescribed; your care team will review your treatment.',
  PREGNANCY_ON_ACE_OR_ARB:
    'One of your blood-pressure medicines should not be taken during pregnancy. Stop taking it and contact your care team today.',
};

@ObjectType('Alert', { description: 'A clinical alert about one patient (PHI). Open until resolved; one open alert per patient and condition.' })
@GuardedBy('Alert')
export class AlertModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  patientId!: string;

  @Field({ description: 'HYPERTENSIVE_CRISIS, PERSISTENT_HYPOTENSION, PERSISTENT_UNCONTROLLED or PREGNANCY_ON_ACE_OR_ARB.' })
  condition!: string;

  @Field({ description: 'LOW, MEDIUM, HIGH or CRITICAL.' })
  severity!: string;

  @Field()
  message!: string;

  @Field({ description: 'Plain-language guidance for the patient.' })
  guidance!: string;

  @Field({ description: 'Readings are not watched around the clock: shown with every alert.' })
  monitoringNotice!: string;

  @Field()
  raisedAt!: Date;

  @Field(() => Date, { nullable: true })
  acknowledgedAt!: Date | null;

  @Field(() => ID, { nullable: true })
  acknowledgedBy!: string | null;

  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;

  @Field()
  rulesVersion!: string;

  /** What this record is for authorization; not in the schema. */
  authzSubject!: PatientRecordSubject;
}
