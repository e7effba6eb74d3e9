import { DataSource } from 'typeorm';
import type { AuditActor } from '@clinloop/audit';
import type { DevicesService } from '../devices.service';
import { randomBaseline, type SimulatedDevice } from './reading-simulator';

export const SIMULATION_ORGANIZATION_SLUG = 'simulation';
/** Devices are bound this long before they are first needed, so any `--days` up to a year is accepted. */
const BOUND_BEFORE_DAYS = 366;

export interface SimulationPopulation {
  readonly organizationId: string;
  readonly devices: readonly SimulatedDevice[];
  readonly createdPatients: number;
}

/**
 * Patients SIM-00001..N of the `simulation` organization, each with one validated upper-arm cuff
 * bound to them (registered and bound through DevicesService, so audited). Existing ones are reused
 * and their devices continue after the highest sequence already stored.
 */
export async function prepareSimulationPopulation(
  dataSource: DataSource,
  devices: DevicesService,
  options: { readonly patients: number; readonly now: Date; readonly random: () => number },
): Promise<SimulationPopulation> {
  const actor: AuditActor = { type: 'system', component: 'cli.simulate' };
  await dataSource.query(
    `INSERT INTO organizations (slug, name) VALUES ($1, 'Simulated patients') ON CONFLICT (slug) DO NOTHING`,
    [SIMULATION_ORGANIZATION_SLUG],
  );
  const [organization] = await dataSource.query<{ id: string }[]>(
    'SELECT id FROM organizations WHERE slug = $1',
    [SIMULATION_ORGANIZATION_SLUG],
  );
  if (!organization) throw new Error('the simulation organization could not be created');
  const result: SimulatedDevice[] = [];
  let createdPatients = 0;
  for (let index = 1; index <= options.patients; index++) {
    const mrn = `SIM-${String(index).padStart(5, '0')}`;
    const created = await dataSource.query<{ id: string }[]>(
      `INSERT INTO patients (organization_id, mrn, given_name, family_name, time_zone) VALUES ($1, $2, 'Sim', $3, 'Europe/Berlin')
       ON CONFLICT (organization_id, mrn) DO NOTHING RETURNING id`,
      [organization.id, mrn, `Patient ${index}`],
    );
    createdPatients += created.length;
    const [patient] = await dataSource.query<{ id: string }[]>(
      'SELECT id FROM patients WHERE organization_id = $1 AND mrn = $2',
      [organization.id, mrn],
    );
    if (!patient) throw new Error(`patient ${mrn} could not be created`);
    const serial = `SIM-CUFF-${String(index).padStart(5, '0')}`;
    let [device] = await dataSource.query<{ id: string }[]>(
      'SELECT id FROM devices WHERE organization_id = $1 AND serial = $2',
      [organization.id, serial],
    );
    if (!device) {
      device = await devices.registerDevice(actor, {
        organizationId: organization.id,
        serial,
        kind: 'upper_arm_cuff',
        model: 'Simulated M7',
        validated: true,
      });
      await devices.bindDevice(actor, {
        deviceId: device.id,
        patientId: patient.id,
        boundAt: new Date(options.now.getTime() - BOUND_BEFORE_DAYS * 86_400_000),
      });
    }
    const [last] = await dataSource.query<{ max: string | null }[]>(
      'SELECT max(device_seq) AS max FROM observations WHERE device_id = $1',
      [device.id],
    );
    result.push({
      patientId: patient.id,
      deviceId: device.id,
      firstSequence: last?.max ? Number(last.max) + 1 : 1,
      baseline: randomBaseline(options.random),
    });
  }
  return { organizationId: organization.id, devices: result, createdPatients };
}
