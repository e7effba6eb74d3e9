import {
  ClinicalErrorCode,
  countsTowardDecisions,
  LOINC_HEART_RATE,
  checkObservationPlausibility,
  normalizeObservation,
  validateBpPanel,
  type ClinicalRules,
  type DeviceKind as ClinicalDeviceKind,
} from '@clinloop/clinical';
import type { DeviceKind } from '@clinloop/patients';
import { ObservationErrorCode, type Rejection } from './errors';
import type { ReadingClaim, ValidReading } from './reading';

export interface DeviceBindingPeriod {
  readonly patientId: string;
  readonly boundAt: Date;
  readonly unboundAt: Date | null;
}

/** What the registry knows about a device: enough to decide whether its reading is accepted and counts. */
export interface RegisteredDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly validated: boolean;
  readonly bindings: readonly DeviceBindingPeriod[];
}

export interface IngestPolicy {
  /** How far past `now` a measured-at may lie (device clocks drift). */
  readonly futureSkewMs: number;
  /** Readings measured longer ago than this when they arrive are stored with `late` set. */
  readonly lateAfterMs: number;
}

export type ValidationResult =
  | { readonly ok: true; readonly reading: ValidReading }
  | { readonly ok: false; readonly rejection: Rejection };

export interface ValidationClock {
  /** The ingest clock: a measured-at beyond now + skew is refused. */
  readonly now: Date;
  /** When the reading reached ClinLoop (the Kafka timestamp, or now): lateness is judged from it. */
  readonly receivedAt: Date;
}

const CLINICAL_DEVICE_KIND: Record<DeviceKind, ClinicalDeviceKind> = {
  upper_arm_cuff: 'UPPER_ARM_CUFF',
  wrist_cuff: 'WRIST_CUFF',
  cuffless_wearable: 'CUFFLESS_WEARABLE',
};

function reject(code: Rejection['code'], reason: string): ValidationResult {
  return { ok: false, rejection: { code, reason } };
}

/**
 * The clinical and registry checks of one claim, in the order that gives the most useful reason:
 * time, device, binding at the time of measurement, units, plausibility (clinical-rules.md).
 * Pure: the device record, the clock and the rules come in as arguments.
 */
export function validateClaim(
  claim: ReadingClaim,
  device: RegisteredDevice | null,
  clock: ValidationClock,
  policy: IngestPolicy,
  rules: ClinicalRules,
): ValidationResult {
  const { now, receivedAt } = clock;
  const measured = claim.measuredAt.getTime();
  if (measured > now.getTime() + policy.futureSkewMs) {
    return reject(
      ObservationErrorCode.FUTURE_TIMESTAMP,
      `measured at ${claim.measuredAt.toISOString()}, more than ${Math.round(policy.futureSkewMs / 1000)} s after ${now.toISOString()}`,
    );
  }
  if (claim.deviceId !== null) {
    if (device === null)
      return reject(ObservationErrorCode.UNKNOWN_DEVICE, `device ${claim.deviceId} is not registered`);
    const boundThen = device.bindings.some(
      (binding) =>
        binding.patientId === claim.patientId &&
        binding.boundAt.getTime() <= measured &&
        (binding.unboundAt === null || measured < binding.unboundAt.getTime()),
    );
    if (!boundThen) {
      return reject(
        ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT,
        `device ${claim.deviceId} was not bound to patient ${claim.patientId} at ${claim.measuredAt.toISOString()}`,
      );
    }
  }

  let sbp: number | null = null;
  let dbp: number | null = null;
  let heartRate: number | null = null;
  if (claim.systolic && claim.diastolic) {
    const panel = validateBpPanel(
      { sbp: claim.systolic, dbp: claim.diastolic, heartRate: claim.heartRate },
      rules,
    );
    if (!panel.ok) {
      const unitError = panel.errors.find((error) => error.code === ClinicalErrorCode.UNKNOWN_UNIT);
      return unitError
        ? reject(ObservationErrorCode.WRONG_UNIT, unitError.message)
        : reject(ObservationErrorCode.IMPLAUSIBLE, panel.errors.map((error) => error.message).join('; '));
    }
    ({ sbp, dbp, heartRate } = panel.panel);
  } else if (claim.systolic || claim.diastolic) {
    return reject(ObservationErrorCode.SCHEMA_INVALID, 'systolic and diastolic come together');
  } else if (claim.heartRate) {
    const normalized = normalizeObservation({ loinc: LOINC_HEART_RATE, ...claim.heartRate }, rules);
    if (!normalized.ok) return reject(ObservationErrorCode.WRONG_UNIT, normalized.message);
    const implausible = checkObservationPlausibility(normalized.observation, rules);
    if (implausible) return reject(ObservationErrorCode.IMPLAUSIBLE, implausible.message);
    heartRate = normalized.observation.value;
  } else if (claim.steps === null) {
    return reject(ObservationErrorCode.SCHEMA_INVALID, 'a reading needs blood pressure, heart rate or steps');
  }

  const counts =
    device !== null &&
    sbp !== null &&
    dbp !== null &&
    countsTowardDecisions(
      {
        id: '',
        patientId: claim.patientId,
        takenAt: claim.measuredAt,
        sbp,
        dbp,
        heartRate,
        device: { kind: CLINICAL_DEVICE_KIND[device.kind], validated: device.validated },
      },
      rules,
    );
  return {
    ok: true,
    reading: {
      countsTowardDecisions: counts,
      claim,
      sbp,
      dbp,
      heartRate,
      originalPressureUnit: claim.systolic?.unit ?? null,
      originalSbp: claim.systolic?.value ?? null,
      originalDbp: claim.diastolic?.value ?? null,
      receivedAt,
      late: receivedAt.getTime() - measured > policy.lateAfterMs,
    },
  };
}
