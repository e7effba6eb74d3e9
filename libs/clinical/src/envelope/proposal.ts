import { ClinicalError, ClinicalErrorCode } from '../errors';
import {
  countLadderSteps,
  findFormularyEntry,
  Formulary,
  FormularyEntry,
  isOnDoseLadder,
  normalizeDrugName,
} from '../formulary/formulary';

export interface RegimenItem {
  readonly drug: string;
  readonly dailyDoseMg: number;
}

/** A titration proposal from the model: one drug, from one daily dose to another. */
export interface TitrationProposal {
  readonly drug: string;
  readonly fromMg: number;
  readonly toMg: number;
  /** Model confidence, 0..1. */
  readonly confidence: number;
}

/**
 * How a proposal changes the regimen, judged against the regimen (the source of truth), not
 * against the proposal's own `fromMg`:
 * - NEW_DRUG: the drug is not in the regimen and toMg > 0
 * - STOP: the drug is in the regimen and toMg = 0
 * - INCREASE / DECREASE: the drug is in the regimen and toMg is above / below its dose (and > 0)
 * - NO_CHANGE: toMg equals the current dose (0 = 0 included)
 */
export type ProposalKind = 'NEW_DRUG' | 'STOP' | 'INCREASE' | 'DECREASE' | 'NO_CHANGE';

export interface ProposalClassification {
  readonly kind: ProposalKind;
  /** Normalised (trimmed, lower-case) drug name. */
  readonly drug: string;
  /** Daily dose in the regimen now; 0 when the drug is not taken. */
  readonly currentMg: number;
  readonly toMg: number;
  /** Whether the proposal's fromMg agrees with the regimen; a stale proposal does not. */
  readonly matchesRegimen: boolean;
  readonly formularyEntry: FormularyEntry | null;
  /** Ladder steps between the current and the proposed dose (see countLadderSteps); null off-formulary. */
  readonly steps: number | null;
  /** Whether toMg (when > 0) is a rung of the ladder; null off-formulary. */
  readonly targetOnLadder: boolean | null;
}

export function raisesExposure(kind: ProposalKind): boolean {
  return kind === 'NEW_DRUG' || kind === 'INCREASE';
}

export function lowersExposure(kind: ProposalKind): boolean {
  return kind === 'DECREASE' || kind === 'STOP';
}

function isNonNegativeFinite(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/**
 * The regimen as a map of normalised drug name -> daily dose. A drug listed twice or a dose that
 * is not a positive number is a data error upstream, not something to guess about.
 */
export function indexRegimen(regimen: readonly RegimenItem[]): ReadonlyMap<string, number> {
  const doses = new Map<string, number>();
  regimen.forEach((item, index) => {
    const drug = normalizeDrugName(item.drug);
    if (drug === '') {
      throw new ClinicalError(ClinicalErrorCode.INVALID_INPUT, `regimen[${index}].drug must not be empty`);
    }
    if (!(Number.isFinite(item.dailyDoseMg) && item.dailyDoseMg > 0)) {
      throw new ClinicalError(
        ClinicalErrorCode.INVALID_INPUT,
        `regimen[${index}].dailyDoseMg must be a number > 0, got ${item.dailyDoseMg}`,
      );
    }
    if (doses.has(drug)) {
      throw new ClinicalError(
        ClinicalErrorCode.INVALID_INPUT,
        `regimen[${index}].drug: ${drug} is listed more than once`,
      );
    }
    doses.set(drug, item.dailyDoseMg);
  });
  return doses;
}

function kindOf(currentMg: number, toMg: number): ProposalKind {
  if (toMg === currentMg) return 'NO_CHANGE';
  if (currentMg === 0) return 'NEW_DRUG';
  if (toMg === 0) return 'STOP';
  return toMg > currentMg ? 'INCREASE' : 'DECREASE';
}

export function classifyProposal(
  proposal: TitrationProposal,
  regimen: readonly RegimenItem[],
  formulary: Formulary,
): ProposalClassification {
  if (normalizeDrugName(proposal.drug) === '') {
    throw new ClinicalError(ClinicalErrorCode.INVALID_INPUT, 'proposal.drug must not be empty');
  }
  for (const field of ['fromMg', 'toMg'] as const) {
    if (!isNonNegativeFinite(proposal[field])) {
      throw new ClinicalError(
        ClinicalErrorCode.INVALID_INPUT,
        `proposal.${field} must be a number >= 0, got ${proposal[field]}`,
      );
    }
  }
  const drug = normalizeDrugName(proposal.drug);
  const currentMg = indexRegimen(regimen).get(drug) ?? 0;
  const entry = findFormularyEntry(formulary, drug) ?? null;
  return {
    kind: kindOf(currentMg, proposal.toMg),
    drug,
    currentMg,
    toMg: proposal.toMg,
    matchesRegimen: proposal.fromMg === currentMg,
    formularyEntry: entry,
    steps: entry ? countLadderSteps(entry, currentMg, proposal.toMg) : null,
    targetOnLadder: entry ? proposal.toMg === 0 || isOnDoseLadder(entry, proposal.toMg) : null,
  };
}
