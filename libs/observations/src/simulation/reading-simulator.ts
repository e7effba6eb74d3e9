/**
 * Synthetic home blood-pressure readings for load tests and demos (`clinloop simulate`,
 * `clinloop seed --demo`). Pure: the random source and the clock are arguments, so a seed
 * reproduces a run exactly.
 */
import type { DeviceKind } from '@clinloop/patients';
import { toFhirObservation } from '../fhir-observation.parser';
import type { MessageFormat } from '../observation-ingest.service';

export interface SimulatedDevice {
  readonly patientId: string;
  readonly deviceId: string;
  /** The device's next sequence number (continues after earlier runs). */
  readonly firstSequence: number;
  /** The patient's usual (morning) blood pressure and heart rate. */
  readonly baseline: { readonly sbp: number; readonly dbp: number; readonly heartRate: number };
  /** What the device says it is in native messages (the registry decides what counts); default upper-arm cuff. */
  readonly deviceKind?: DeviceKind;
}

export interface SimulationOptions {
  readonly days: number;
  readonly now: Date;
  /** Minutes east of UTC of the patients' local time (morning and evening sessions are local). */
  readonly utcOffsetMinutes: number;
  /** Share of readings that are device artifacts (implausible values): dead-lettered as IMPLAUSIBLE. */
  readonly artifactRate: number;
  /** Share of messages that are truncated JSON: dead-lettered as UNPARSEABLE. */
  readonly malformedRate: number;
  /** Share of readings sent as FHIR R4 Observations on fhir.observations.v1 (default 0). */
  readonly fhirShare?: number;
  /** Uniform [0, 1). */
  readonly random: () => number;
}

export type SimulatedKind = 'reading' | 'artifact' | 'malformed';

export interface SimulatedMessage {
  readonly kind: SimulatedKind;
  /** Native messages go to wearable.readings.v1, FHIR Observations to fhir.observations.v1. */
  readonly format: MessageFormat;
  readonly key: string;
  readonly value: Buffer;
  readonly measuredAt: Date;
  readonly deviceId: string;
  readonly sequence: number;
}

/** Mulberry32: a small seeded PRNG, plenty for synthetic data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  // Box-Muller; 1 - random() keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A baseline drawn from a hypertensive home population (mean about 142/88). */
export function randomBaseline(random: () => number): SimulatedDevice['baseline'] {
  return {
    sbp: Math.round(142 + 14 * gaussian(random)),
    dbp: Math.round(88 + 8 * gaussian(random)),
    heartRate: Math.round(72 + 8 * gaussian(random)),
  };
}

