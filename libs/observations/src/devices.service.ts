import { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '@clinloop/audit';
import { withTransaction } from '@clinloop/database';
import {
  DeviceBindingEntity,
  DeviceEntity,
  PatientEntity,
  PatientsError,
  PatientsErrorCode,
  type DeviceKind,
} from '@clinloop/patients';
import { ObservationError, ObservationErrorCode } from './errors';

export interface RegisterDeviceInput {
  readonly organizationId: string;
  readonly serial: string;
  readonly kind: DeviceKind;
  readonly model: string;
  /** Clinically validated (e.g. on the STRIDE BP list); only validated upper-arm cuffs count toward decisions. */
  readonly validated: boolean;
}

/**
 * Device registration and binding, each change audited in its own transaction. Callers (the GraphQL
 * edge, the simulator, the demo seed) check permission first; the service checks consistency.
 */
export class DevicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async registerDevice(actor: AuditActor, input: RegisterDeviceInput): Promise<DeviceEntity> {
    return withTransaction(this.dataSource, async (manager) => {
      const existing = await manager.findOne(DeviceEntity, {
        where: { organizationId: input.organizationId, serial: input.serial },
      });
      if (existing) {
        throw new ObservationError(
          ObservationErrorCode.DEVICE_ALREADY_REGISTERED,
          `a device with serial ${input.serial} is already registered`,
          {
            deviceId: existing.id,
          },
        );
      }
      const device = await manager.save(manager.create(DeviceEntity, { ...input }));
      await this.audit.append(manager, [
        {
          actor,
          action: 'device.register',
          resource: { type: 'device', id: device.id },
          outcome: 'success',
          payload: {
            serial: device.serial,
            kind: device.kind,
            model: device.model,
            validated: device.validated,
            organizationId: device.organizationId,
          },
        },
      ]);
      return device;
    });
  }

  /** Opens a binding from `boundAt` (default now); a device has at most one open binding. */
  async bindDevice(
    actor: AuditActor,
    input: { readonly deviceId: string; readonly patientId: string; readonly boundAt?: Date },
  ): Promise<DeviceBindingEntity> {
    return withTransaction(this.dataSource, async (manager) => {
      const device = await this.lockDevice(manager, input.deviceId);
      const patient = await manager.findOne(PatientEntity, { where: { id: input.patientId } });
      if (!patient || patient.organizationId !== device.organizationId) {
        throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'no such patient', {
          patientId: input.patientId,
        });
      }
      const open = await openBinding(manager, device.id);
      if (open) {
        throw new ObservationError(
          ObservationErrorCode.DEVICE_ALREADY_BOUND,
          `device ${device.id} is already bound; unbind it first`,
          {
            deviceId: device.id,
            patientId: open.patientId,
          },
        );
      }
      const binding = await manager.save(
        manager.create(DeviceBindingEntity, {
          deviceId: device.id,
          patientId: patient.id,
          boundAt: input.boundAt ?? new Date(),
          unboundAt: null,
        }),
      );
      await this.audit.append(manager, [
        {
          actor,
          action: 'device.bind',
          resource: { type: 'device', id: device.id },
          patientId: patient.id,
          outcome: 'success',
          payload: { bindingId: binding.id, boundAt: binding.boundAt.toISOString() },
        },
      ]);
      return binding;
    });
  }

  /** Closes the open binding; readings measured after `at` from this device are then refused. */
  async unbindDevice(
    actor: AuditActor,
    input: { readonly deviceId: string; readonly at?: Date },
  ): Promise<DeviceBindingEntity> {
    return withTransaction(this.dataSource, async (manager) => {
      const device = await this.lockDevice(manager, input.deviceId);
      const open = await openBinding(manager, device.id);
      if (!open)
        throw new ObservationError(
          ObservationErrorCode.DEVICE_NOT_BOUND,
          `device ${device.id} is not bound to anyone`,
          { deviceId: device.id },
        );
      open.unboundAt = input.at ?? new Date();
      await manager.save(open);
      await this.audit.append(manager, [
        {
          actor,
          action: 'device.unbind',
          resource: { type: 'device', id: device.id },
          patientId: open.patientId,
          outcome: 'success',
          payload: { bindingId: open.id, unboundAt: open.unboundAt.toISOString() },
        },
      ]);
      return open;
    });
  }

  /** Row lock on the device: binds and unbinds of one device happen one at a time. */
  private async lockDevice(manager: EntityManager, deviceId: string): Promise<DeviceEntity> {
    const device = await manager.findOne(DeviceEntity, {
      where: { id: deviceId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!device)
      throw new ObservationError(
        ObservationErrorCode.UNKNOWN_DEVICE,
        `device ${deviceId} is not registered`,
        { deviceId },
      );
    return device;
  }
}

function openBinding(manager: EntityManager, deviceId: string): Promise<DeviceBindingEntity | null> {
  return manager
    .createQueryBuilder(DeviceBindingEntity, 'binding')
    .where('binding.device_id = :deviceId AND binding.unbound_at IS NULL', { deviceId })
    .getOne();
}
