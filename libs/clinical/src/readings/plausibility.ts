import { ClinicalErrorCode } from '../errors';
import { ClinicalRules } from '../rules';
import { LOINC_DIASTOLIC, LOINC_HEART_RATE, LOINC_SYSTOLIC, ObservationLoinc } from '../vocabulary';

export type ImplausibilityCode =
  | 'NOT_A_FINITE_NUMBER'
  | 'SYSTOLIC_OUT_OF_RANGE'
  | 'DIASTOLIC_OUT_OF_RANGE'
  | 'HEART_RATE_OUT_OF_RANGE'
  | 'SYSTOLIC_NOT_ABOVE_DIASTOLIC'
  | 'PULSE_PRESSURE_TOO_NARROW';

export interface ImplausibilityReason {
  readonly code: ImplausibilityCode;
  /** The observation at fault; the panel code for SBP/DBP consistency problems. */
  readonly loinc: string;
  readonly message: string;
}

export interface PlausibilityResult {
  readonly plausible: boolean;
  readonly reasons: readonly ImplausibilityReason[];
}

const OUT_OF_RANGE_CODE: Record<ObservationLoinc, ImplausibilityCode> = {
  [LOINC_SYSTOLIC]: 'SYSTOLIC_OUT_OF_RANGE',
  [LOINC_DIASTOLIC]: 'DIASTOLIC_OUT_OF_RANGE',
  [LOINC_HEART_RATE]: 'HEART_RATE_OUT_OF_RANGE',
};

const OBSERVATION_NAME: Record<ObservationLoinc, string> = {
  [LOINC_SYSTOLIC]: 'systolic',
  [LOINC_DIASTOLIC]: 'diastolic',
  [LOINC_HEART_RATE]: 'heart rate',
};

/** Range check of one observation, value already in the canonical unit. */
export function checkObservationPlausibility(
  observation: { readonly loinc: ObservationLoinc; readonly value: number },
  rules: ClinicalRules,
): ImplausibilityReason | null {
  const name = OBSERVATION_NAME[observation.loinc];
  if (!Number.isFinite(observation.value)) {
    return {
      code: 'NOT_A_FINITE_NUMBER',
      loinc: observation.loinc,
      message: `${name} is not a finite number`,
    };
  }
  const range = rules.plausibility.ranges[observation.loinc];
  const unit = rules.units.canonicalUnit[observation.loinc];
  if (observation.value < range.min || observation.value > range.max) {
    return {
      code: OUT_OF_RANGE_CODE[observation.loinc],
      loinc: observation.loinc,
      message: `${name} ${observation.value} ${unit} is outside the plausible range ${range.min}-${range.max}`,
    };
  }
  return null;
}

/**
 * Plausibility of a blood-pressure panel in mm[Hg] (LOINC 85354-9): each value in its range,
 * SBP above DBP and a pulse pressure of at least the minimum. An implausible panel is an
 * artifact, not a reading, and must not reach any decision.
 */
export function checkBpPlausibility(
  panel: { readonly sbp: number; readonly dbp: number; readonly heartRate?: number | null },
  rules: ClinicalRules,
): PlausibilityResult {
  const reasons: ImplausibilityReason[] = [];
  const systolic = checkObservationPlausibility({ loinc: LOINC_SYSTOLIC, value: panel.sbp }, rules);
  const diastolic = checkObservationPlausibility({ loinc: LOINC_DIASTOLIC, value: panel.dbp }, rules);
  if (systolic) reasons.push(systolic);
  if (diastolic) reasons.push(diastolic);
  if (panel.heartRate !== undefined && panel.heartRate !== null) {
    const heartRate = checkObservationPlausibility(
      { loinc: LOINC_HEART_RATE, value: panel.heartRate },
      rules,
    );
    if (heartRate) reasons.push(heartRate);
  }
  if (Number.isFinite(panel.sbp) && Number.isFinite(panel.dbp)) {
    const pulsePressure = panel.sbp - panel.dbp;
    if (pulsePressure <= 0) {
      reasons.push({
        code: 'SYSTOLIC_NOT_ABOVE_DIASTOLIC',
        loinc: '85354-9',
        message: `systolic ${panel.sbp} is not above diastolic ${panel.dbp}`,
      });
    } else if (pulsePressure < rules.plausibility.minPulsePressure) {
      reasons.push({
        code: 'PULSE_PRESSURE_TOO_NARROW',
        loinc: '85354-9',
        message: `pulse pressure ${pulsePressure} mm[Hg] is below ${rules.plausibility.minPulsePressure}`,
      });
    }
  }
  return { plausible: reasons.length === 0, reasons };
}

