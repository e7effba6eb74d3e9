import { DataSource, EntityManager } from 'typeorm';
import type { AuditActor } from '@clinloop/audit';
import { withTransaction } from '@clinloop/database';
import {
  DeviceBindingEntity,
  DeviceEntity,
  PatientEntity,
  PatientsError,
  PatientsErrorCode,
  type DeviceKind,
} from '@clinloop/patients';
import type { AuditTrail } from './audit-trail';
import { ObservationError, ObservationErrorCode } from './errors';

export interface RegisterDeviceInput {
  readonly organizationId: string;
  readonly serial: string;
  readonly kind: DeviceKind;
  readonly model: string;
  /** Clinically validated (e.g. on the STRIDE BP list); only validated upper-arm cuffs count toward decisions. */
  readonly validated: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who may change which binding, as the GraphQL edge decides it: devices of this organization only,
 * and `mayChange(patientId)` about the patient a device is bound to or is being bound to. A device
 * outside that is "not found", a patient outside it "no such patient" - as if they did not exist.
 */
export interface BindingScope {
  readonly organizationId: string;
  readonly mayChange: (patientId: string) => Promise<boolean>;
}

/**
 * Device registration and binding, each change audited in its own transaction. Callers (the GraphQL
 * edge, the simulator, the demo seed) check permission first - the edge passes a BindingScope for
 * the checks that need the rows - and the service checks consistency.
 */
export class DevicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
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
    scope?: BindingScope,
  ): Promise<DeviceBindingEntity> {
    return withTransaction(this.dataSource, async (manager) => {
      const device = await this.lockDevice(manager, input.deviceId, scope);
      const patient = UUID.test(input.patientId)
        ? await manager.findOne(PatientEntity, { where: { id: input.patientId } })
        : null;
      if (
        !patient ||
        patient.organizationId !== device.organizationId ||
        (scope !== undefined && !(await scope.mayChange(patient.id)))
      ) {
        throw new PatientsError(PatientsErrorCode.NOT_FOUND, 'no such patient', {
          patientId: input.patientId,
        });
      }
      const open = await openBinding(manager, device.id);
      if (open) {
        // Whom it is bound to is only said to someone who may see that patient's devices.
        const visible = scope === undefined || (await scope.mayChange(open.patientId));
        throw new ObservationError(
          ObservationErrorCode.DEVICE_ALREADY_BOUND,
          `device ${device.id} is already bound; unbind it first`,
          visible ? { deviceId: device.id, patientId: open.patientId } : { deviceId: device.id },
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
    scope?: BindingScope,
  ): Promise<DeviceBindingEntity> {
    return withTransaction(this.dataSource, async (manager) => {
      const device = await this.lockDevice(manager, input.deviceId, scope);
      const open = await openBinding(manager, device.id);
      if (open && scope !== undefined && !(await scope.mayChange(open.patientId))) throw deviceNotFound(device.id);
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
  private async lockDevice(manager: EntityManager, deviceId: string, scope?: BindingScope): Promise<DeviceEntity> {
    const device = UUID.test(deviceId)
      ? await manager.findOne(DeviceEntity, { where: { id: deviceId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!device || (scope !== undefined && device.organizationId !== scope.organizationId)) throw deviceNotFound(deviceId);
    return device;
  }
}

function deviceNotFound(deviceId: string): ObservationError {
  return new ObservationError(ObservationErrorCode.DEVICE_NOT_FOUND, 'No such device.', { deviceId: deviceId.slice(0, 64) });
}

function openBinding(manager: EntityManager, deviceId: string): Promise<DeviceBindingEntity | null> {
  return manager
    .createQueryBuilder(DeviceBindingEntity, 'binding')
    .where('binding.device_id = :deviceId AND binding.unbound_at IS NULL', { deviceId })
    .getOne();
}
