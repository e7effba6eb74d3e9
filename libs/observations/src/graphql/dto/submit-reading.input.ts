import { Field, Float, ID, InputType } from '@nestjs/graphql';
import { BodyPositionEnum } from '../models/reading.model';
import type { BodyPosition } from '../../reading';

@InputType('QuantityInput', { description: 'A value with its UCUM unit: mm[Hg] (or kPa, converted) for pressures, /min for heart rate.' })
export class QuantityInput {
  @Field(() => Float)
  value!: number;

  @Field()
  unit!: string;
}

@InputType('SubmitReadingInput', { description: 'A reading typed in from a home cuff: validated like a device reading; supporting data, not counted toward decisions.' })
export class SubmitReadingInput {
  @Field(() => ID)
  patientId!: string;

  @Field({ description: 'Chosen by the client per reading (e.g. a UUID); a retry with the same key stores nothing new. 1-200 characters.' })
  idempotencyKey!: string;

  @Field({ description: 'RFC 3339 with the UTC offset, as the cuff showed it, e.g. 2026-11-23T07:41:00-06:00.' })
  measuredAt!: string;

  @Field(() => QuantityInput)
  systolic!: QuantityInput;

  @Field(() => QuantityInput)
  diastolic!: QuantityInput;

  @Field(() => QuantityInput, { nullable: true })
  heartRate?: QuantityInput | null;

  @Field(() => BodyPositionEnum, { nullable: true })
  bodyPosition?: BodyPosition | null;
}
