import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GuardedBy, type PatientRecordSubject } from '@clinloop/authz';
import { DEVICE_KINDS, type DeviceKind } from '../device.entity';

export const DeviceKindEnum = Object.fromEntries(DEVICE_KINDS.map((kind) => [kind.toUpperCase(), kind])) as Record<Uppercase<DeviceKind>, DeviceKind>;
registerEnumType(DeviceKindEnum, { name: 'DeviceKind' });

@ObjectType('Device', { description: 'A measuring device currently bound to the patient.' })
@GuardedBy('Device')
export class DeviceModel {
  @Field(() => ID)
  id!: string;

  @Field()
  serial!: string;

  @Field(() => DeviceKindEnum)
  kind!: DeviceKind;

  @Field()
  model!: string;

  @Field({ description: 'Clinically validated upper-arm cuff: only its readings count toward decisions.' })
  validated!: boolean;

  @Field()
  boundAt!: Date;

  /** For the ability check; not in the schema. */
  authzSubject!: PatientRecordSubject;
}
