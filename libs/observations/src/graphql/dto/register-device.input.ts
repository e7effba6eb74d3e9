import { Field, InputType } from '@nestjs/graphql';
import { DeviceKindEnum, type DeviceKind } from '@clinloop/patients';

@InputType('RegisterDeviceInput', { description: 'A device for the organization\'s inventory; bind it to a patient with bindDevice.' })
export class RegisterDeviceInput {
  @Field({ description: 'The manufacturer\'s serial, unique in the organization.' })
  serial!: string;

  @Field(() => DeviceKindEnum)
  kind!: DeviceKind;

  @Field()
  model!: string;

  @Field({ description: 'Clinically validated (e.g. on the STRIDE BP list); only validated upper-arm cuffs count toward decisions.' })
  validated!: boolean;
}
