import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Socket, type Server } from 'node:net';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { vi } from 'vitest';
import {
  KafkaStreamTransport,
  type IncomingMessage,
  type StreamTransport,
  type Subscription,
} from '@clinloop/messaging';
import { toFhirObservation } from '@clinloop/observations';
import type { DeviceKind } from '@clinloop/patients';

export { ingestService, TEST_POLICY } from './ingestion-service';

export interface BoundPatient {
  readonly patientId: string;
  readonly deviceId: string;
}

/** An organization with `count` patients, each with one device bound since 90 days ago. */
export async function createBoundPatients(
  dataSource: DataSource,
  count: number,
  kind: DeviceKind = 'upper_arm_cuff',
): Promise<BoundPatient[]> {
  const [organization] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO organizations (slug, name) VALUES ($1, 'Ingestion test') RETURNING id`,
    [`ingest-${randomBytes(4).toString('hex')}`],
  );
  if (!organization) throw new Error('no organization');
  const patients: BoundPatient[] = [];
  for (let index = 0; index < count; index++) {
    const [patient] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO patients (organization_id, mrn, given_name, family_name, time_zone) VALUES ($1, $2, 'Test', 'Patient', 'Europe/Berlin') RETURNING id`,
      [organization.id, `MRN-${index}-${randomBytes(3).toString('hex')}`],
    );
    const [device] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO devices (organization_id, serial, kind, model, validated) VALUES ($1, $2, $3, 'Test cuff', true) RETURNING id`,
      [organization.id, `SN-${randomUUID()}`, kind],
    );
    if (!patient || !device) throw new Error('no patient or device');
    await dataSource.query(
      `INSERT INTO device_bindings (device_id, patient_id, bound_at) VALUES ($1, $2, now() - interval '90 days')`,
      [device.id, patient.id],
    );
    patients.push({ patientId: patient.id, deviceId: device.id });
  }
  return patients;
}

export interface ReadingSpec {
  readonly patient: BoundPatient;
  readonly sequence: number;
  readonly measuredAt: Date;
  readonly sbp?: number;
  readonly dbp?: number;
  readonly heartRate?: number;
  readonly unit?: string;
}

/** RFC 3339 with a +01:00 offset, as a device in Berlin would send it. */
export function withOffset(at: Date): string {
  const local = new Date(at.getTime() + 60 * 60_000);
  return `${local.toISOString().slice(0, 19)}+01:00`;
}

export function nativeReading(spec: ReadingSpec): Buffer {
  const unit = spec.unit ?? 'mm[Hg]';
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 1,
      deviceId: spec.patient.deviceId,
      sequence: spec.sequence,
      patientId: spec.patient.patientId,
      measuredAt: withOffset(spec.measuredAt),
      systolic: { value: spec.sbp ?? 128, unit },
      diastolic: { value: spec.dbp ?? 82, unit },
      heartRate: { value: spec.heartRate ?? 70, unit: '/min' },
      bodyPosition: 'sitting',
      deviceKind: 'upper_arm_cuff',
      firmware: '1.0.0',
    }),
  );
}

export function fhirReading(spec: ReadingSpec): Buffer {
  return Buffer.from(
    JSON.stringify(
      toFhirObservation({
        deviceId: spec.patient.deviceId,
        sequence: spec.sequence,
        patientId: spec.patient.patientId,
        measuredAt: withOffset(spec.measuredAt),
        systolic: { value: spec.sbp ?? 128, unit: spec.unit ?? 'mm[Hg]' },
        diastolic: { value: spec.dbp ?? 82, unit: spec.unit ?? 'mm[Hg]' },
        heartRate: { value: spec.heartRate ?? 70, unit: '/min' },
      }),
    ),
  );
}

export function brokersFromSetup(provided: string): string[] {
  if (!provided)
    throw new Error('test/global-setup.ts did not provide kafkaBrokers; ingestion tests need a real broker');
  return provided.split(',');
}

export function testTransport(brokers: readonly string[], clientId: string): KafkaStreamTransport {
  return new KafkaStreamTransport({ brokers, clientId });
}

/** Everything that arrives on `topic` from now on (a group of its own, from the beginning). */
export async function collectTopic(
  transport: StreamTransport,
  topic: string,
  groupId: string,
): Promise<{ messages: IncomingMessage[]; subscription: Subscription }> {
  const messages: IncomingMessage[] = [];
  const subscription = await transport.subscribe({
    groupId,
    topics: [topic],
    fromBeginning: true,
    handleBatch: (batch) => {
      messages.push(...batch.messages);
      return Promise.resolve();
    },
  });
  return { messages, subscription };
}

/** Sum of a counter over all its labels, read from the registry the worker writes to. */
export async function counterValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  return (await metric.get()).values.reduce((sum, value) => sum + value.value, 0);
}

export async function countRows(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[] = [],
): Promise<number> {
  const [row] = await dataSource.query<{ count: string }[]>(sql, parameters);
  return Number(row?.count ?? 0);
}

/** Delivery is asynchronous and the machine is busy: wait generously for a condition. */
export function eventually(assertion: () => Promise<void> | void, timeout = 45_000): Promise<void> {
  return vi.waitFor(assertion, { timeout, interval: 200 });
}

/**
 * A TCP proxy in front of PostgreSQL that can be cut (every connection dropped, new ones refused)
 * and restored on the same port: a database outage the pool sees exactly like a real one.
 */
export class CuttableTcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
