import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GuardedBy, type OrganizationRecordSubject } from '@clinloop/authz';
import { DeviceKindEnum, type DeviceKind } from '@clinloop/patients';

@ObjectType('RegisteredDevice', { description: 'A device in the organization\'s inventory, without the patient it may be bound to (no PHI).' })
@GuardedBy('DeviceInventory')
export class RegisteredDeviceModel {
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
  registeredAt!: Date;

  /** For the ability check; not in the schema. */
  authzSubject!: OrganizationRecordSubject;
}
