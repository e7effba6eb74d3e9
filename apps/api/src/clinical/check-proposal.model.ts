import { Field, Float, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GuardedByParent } from '@clinloop/authz';
import { ALERT_CONDITIONS, ALERT_SEVERITIES, type AlertCondition, type AlertSeverity, type Tier } from '@clinloop/clinical';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((value) => [value, value])) as Record<T, T>;

const TierEnum = enumOf<Tier>(['AUTO', 'REVIEW', 'BLOCKED']);
registerEnumType(TierEnum, { name: 'EnvelopeTier', description: 'AUTO: within the signed bounds; REVIEW: a clinician must approve; BLOCKED: never.' });
const AlertConditionEnum = enumOf(ALERT_CONDITIONS);
registerEnumType(AlertConditionEnum, { name: 'AlertCondition' });
const AlertSeverityEnum = enumOf(ALERT_SEVERITIES);
registerEnumType(AlertSeverityEnum, { name: 'AlertSeverity' });

@InputType('EnvelopeRegimenItemInput')
export class EnvelopeRegimenItemInput {
  @Field()
  drug!: string;

  @Field(() => Float)
  dailyDoseMg!: number;
}

@InputType('EnvelopeAllowedDrugInput')
export class EnvelopeAllowedDrugInput {
  @Field()
  drug!: string;

  @Field(() => Float)
  minDailyMg!: number;

  @Field(() => Float)
  maxDailyMg!: number;
}

@InputType('EnvelopeBoundsInput', { description: 'Safety bounds as in docs/envelope-check.md; they count only when signed (signedAt and signedBy) and valid.' })
export class EnvelopeBoundsInput {
  @Field()
  version!: string;

  @Field(() => Float)
  targetSbp!: number;

  @Field(() => Float)
  targetDbp!: number;

  @Field(() => [EnvelopeAllowedDrugInput])
  allowedDrugs!: EnvelopeAllowedDrugInput[];

  @Field(() => Int, { nullable: true })
  maxAutoIncreaseSteps?: number | null;

  @Field(() => Float, { nullable: true })
  minIncreaseIntervalDays?: number | null;

  @Field(() => Float)
  confidenceFloor!: number;

  @Field(() => Date, { nullable: true })
  signedAt?: Date | null;

  @Field(() => String, { nullable: true })
  signedBy?: string | null;
}

@InputType('EnvelopeOpenAlertInput')
export class EnvelopeOpenAlertInput {
  @Field(() => AlertConditionEnum)
  condition!: AlertCondition;

  @Field(() => AlertSeverityEnum)
  severity!: AlertSeverity;
}

@InputType('EnvelopePatientInput', { description: 'Every flag is required: a missing pregnancy or allergy flag is never read as "no".' })
export class EnvelopePatientInput {
  @Field(() => [EnvelopeRegimenItemInput])
  regimen!: EnvelopeRegimenItemInput[];

  @Field(() => EnvelopeBoundsInput, { nullable: true, description: 'Required: null when the patient has no signed bounds (omitting it is an error).' })
  bounds?: EnvelopeBoundsInput | null;

  @Field()
  pregnant!: boolean;

  @Field()
  angioedemaHistory!: boolean;

  @Field()
  sulfonamideAllergy!: boolean;

  @Field()
  anuria!: boolean;

  @Field(() => [EnvelopeOpenAlertInput])
  openAlerts!: EnvelopeOpenAlertInput[];

  @Field(() => Date, { nullable: true, description: 'Required: null if never increased (omitting it is an error).' })
  lastIncreaseAt?: Date | null;
}

@InputType('EnvelopeProposalInput')
export class EnvelopeProposalInput {
  @Field()
  drug!: string;

  @Field(() => Float)
  fromMg!: number;

  @Field(() => Float)
  toMg!: number;

  @Field(() => Float)
  confidence!: number;
}

@InputType('CheckProposalInput', { description: 'One titration proposal with the patient facts the envelope needs (docs/envelope-check.md).' })
export class CheckProposalInput {
  @Field({ description: 'The decision time; the envelope never reads a clock.' })
  now!: Date;

  @Field(() => EnvelopePatientInput)
  patient!: EnvelopePatientInput;

  @Field(() => EnvelopeProposalInput)
  proposal!: EnvelopeProposalInput;
}

@ObjectType('EnvelopeReason')
@GuardedByParent()
export class EnvelopeReasonModel {
  @Field({ description: 'The rule id, e.g. BLOCK_OUTSIDE_FORMULARY, REVIEW_LOW_CONFIDENCE, AUTO_WITHIN_BOUNDS.' })
  rule!: string;

  @Field()
  message!: string;
}

@ObjectType('EnvelopeDecision', { description: 'How the safety envelope would route a proposal. Nothing is created.' })
@GuardedByParent()
export class EnvelopeDecisionModel {
  @Field(() => TierEnum)
  tier!: Tier;

  @Field({ description: 'A decrease or stop larger than one step: the review queue puts it first.' })
  urgent!: boolean;

  @Field(() => [EnvelopeReasonModel], { description: 'The rules that decided, in rule order; never empty.' })
  reasons!: EnvelopeReasonModel[];

  @Field()
  rulesVersion!: string;

  @Field(() => String, { nullable: true })
  boundsVersion!: string | null;
}
