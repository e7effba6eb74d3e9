import type { DataSource } from 'typeorm';
import { auditActorFor } from '@clinloop/auth';
import { AuthzError, AuthzErrorCode, type OrganizationRecordSubject, type PatientRecordSubject, type SecurityContext } from '@clinloop/authz';
import { DeviceBindingEntity, DeviceEntity, type DeviceModel } from '@clinloop/patients';
import { type BindingScope, type DevicesService } from '../devices.service';
import { ObservationError, ObservationErrorCode } from '../errors';
import type { RegisterDeviceInput } from './dto/register-device.input';
import type { RegisteredDeviceModel } from './models/registered-device.model';
import { patientRecordOf, readablePatientRecord } from './patient-record';

const MAX_TEXT = 120;

/**
 * Devices behind the GraphQL edge: the organization's inventory (register), and bindings to patients
 * (bind, unbind, list) for whoever may change that patient's devices. Changes are audited by
 * DevicesService; lists are recorded in the request's audit entries.
 */
export class DeviceRegistryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly devices: DevicesService,
  ) {}

  /** Devices bound to the patient now, oldest binding first. */
  async devicesOf(security: SecurityContext, patientId: string): Promise<DeviceModel[]> {
    const subject = await readablePatientRecord(this.dataSource.manager, security, patientId, 'Device');
    const rows = await this.dataSource
      .getRepository(DeviceBindingEntity)
      .createQueryBuilder('binding')
      .innerJoinAndSelect('binding.device', 'device')
      .where('binding.patient_id = :patientId AND binding.unbound_at IS NULL', { patientId: subject.patientId })
      .orderBy('binding.bound_at', 'ASC')
      .getMany();
    security.audit.record({ action: 'devices.read', resource: { type: 'Device', id: null }, patientId: subject.patientId, outcome: 'success', payload: { count: rows.length } });
    return rows
      .flatMap((binding) => (binding.device ? [boundDevice(binding.device, binding, subject)] : []))
      .filter((device) => security.ability.can('read', device.authzSubject));
  }

  async register(security: SecurityContext, input: RegisterDeviceInput): Promise<RegisteredDeviceModel> {
    const principal = security.principal;
    if (principal.kind === 'anonymous') throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'Sign in first.');
    const inventory: OrganizationRecordSubject = { kind: 'DeviceInventory', organizationId: principal.organizationId };
    if (!security.ability.can('create', inventory)) throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'You may not register devices.');
    const serial = input.serial.trim();
    const model = input.model.trim();
    if (serial.length === 0 || serial.length > MAX_TEXT || model.length === 0 || model.length > MAX_TEXT) {
      throw new ObservationError(ObservationErrorCode.SCHEMA_INVALID, `serial and model must be 1-${MAX_TEXT} characters`);
    }
    const device = await this.devices.registerDevice(auditActorFor(principal), {
      organizationId: principal.organizationId,
      serial,
      kind: input.kind,
      model,
      validated: input.validated,
    });
    return inventoryDevice(device);
  }

  async bind(security: SecurityContext, deviceId: string, patientId: string): Promise<DeviceModel> {
    const { scope, subjects } = this.scopeOf(security);
    const binding = await this.devices.bindDevice(auditActorFor(security.principal), { deviceId, patientId }, scope);
    const device = await this.dataSource.getRepository(DeviceEntity).findOneByOrFail({ id: binding.deviceId });
    const subject = subjects.get(binding.patientId);
    if (!subject) throw new ObservationError(ObservationErrorCode.DEVICE_NOT_FOUND, 'No such device.');
    return boundDevice(device, binding, subject);
  }

  async unbind(security: SecurityContext, deviceId: string): Promise<RegisteredDeviceModel> {
    const { scope } = this.scopeOf(security);
    const binding = await this.devices.unbindDevice(auditActorFor(security.principal), { deviceId }, scope);
    return inventoryDevice(await this.dataSource.getRepository(DeviceEntity).findOneByOrFail({ id: binding.deviceId }));
  }

  /** Binding changes need `update` of the patient's Device records; the subjects looked up are kept for the answer. */
  private scopeOf(security: SecurityContext): { scope: BindingScope; subjects: Map<string, PatientRecordSubject> } {
    const principal = security.principal;
    if (principal.kind === 'anonymous') throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'Sign in first.');
    const subjects = new Map<string, PatientRecordSubject>();
    return {
      subjects,
      scope: {
        organizationId: principal.organizationId,
        mayChange: async (patientId) => {
          const subject = await patientRecordOf(this.dataSource.manager, principal.organizationId, patientId, 'Device');
          if (subject) subjects.set(patientId, subject);
          return subject !== null && security.ability.can('update', subject);
        },
      },
    };
  }
}

function inventoryDevice(device: DeviceEntity): RegisteredDeviceModel {
  return {
    id: device.id,
    serial: device.serial,
    kind: device.kind,
    model: device.model,
    validated: device.validated,
    registeredAt: device.createdAt,
    authzSubject: { kind: 'DeviceInventory', id: device.id, organizationId: device.organizationId },
  };
}

function boundDevice(device: DeviceEntity, binding: DeviceBindingEntity, patient: PatientRecordSubject): DeviceModel {
  return {
    id: device.id,
    serial: device.serial,
    kind: device.kind,
    model: device.model,
    validated: device.validated,
    boundAt: binding.boundAt,
    authzSubject: { ...patient, kind: 'Device', id: device.id },
  };
}
