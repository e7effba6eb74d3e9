import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
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

  @Field(() => ID, { nullable: true, description: 'The clinician who resolved the alert.' })
  resolvedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the alert was resolved, as the clinician wrote it.' })
  resolutionReason!: string | null;

  @Field()
  rulesVersion!: string;

  /** What this record is for authorization; not in the schema. */
  authzSubject!: PatientRecordSubject;
}

@ObjectType('AlertQueueItem', { description: 'One open alert in a clinician\'s queue, with the patient\'s name (PHI).' })
@GuardedBy('Alert')
export class AlertQueueItemModel {
  @Field(() => AlertModel)
  alert!: AlertModel;

  @Field({ description: 'Given and family name of the patient.' })
  patientName!: string;

  @Field({ description: 'Whether a clinician has acknowledged the alert (an unacknowledged CRITICAL alert escalates).' })
  acknowledged!: boolean;

  authzSubject!: PatientRecordSubject;
}

@ObjectType('CrisisGuidance', {
  description: 'Emergency guidance while a hypertensive-crisis episode is open: shown at the first crisis-range reading, until the re-measure window closes (PHI).',
})
@GuardedBy('Alert')
export class CrisisGuidanceModel {
  @Field(() => ID)
  patientId!: string;

  @Field({ description: 'When the crisis-range reading that opened the episode was taken.' })
  triggeredAt!: Date;

  @Field({ description: 'AWAITING_REMEASURE, CONFIRMED, NOT_CONFIRMED or NO_REMEASURE.' })
  status!: string;

  @Field({ description: 'What to do now, in plain language.' })
  message!: string;

  @Field(() => [String], { description: 'With any of these, call emergency services now.' })
  emergencySymptoms!: string[];

  @Field(() => Date, { nullable: true, description: 'When to measure again if there are no symptoms; null once the re-measure is in.' })
  remeasureAt!: Date | null;

  @Field({ description: 'Until when a re-measure counts; without one by then the care team is alerted.' })
  confirmBy!: Date;

  @Field(() => Int, { description: 'Re-measure readings received so far.' })
  remeasureCount!: number;

  @Field({ description: 'Readings are not watched around the clock.' })
  monitoringNotice!: string;

  authzSubject!: PatientRecordSubject;
}