export interface Quantity {
  readonly value: number;
  readonly unit: string;
}

export interface NormalizedObservation {
  readonly loinc: ObservationLoinc;
  /** In the canonical unit (mm[Hg] for pressures, /min for heart rate). */
  readonly value: number;
  readonly unit: string;
  /** As received, kept for the record. */
  readonly original: Quantity;
}

export type NormalizeObservationResult =
  | { readonly ok: true; readonly observation: NormalizedObservation }
  | { readonly ok: false; readonly code: ClinicalErrorCode.UNKNOWN_UNIT; readonly message: string };

/** Converts an observation to its canonical unit (kPa x 7.50062 -> mm[Hg]) and keeps the original. */
export function normalizeObservation(
  observation: { readonly loinc: ObservationLoinc; readonly value: number; readonly unit: string },
  rules: ClinicalRules,
): NormalizeObservationResult {
  const factors = rules.units.factorToCanonical[observation.loinc];
  const factor = Object.hasOwn(factors, observation.unit) ? factors[observation.unit] : undefined;
  if (factor === undefined) {
    return {
      ok: false,
      code: ClinicalErrorCode.UNKNOWN_UNIT,
      message: `unknown unit '${observation.unit}' for ${OBSERVATION_NAME[observation.loinc]} (accepted: ${Object.keys(factors).join(', ')})`,
    };
  }
  const scale = 10 ** rules.units.convertedValueDecimals;
  const value = factor === 1 ? observation.value : Math.round(observation.value * factor * scale) / scale;
  return {
    ok: true,
    observation: {
      loinc: observation.loinc,
      value,
      unit: rules.units.canonicalUnit[observation.loinc],
      original: { value: observation.value, unit: observation.unit },
    },
  };
}

export interface ValidatedBpPanel {
  readonly sbp: number;
  readonly dbp: number;
  readonly heartRate: number | null;
  readonly original: { readonly sbp: Quantity; readonly dbp: Quantity; readonly heartRate: Quantity | null };
}

export interface PanelValidationError {
  readonly code: ClinicalErrorCode.UNKNOWN_UNIT | ClinicalErrorCode.IMPLAUSIBLE_READING;
  readonly reason: ImplausibilityCode | null;
  readonly message: string;
}

export type BpPanelValidationResult =
  | { readonly ok: true; readonly panel: ValidatedBpPanel }
  | { readonly ok: false; readonly errors: readonly PanelValidationError[] };

/**
 * Ingest check of one panel as it arrives from a device: units first (an unknown unit makes
 * the range check meaningless), then plausibility. Errors carry codes for the dead-letter queue.
 */
export function validateBpPanel(
  panel: { readonly sbp: Quantity; readonly dbp: Quantity; readonly heartRate?: Quantity | null },
  rules: ClinicalRules,
): BpPanelValidationResult {
  const systolic = normalizeObservation({ loinc: LOINC_SYSTOLIC, ...panel.sbp }, rules);
  const diastolic = normalizeObservation({ loinc: LOINC_DIASTOLIC, ...panel.dbp }, rules);
  const heartRate = panel.heartRate
    ? normalizeObservation({ loinc: LOINC_HEART_RATE, ...panel.heartRate }, rules)
    : null;
  const unitErrors: PanelValidationError[] = [systolic, diastolic, heartRate].flatMap((result) =>
    result && !result.ok ? [{ code: result.code, reason: null, message: result.message }] : [],
  );
  if (!systolic.ok || !diastolic.ok || (heartRate !== null && !heartRate.ok)) {
    return { ok: false, errors: unitErrors };
  }
  const normalized = {
    sbp: systolic.observation.value,
    dbp: diastolic.observation.value,
    heartRate: heartRate ? heartRate.observation.value : null,
  };
  const plausibility = checkBpPlausibility(normalized, rules);
  if (!plausibility.plausible) {
    return {
      ok: false,
      errors: plausibility.reasons.map((reason) => ({
        code: ClinicalErrorCode.IMPLAUSIBLE_READING,
        reason: reason.code,
        message: reason.message,
      })),
    };
  }
  return {
    ok: true,
    panel: {
      ...normalized,
      original: {
        sbp: systolic.observation.original,
        dbp: diastolic.observation.original,
        heartRate: heartRate ? heartRate.observation.original : null,
      },
    },
  };
}
