import { ClinicalError, ClinicalErrorCode } from '../errors';
import { findFormularyEntry, Formulary, normalizeDrugName } from '../formulary/formulary';

export interface AllowedDrug {
  readonly drug: string;
  readonly minDailyMg: number;
  readonly maxDailyMg: number;
}

/**
 * Clinician-signed, versioned per-patient safety bounds. Only signed bounds can let a change
 * through without review.
 */
export interface SafetyBounds {
  readonly version: string;
  /** Home target: at target means SBP below targetSbp and DBP below targetDbp. */
  readonly targetSbp: number;
  readonly targetDbp: number;
  readonly allowedDrugs: readonly AllowedDrug[];
  /** Largest increase, in ladder steps, the patient may make without review; rules default when absent. */
  readonly maxAutoIncreaseSteps?: number;
  /** Minimum days between increases; rules default when absent. */
  readonly minIncreaseIntervalDays?: number;
  /** Proposals with a model confidence below this go to review. */
  readonly confidenceFloor: number;
  readonly signedAt?: Date | null;
  readonly signedBy?: string | null;
}

export interface BoundsProblem {
  readonly code: ClinicalErrorCode;
  /** Path of the offending field, e.g. `allowedDrugs[1].maxDailyMg`. */
  readonly field: string;
  readonly message: string;
}

export type BoundsValidation =
  { readonly valid: true } | { readonly valid: false; readonly problems: readonly BoundsProblem[] };

function isNonNegativeFinite(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

function checkAllowedDrug(allowed: AllowedDrug, field: string, formulary: Formulary): BoundsProblem[] {
  const entry = findFormularyEntry(formulary, allowed.drug);
  if (!entry) {
    return [
      {
        code: ClinicalErrorCode.UNKNOWN_DRUG,
        field: `${field}.drug`,
        message: `'${allowed.drug}' is not in formulary ${formulary.version}`,
      },
    ];
  }
  const problems: BoundsProblem[] = [];
  if (!isNonNegativeFinite(allowed.minDailyMg)) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: `${field}.minDailyMg`,
      message: `minDailyMg must be a number >= 0, got ${allowed.minDailyMg}`,
    });
  }
  if (!Number.isFinite(allowed.maxDailyMg) || allowed.maxDailyMg <= 0) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: `${field}.maxDailyMg`,
      message: `maxDailyMg must be a number > 0, got ${allowed.maxDailyMg}`,
    });
  } else if (allowed.maxDailyMg > entry.maxDailyMg) {
    problems.push({
      code: ClinicalErrorCode.BOUNDS_OUTSIDE_FORMULARY,
      field: `${field}.maxDailyMg`,
      message: `${entry.drug} maxDailyMg ${allowed.maxDailyMg} exceeds the formulary maximum of ${entry.maxDailyMg} mg/day`,
    });
  }
  if (allowed.minDailyMg > allowed.maxDailyMg) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: `${field}.minDailyMg`,
      message: `${entry.drug} minDailyMg ${allowed.minDailyMg} is above maxDailyMg ${allowed.maxDailyMg}`,
    });
  }
  return problems;
}

/**
 * Refuses bounds that reach past the formulary's hard limits (unknown drug, maximum above the
 * formulary maximum) or are inconsistent in themselves. All problems are reported at once so a
 * bounds editor can show them together.
 *
 * A maxAutoIncreaseSteps above the rules' `titration.maxStepsWithoutReview` is accepted but has
 * no effect beyond it: the envelope sends every change larger than that to review.
 */
export function validateBounds(bounds: SafetyBounds, formulary: Formulary): BoundsValidation {
  const problems: BoundsProblem[] = [];
  if (bounds.version.trim() === '') {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: 'version',
      message: 'version must not be empty',
    });
  }
  if (!Number.isFinite(bounds.targetSbp) || !Number.isFinite(bounds.targetDbp) || bounds.targetDbp <= 0) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: 'targetSbp',
      message: `target ${bounds.targetSbp}/${bounds.targetDbp} must be positive numbers`,
    });
  } else if (bounds.targetSbp <= bounds.targetDbp) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: 'targetSbp',
      message: `targetSbp ${bounds.targetSbp} must be above targetDbp ${bounds.targetDbp}`,
    });
  }
  if (!(bounds.confidenceFloor >= 0 && bounds.confidenceFloor <= 1)) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: 'confidenceFloor',
      message: `confidenceFloor must be between 0 and 1, got ${bounds.confidenceFloor}`,
    });
  }
  if (
    bounds.maxAutoIncreaseSteps !== undefined &&
    !(Number.isInteger(bounds.maxAutoIncreaseSteps) && bounds.maxAutoIncreaseSteps >= 0)
  ) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: 'maxAutoIncreaseSteps',
      message: `maxAutoIncreaseSteps must be a whole number >= 0, got ${bounds.maxAutoIncreaseSteps}`,
    });
  }
  if (bounds.minIncreaseIntervalDays !== undefined && !isNonNegativeFinite(bounds.minIncreaseIntervalDays)) {
    problems.push({
      code: ClinicalErrorCode.INVALID_INPUT,
      field: 'minIncreaseIntervalDays',
      message: `minIncreaseIntervalDays must be a number >= 0, got ${bounds.minIncreaseIntervalDays}`,
    });
  }
  const seen = new Set<string>();
  bounds.allowedDrugs.forEach((allowed, index) => {
    const field = `allowedDrugs[${index}]`;
    const name = normalizeDrugName(allowed.drug);
    if (seen.has(name)) {
      problems.push({
        code: ClinicalErrorCode.INVALID_INPUT,
        field: `${field}.drug`,
        message: `${name} is listed more than once`,
      });
    }
    seen.add(name);
    problems.push(...checkAllowedDrug(allowed, field, formulary));
  });
  return problems.length === 0 ? { valid: true } : { valid: false, problems };
}

/** validateBounds for callers that want an exception; the code is that of the first problem. */
export function assertValidBounds(bounds: SafetyBounds, formulary: Formulary): void {
  const validation = validateBounds(bounds, formulary);
  if (validation.valid) return;
  const [first] = validation.problems;
  throw new ClinicalError(
    first?.code ?? ClinicalErrorCode.INVALID_INPUT,
    validation.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
    { boundsVersion: bounds.version, problems: validation.problems },
  );
}

/** Signed means a named signer and a signing time that is not in the future. */
export function isSignedAt(bounds: SafetyBounds, now: Date): boolean {
  return (
    bounds.signedBy !== undefined &&
    bounds.signedBy !== null &&
    bounds.signedBy.trim() !== '' &&
    bounds.signedAt !== undefined &&
    bounds.signedAt !== null &&
    bounds.signedAt <= now
  );
}

export function findAllowedDrug(bounds: SafetyBounds, drug: string): AllowedDrug | undefined {
  const wanted = normalizeDrugName(drug);
  return bounds.allowedDrugs.find((allowed) => normalizeDrugName(allowed.drug) === wanted);
}
