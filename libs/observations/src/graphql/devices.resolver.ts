import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { DeviceModel } from '@clinloop/patients';
import { DeviceRegistryService } from './device-registry.service';
import { RegisterDeviceInput } from './dto/register-device.input';
import { RegisteredDeviceModel } from './models/registered-device.model';

@Resolver(() => RegisteredDeviceModel)
export class DevicesResolver {
  constructor(private readonly registry: DeviceRegistryService) {}

  @Query(() => [DeviceModel], { description: 'Devices bound to the patient now (your own; your care teams\' patients).' })
  @RequireAbility('read', 'Device')
  devices(@Security() security: SecurityContext, @Args('patientId', { type: () => ID }) patientId: string): Promise<DeviceModel[]> {
    return this.registry.devicesOf(security, patientId);
  }

  @Mutation(() => RegisteredDeviceModel, { description: 'Add a device to your organization\'s inventory (clinicians, admins).' })
  @RequireAbility('create', 'DeviceInventory')
  registerDevice(@Security() security: SecurityContext, @Args('input') input: RegisterDeviceInput): Promise<RegisteredDeviceModel> {
    return this.registry.register(security, input);
  }

  @Mutation(() => DeviceModel, { description: 'Bind an unbound device to a patient of your care team; its readings are accepted from now on.' })
  @RequireAbility('update', 'Device')
  bindDevice(
    @Security() security: SecurityContext,
    @Args('deviceId', { type: () => ID }) deviceId: string,
    @Args('patientId', { type: () => ID }) patientId: string,
  ): Promise<DeviceModel> {
    return this.registry.bind(security, deviceId, patientId);
  }

  @Mutation(() => RegisteredDeviceModel, { description: 'Unbind a device from its patient (of your care team); its later readings are refused.' })
  @RequireAbility('update', 'Device')
  unbindDevice(@Security() security: SecurityContext, @Args('deviceId', { type: () => ID }) deviceId: string): Promise<RegisteredDeviceModel> {
    return this.registry.unbind(security, deviceId);
  }
}
