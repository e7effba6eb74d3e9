import { ClinLoopError } from '@clinloop/errors';

/**
 * Why a reading was refused. Codes of bad input travel with the message to the dead-letter topic
 * (header `x-error-code`), are counted in metrics by code and, for manual entry, reach the API.
 */
export enum ObservationErrorCode {
  /** Not UTF-8 JSON at all. */
  UNPARSEABLE = 'OBSERVATIONS_UNPARSEABLE',
  /** JSON, but not a wearable-reading.v1 message or a supported FHIR R4 Observation. */
  SCHEMA_INVALID = 'OBSERVATIONS_SCHEMA_INVALID',
  /** Outside the physiological ranges of clinical-rules.md: an artifact, not a reading. */
  IMPLAUSIBLE = 'OBSERVATIONS_IMPLAUSIBLE',
  /** A unit that cannot be converted to the canonical one (mm[Hg], /min). */
  WRONG_UNIT = 'OBSERVATIONS_WRONG_UNIT',
  /** The device id is not registered. */
  UNKNOWN_DEVICE = 'OBSERVATIONS_UNKNOWN_DEVICE',
  /** The device was not bound to that patient when the reading was measured. */
  DEVICE_NOT_BOUND_TO_PATIENT = 'OBSERVATIONS_DEVICE_NOT_BOUND_TO_PATIENT',
  /** Measured further in the future than the allowed clock skew. */
  FUTURE_TIMESTAMP = 'OBSERVATIONS_FUTURE_TIMESTAMP',
  /** The Kafka key is not the patient id of the message (it would break per-patient ordering). */
  KEY_MISMATCH = 'OBSERVATIONS_KEY_MISMATCH',
  /** No reading with that id (or not one of this patient's). */
  READING_NOT_FOUND = 'OBSERVATIONS_READING_NOT_FOUND',
  /** Marking entered-in-error needs a reason. */
  REASON_REQUIRED = 'OBSERVATIONS_REASON_REQUIRED',
  /** The reading is already marked entered in error. */
  ALREADY_ENTERED_IN_ERROR = 'OBSERVATIONS_ALREADY_ENTERED_IN_ERROR',
  /** A device with that serial is already registered in the organization. */
  DEVICE_ALREADY_REGISTERED = 'OBSERVATIONS_DEVICE_ALREADY_REGISTERED',
  /** The device already has an open binding (to this or another patient). */
  DEVICE_ALREADY_BOUND = 'OBSERVATIONS_DEVICE_ALREADY_BOUND',
  /** No such device in the caller's organization (or bound to a patient the caller may not see). */
  DEVICE_NOT_FOUND = 'OBSERVATIONS_DEVICE_NOT_FOUND',
  /** Unbinding a device that has no open binding. */
  DEVICE_NOT_BOUND = 'OBSERVATIONS_DEVICE_NOT_BOUND',
  /** The same idempotency key was used before for a different reading. */
  IDEMPOTENCY_KEY_REUSED = 'OBSERVATIONS_IDEMPOTENCY_KEY_REUSED',
}

/** Codes that mean "this message is bad and will stay bad": dead-lettered, never retried. */
export const REJECTION_CODES = [
  ObservationErrorCode.UNPARSEABLE,
  ObservationErrorCode.SCHEMA_INVALID,
  ObservationErrorCode.IMPLAUSIBLE,
  ObservationErrorCode.WRONG_UNIT,
  ObservationErrorCode.UNKNOWN_DEVICE,
  ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT,
  ObservationErrorCode.FUTURE_TIMESTAMP,
  ObservationErrorCode.KEY_MISMATCH,
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export class ObservationError extends ClinLoopError<ObservationErrorCode> {
  readonly module = 'observations';
}

/** A refused reading: the code, and a reason a person can act on. */
export interface Rejection {
  readonly code: RejectionCode;
  readonly reason: string;
}
