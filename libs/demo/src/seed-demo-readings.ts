import { DataSource } from 'typeorm';
import { AuditService } from '@clinloop/audit';
import {
  ObservationIngestService,
  seededRandom,
  simulateDay,
  type IngestPolicy,
  type SimulatedMessage,
} from '@clinloop/observations';
import type { DeviceKind } from '@clinloop/patients';
import { DEMO_ORGANIZATION, DEMO_PATIENTS, type DemoPatient } from './demo-organization';

export const DEMO_READING_DAYS = 30;
/** Sequence numbers per local day: a day has at most 6 readings (2 sessions of 2-3). */
const SEQUENCES_PER_DAY = 10;
const MS_PER_DAY = 86_400_000;
/** Demo cuffs upload about this long after measuring, so historical readings are not "late". */
const UPLOAD_DELAY_MS = 90_000;

export interface DemoReadingsResult {
  readonly patients: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
}

interface DemoDeviceRow {
  organization_id: string;
  patient_id: string;
  mrn: string;
  time_zone: string;
  device_id: string;
  kind: DeviceKind;
  bound_at: Date;
}

/**
 * 30 days of demo readings for the demo patients, sent through the one ingest path
 * (ObservationIngestService.ingestMessages: parsing, validation against the device registry and
 * binding, storing, feature windows, alerts, inference queue, one audit entry per batch), in process,
 * one batch per patient.
 *
 * Each patient-local day is simulated from a seed of (device serial, date) with sequence numbers
 * derived from the date, so the same day always gives the same readings: a second run stores nothing
 * new (and so audits nothing), and a run on a later day adds only the readings measured since.
 */
export async function seedDemoReadings(
  dataSource: DataSource,
  options: { readonly now: Date; readonly policy: IngestPolicy; readonly days?: number },
): Promise<DemoReadingsResult> {
  const { now } = options;
  const devices = await dataSource.query<DemoDeviceRow[]>(
    `SELECT o.id AS organization_id, p.id AS patient_id, p.mrn, p.time_zone, d.id AS device_id, d.kind, b.bound_at
       FROM organizations o
       JOIN patients p ON p.organization_id = o.id
       JOIN device_bindings b ON b.patient_id = p.id AND b.unbound_at IS NULL
       JOIN devices d ON d.id = b.device_id
      WHERE o.slug = $1 AND p.mrn = ANY($2::text[]) AND d.serial = ANY($3::text[])
      ORDER BY p.mrn`,
    [DEMO_ORGANIZATION.slug, DEMO_PATIENTS.map((patient) => patient.mrn), DEMO_PATIENTS.map((patient) => patient.device.serial)],
  );
  const ingest = new ObservationIngestService(dataSource, new AuditService(), {
    policy: options.policy,
    clock: () => now,
    component: 'cli.seed-demo',
  });
  let stored = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const row of devices) {
    const demo = DEMO_PATIENTS.find((patient) => patient.mrn === row.mrn);
    if (!demo) continue;
    const messages = demoMessages(demo, row, now, options.days ?? DEMO_READING_DAYS);
    if (messages.length === 0) continue;
    const outcome = await ingest.ingestMessages(
      messages.map((message) => ({
        format: message.format,
        key: message.key,
        value: message.value,
        receivedAt: new Date(Math.min(now.getTime(), message.measuredAt.getTime() + UPLOAD_DELAY_MS)),
      })),
      {
        id: `demo-seed:${demo.mrn}:${messages[0]?.sequence ?? 0}-${messages.at(-1)?.sequence ?? 0}`,
        actor: { type: 'system', component: 'clinloop seed --demo', organizationId: row.organization_id },
      },
    );
    stored += outcome.stored.length;
    duplicates += outcome.duplicates;
    rejected += outcome.rejections.filter((rejection) => rejection !== null).length;
  }
  return { patients: devices.length, stored, duplicates, rejected };
}

/** The patient's readings of the last `days` local days, measured while the device was bound and not after now. */
function demoMessages(demo: DemoPatient, row: DemoDeviceRow, now: Date, days: number): SimulatedMessage[] {
  const today = localDate(now, row.time_zone);
  const boundAt = new Date(row.bound_at).getTime();
  const messages: SimulatedMessage[] = [];
  for (let daysAgo = days - 1; daysAgo >= 0; daysAgo--) {
    const date = today - daysAgo * MS_PER_DAY;
    const midnight = localMidnight(date, row.time_zone);
    const ofDay = simulateDay(
      { patientId: row.patient_id, deviceId: row.device_id, firstSequence: 0, baseline: demo.homeBaseline, deviceKind: row.kind },
      {
        localMidnight: midnight,
        utcOffsetMinutes: utcOffsetMinutes(midnight, row.time_zone),
        firstSequence: (date / MS_PER_DAY) * SEQUENCES_PER_DAY,
        artifactRate: 0,
        malformedRate: 0,
        fhirShare: 0,
        random: seededRandom(fnv1a(`${demo.device.serial}:${new Date(date).toISOString().slice(0, 10)}`)),
      },
    );
    messages.push(
      ...ofDay.filter((message) => message.measuredAt.getTime() <= now.getTime() && message.measuredAt.getTime() >= boundAt),
    );
  }
  return messages;
}

/** The patient's calendar date of an instant, as the UTC midnight of that date (ms). */
function localDate(at: Date, timeZone: string): number {
  const local = at.getTime() + utcOffsetMinutes(at, timeZone) * 60_000;
  return Math.floor(local / MS_PER_DAY) * MS_PER_DAY;
}

/** The instant the date (a UTC midnight, ms) begins in the zone; the offset is re-read once for DST days. */
function localMidnight(date: number, timeZone: string): Date {
  const guess = date - utcOffsetMinutes(new Date(date), timeZone) * 60_000;
  return new Date(date - utcOffsetMinutes(new Date(guess), timeZone) * 60_000);
}

/** Minutes east of UTC of an IANA zone at an instant. */
function utcOffsetMinutes(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** FNV-1a, 32 bits: a stable seed from a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
