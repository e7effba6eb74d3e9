import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import schema from '../schema/wearable-reading.v1.schema.json';
import { ObservationErrorCode, type Rejection } from './errors';
import { utcOffsetMinutesOf, type BodyPosition, type ReadingClaim } from './reading';

/** The published JSON Schema of wearable.readings.v1 messages (also in docs/ingestion.md). */
export const WEARABLE_READING_V1_SCHEMA: object = schema;

export interface WearableReadingV1 {
  readonly schemaVersion: 1;
  readonly deviceId: string;
  readonly sequence: number;
  readonly patientId: string;
  readonly measuredAt: string;
  readonly systolic?: { readonly value: number; readonly unit: string };
  readonly diastolic?: { readonly value: number; readonly unit: string };
  readonly heartRate?: { readonly value: number; readonly unit: string };
  readonly steps?: number;
  readonly bodyPosition?: BodyPosition;
  readonly deviceKind: 'upper_arm_cuff' | 'wrist_cuff' | 'cuffless_wearable';
  readonly firmware?: string;
}

// The schema checks uuid and date-time by `pattern`, so that a consumer in any language gets the
// same answer; formats are declared known here only to keep Ajv from warning about them.
const ajv = new Ajv2020({
  allErrors: false,
  strict: true,
  strictRequired: false,
  formats: { uuid: true, 'date-time': true },
});
const validateV1 = ajv.compile<WearableReadingV1>(schema);

/** Stateless between calls (no `stream` option), so one serves every message. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export type ParseResult =
  { readonly ok: true; readonly claim: ReadingClaim } | { readonly ok: false; readonly rejection: Rejection };

/** JSON text of a Kafka value; malformed UTF-8 or JSON is UNPARSEABLE. */
export function parseJsonBytes(
  bytes: Buffer,
): { ok: true; value: unknown } | { ok: false; rejection: Rejection } {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return {
      ok: false,
      rejection: { code: ObservationErrorCode.UNPARSEABLE, reason: 'message is not valid UTF-8' },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      rejection: { code: ObservationErrorCode.UNPARSEABLE, reason: `message is not JSON: ${detail}` },
    };
  }
}

/** Parses a parsed JSON value as a wearable-reading.v1 message (schema, then a real calendar time). */
export function parseWearableReading(value: unknown): ParseResult {
  if (!validateV1(value)) {
    return {
      ok: false,
      rejection: {
        code: ObservationErrorCode.SCHEMA_INVALID,
        reason: describeSchemaErrors(validateV1.errors),
      },
    };
  }
  const measuredAt = new Date(value.measuredAt);
  if (Number.isNaN(measuredAt.getTime())) {
    return {
      ok: false,
      rejection: {
        code: ObservationErrorCode.SCHEMA_INVALID,
        reason: `measuredAt ${value.measuredAt} is not a real time`,
      },
    };
  }
  return {
    ok: true,
    claim: {
      source: 'device',
      deviceId: value.deviceId.toLowerCase(),
      sequence: value.sequence,
      patientId: value.patientId.toLowerCase(),
      measuredAt,
      utcOffsetMinutes: utcOffsetMinutesOf(value.measuredAt),
      systolic: value.systolic ?? null,
      diastolic: value.diastolic ?? null,
      heartRate: value.heartRate ?? null,
      steps: value.steps ?? null,
      bodyPosition: value.bodyPosition ?? null,
      firmware: value.firmware ?? null,
    },
  };
}

function describeSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'does not match wearable-reading.v1';
  const where = first.instancePath === '' ? 'message' : first.instancePath;
  return `does not match wearable-reading.v1: ${where} ${first.message ?? 'is invalid'}`;
}
