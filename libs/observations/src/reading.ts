import type { Quantity } from '@clinloop/clinical';

export const READING_SOURCES = ['device', 'fhir', 'manual'] as const;
/** How the reading reached us; FHIR and device messages for the same reading dedupe against each other. */
export type ReadingSource = (typeof READING_SOURCES)[number];

export const BODY_POSITIONS = ['sitting', 'standing', 'lying'] as const;
export type BodyPosition = (typeof BODY_POSITIONS)[number];

/**
 * One reading as any source states it, before clinical validation: values still in the units
 * they arrived in. The native message, a FHIR Observation and a manual entry all map to this.
 */
export interface ReadingClaim {
  readonly source: ReadingSource;
  /** Null only for manual entry without a device. */
  readonly deviceId: string | null;
  readonly sequence: number | null;
  readonly patientId: string;
  readonly measuredAt: Date;
  /** The offset the device stated (minutes east of UTC), kept for morning/evening in local time. */
  readonly utcOffsetMinutes: number;
  readonly systolic: Quantity | null;
  readonly diastolic: Quantity | null;
  readonly heartRate: Quantity | null;
  readonly steps: number | null;
  readonly bodyPosition: BodyPosition | null;
  readonly firmware: string | null;
}

/** A claim that passed every check, in canonical units, ready to store. */
export interface ValidReading {
  readonly claim: ReadingClaim;
  readonly sbp: number | null;
  readonly dbp: number | null;
  readonly heartRate: number | null;
  /** Pressure unit as received (null when no pressure was sent); the values as received beside it. */
  readonly originalPressureUnit: string | null;
  readonly originalSbp: number | null;
  readonly originalDbp: number | null;
  /** Validated upper-arm cuff BP reading (clinical-rules.md): feeds feature windows and decisions. */
  readonly countsTowardDecisions: boolean;
  readonly receivedAt: Date;
  /** Measured longer ago than the configured lateness when it arrived: stored, flagged. */
  readonly late: boolean;
}

/** Minutes east of UTC from an RFC 3339 time ("Z" = 0, "+01:00" = 60). */
export function utcOffsetMinutesOf(rfc3339: string): number {
  const match = /(Z|([+-])(\d{2}):(\d{2}))$/.exec(rfc3339);
  if (!match || match[1] === 'Z') return 0;
  const sign = match[2] === '-' ? -1 : 1;
  return sign * (Number(match[3]) * 60 + Number(match[4]));
}