function rfc3339(at: Date, utcOffsetMinutes: number): string {
  const local = new Date(at.getTime() + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** What one simulated day needs besides the device. */
export interface SimulatedDayOptions {
  /** The UTC instant of the patient's local midnight that starts the day. */
  readonly localMidnight: Date;
  /** Minutes east of UTC on that day, written into each measured-at. */
  readonly utcOffsetMinutes: number;
  /** The sequence number of the day's first reading; the rest follow consecutively. */
  readonly firstSequence: number;
  readonly artifactRate: number;
  readonly malformedRate: number;
  /** Share of readings sent as FHIR R4 Observations (fhir.observations.v1) instead of native messages. */
  readonly fhirShare: number;
  readonly random: () => number;
}

/**
 * One patient-local day: two sessions (morning about 07:00, evening about 21:00 local, each +-45
 * min) of 2-3 readings a minute apart; the morning surge puts morning readings about 6 mm[Hg]
 * higher, the first reading of a session is about 4 mm[Hg] higher than the rest (the white-coat-like
 * rise that fades on re-measuring), and every reading has measurement noise. Every reading of the
 * day is produced, future ones included (callers drop those), and the random source is drawn the
 * same way whatever is dropped, so a seed gives the same day every time.
 */
export function simulateDay(device: SimulatedDevice, options: SimulatedDayOptions): SimulatedMessage[] {
  const { random, utcOffsetMinutes } = options;
  const messages: SimulatedMessage[] = [];
  let sequence = options.firstSequence;
  for (const session of [
    { hour: 7, surge: 6 },
    { hour: 21, surge: 0 },
  ]) {
    const start =
      options.localMidnight.getTime() + session.hour * 3_600_000 + Math.round((random() * 90 - 45) * 60_000);
    const count = random() < 0.6 ? 2 : 3;
    for (let index = 0; index < count; index++) {
      const measuredAt = new Date(start + index * 60_000 + Math.round(random() * 20_000));
      const firstRise = index === 0 ? 4 : 0;
      let sbp = Math.round(device.baseline.sbp + session.surge + firstRise + 6 * gaussian(random));
      let dbp = Math.round(device.baseline.dbp + session.surge / 2 + firstRise / 2 + 4 * gaussian(random));
      const heartRate = Math.round(device.baseline.heartRate + 5 * gaussian(random));
      // Keep good readings inside the plausible ranges whatever the noise drew.
      sbp = Math.min(240, Math.max(80, sbp));
      dbp = Math.min(sbp - 15, Math.max(45, dbp));
      let kind: SimulatedKind = 'reading';
      if (random() < options.artifactRate) {
        // Typical cuff artifacts: a motion spike, or systolic and diastolic swapped.
        kind = 'artifact';
        [sbp, dbp] = random() < 0.5 ? [sbp + 200, dbp] : [dbp, sbp];
      }
      const reading = {
        deviceId: device.deviceId,
        sequence,
        patientId: device.patientId,
        measuredAt: rfc3339(measuredAt, utcOffsetMinutes),
        systolic: { value: sbp, unit: 'mm[Hg]' },
        diastolic: { value: dbp, unit: 'mm[Hg]' },
        heartRate: { value: heartRate, unit: '/min' },
      };
      const format: MessageFormat = random() < options.fhirShare ? 'fhir-r4-observation' : 'wearable-reading.v1';
      const body = JSON.stringify(
        format === 'fhir-r4-observation'
          ? toFhirObservation(reading)
          : {
              schemaVersion: 1,
              ...reading,
              bodyPosition: 'sitting',
              deviceKind: device.deviceKind ?? 'upper_arm_cuff',
              firmware: '2.4.1',
            },
      );
      const malformed = random() < options.malformedRate;
      messages.push({
        kind: malformed ? 'malformed' : kind,
        format,
        key: device.patientId,
        // A transmission cut short: the bytes end mid-object.
        value: Buffer.from(malformed ? body.slice(0, Math.floor(body.length / 2)) : body),
        measuredAt,
        deviceId: device.deviceId,
        sequence,
      });
      sequence++;
    }
  }
  return messages;
}

/**
 * `days` days of simulateDay per device, ending today (in a fixed UTC offset), with one random
 * stream for the whole run and sequences continuing from each device's first. Readings after `now`
 * are not produced. Sorted by time, as devices would upload them.
 */
export function simulateReadings(
  devices: readonly SimulatedDevice[],
  options: SimulationOptions,
): SimulatedMessage[] {
  const { utcOffsetMinutes } = options;
  const localNow = new Date(options.now.getTime() + utcOffsetMinutes * 60_000);
  const todayMidnight =
    Date.UTC(localNow.getUTCFullYear(), localNow.getUTCMonth(), localNow.getUTCDate()) - utcOffsetMinutes * 60_000;
  const messages: SimulatedMessage[] = [];
  for (const device of devices) {
    let sequence = device.firstSequence;
    for (let day = options.days - 1; day >= 0; day--) {
      const ofDay = simulateDay(device, {
        localMidnight: new Date(todayMidnight - day * 86_400_000),
        utcOffsetMinutes,
        firstSequence: sequence,
        artifactRate: options.artifactRate,
        malformedRate: options.malformedRate,
        fhirShare: options.fhirShare ?? 0,
        random: options.random,
      });
      sequence += ofDay.length;
      messages.push(...ofDay.filter((message) => message.measuredAt <= options.now));
    }
  }
  return messages.sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
}
