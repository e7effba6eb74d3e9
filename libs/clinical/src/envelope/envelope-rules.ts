/**
 * The envelope's rule ids, in the order of clinical-rules.md "Safety envelope and tiers".
 * Contraindication rule ids (BLOCK_CI_*) are data in the rules table (ClinicalRules.contraindications).
 * Rule ids are part of the output contract: the clinician portal and the audit trail show them.
 */
export type Tier = 'AUTO' | 'REVIEW' | 'BLOCKED';

export const EnvelopeRuleId = {
  BLOCK_REGIMEN_MISMATCH: 'BLOCK_REGIMEN_MISMATCH',
  BLOCK_NOT_IN_FORMULARY: 'BLOCK_NOT_IN_FORMULARY',
  BLOCK_ABOVE_FORMULARY_MAX: 'BLOCK_ABOVE_FORMULARY_MAX',
  BLOCK_DRUG_NOT_IN_BOUNDS: 'BLOCK_DRUG_NOT_IN_BOUNDS',
  BLOCK_ABOVE_BOUNDS_MAX: 'BLOCK_ABOVE_BOUNDS_MAX',
  BLOCK_INCREASE_TOO_SOON: 'BLOCK_INCREASE_TOO_SOON',
  BLOCK_INCREASE_DURING_HYPOTENSION: 'BLOCK_INCREASE_DURING_HYPOTENSION',
  REVIEW_NO_SIGNED_BOUNDS: 'REVIEW_NO_SIGNED_BOUNDS',
  REVIEW_INVALID_BOUNDS: 'REVIEW_INVALID_BOUNDS',
  REVIEW_NEW_DRUG: 'REVIEW_NEW_DRUG',
  REVIEW_STOP: 'REVIEW_STOP',
  REVIEW_MORE_THAN_ONE_STEP: 'REVIEW_MORE_THAN_ONE_STEP',
  REVIEW_LOW_CONFIDENCE: 'REVIEW_LOW_CONFIDENCE',
  REVIEW_ABOVE_BOUNDS_MAX: 'REVIEW_ABOVE_BOUNDS_MAX',
  REVIEW_BELOW_BOUNDS_MIN: 'REVIEW_BELOW_BOUNDS_MIN',
  REVIEW_DRUG_NOT_IN_BOUNDS: 'REVIEW_DRUG_NOT_IN_BOUNDS',
  REVIEW_OFF_LADDER_DOSE: 'REVIEW_OFF_LADDER_DOSE',
  REVIEW_ABOVE_AUTO_STEP_LIMIT: 'REVIEW_ABOVE_AUTO_STEP_LIMIT',
  REVIEW_NO_CHANGE: 'REVIEW_NO_CHANGE',
  AUTO_INCREASE_WITHIN_BOUNDS: 'AUTO_INCREASE_WITHIN_BOUNDS',
  AUTO_DECREASE_ONE_STEP: 'AUTO_DECREASE_ONE_STEP',
} as const;
export type EnvelopeRuleId = (typeof EnvelopeRuleId)[keyof typeof EnvelopeRuleId];

export interface EnvelopeRuleDefinition {
  readonly id: EnvelopeRuleId | 'BLOCK_CI_*';
  readonly tier: Tier;
  /** The order of the tier in the source table; the first tier with a matching rule decides. */
  readonly order: 1 | 2 | 3;
  readonly when: string;
}

/** Human-readable catalog of the rules, for docs and the clinician portal's rule legend. */
export const ENVELOPE_RULES: readonly EnvelopeRuleDefinition[] = [
  {
    id: 'BLOCK_REGIMEN_MISMATCH',
    tier: 'BLOCKED',
    order: 1,
    when: "the proposal's fromMg differs from the regimen's current dose (proposal made on stale data)",
  },
  {
    id: 'BLOCK_CI_*',
    tier: 'BLOCKED',
    order: 1,
    when: 'a new drug, an increase or a continued dose that a contraindication rule forbids',
  },
  { id: 'BLOCK_NOT_IN_FORMULARY', tier: 'BLOCKED', order: 1, when: 'the drug is not in the formulary' },
  {
    id: 'BLOCK_ABOVE_FORMULARY_MAX',
    tier: 'BLOCKED',
    order: 1,
    when: 'the proposed daily dose exceeds the formulary maximum',
  },
  {
    id: 'BLOCK_DRUG_NOT_IN_BOUNDS',
    tier: 'BLOCKED',
    order: 1,
    when: 'a new drug or an increase of a drug the signed bounds do not allow',
  },
  {
    id: 'BLOCK_ABOVE_BOUNDS_MAX',
    tier: 'BLOCKED',
    order: 1,
    when: "a new drug or an increase above the bounds' maximum daily dose",
  },
  {
    id: 'BLOCK_INCREASE_TOO_SOON',
    tier: 'BLOCKED',
    order: 1,
    when: 'a new drug or an increase sooner than the minimum interval after the last increase',
  },
  {
    id: 'BLOCK_INCREASE_DURING_HYPOTENSION',
    tier: 'BLOCKED',
    order: 1,
    when: 'a new drug or an increase while a persistent hypotension alert is open',
  },
  { id: 'REVIEW_NO_SIGNED_BOUNDS', tier: 'REVIEW', order: 2, when: 'no bounds, or bounds not signed' },
  {
    id: 'REVIEW_INVALID_BOUNDS',
    tier: 'REVIEW',
    order: 2,
    when: 'signed bounds that fail validateBounds (e.g. the formulary changed since signing)',
  },
  { id: 'REVIEW_NEW_DRUG', tier: 'REVIEW', order: 2, when: 'starting a drug not in the regimen' },
  { id: 'REVIEW_STOP', tier: 'REVIEW', order: 2, when: 'stopping a drug (toMg = 0)' },
  {
    id: 'REVIEW_MORE_THAN_ONE_STEP',
    tier: 'REVIEW',
    order: 2,
    when: 'a change larger than one ladder step (urgent when it lowers the dose)',
  },
  { id: 'REVIEW_LOW_CONFIDENCE', tier: 'REVIEW', order: 2, when: "model confidence below the bounds' floor" },
  {
    id: 'REVIEW_ABOVE_BOUNDS_MAX',
    tier: 'REVIEW',
    order: 2,
    when: "a decrease or unchanged dose that is still above the bounds' maximum",
  },
  { id: 'REVIEW_BELOW_BOUNDS_MIN', tier: 'REVIEW', order: 2, when: "a dose > 0 below the bounds' minimum" },
  {
    id: 'REVIEW_DRUG_NOT_IN_BOUNDS',
    tier: 'REVIEW',
    order: 2,
    when: 'lowering or keeping a drug the signed bounds do not cover',
  },
  {
    id: 'REVIEW_OFF_LADDER_DOSE',
    tier: 'REVIEW',
    order: 2,
    when: 'a proposed dose that is not a ladder step',
  },
  {
    id: 'REVIEW_ABOVE_AUTO_STEP_LIMIT',
    tier: 'REVIEW',
    order: 2,
    when: "an increase larger than the bounds' maxAutoIncreaseSteps",
  },
  {
    id: 'REVIEW_NO_CHANGE',
    tier: 'REVIEW',
    order: 2,
    when: 'no dose change: nothing for the patient to act on',
  },
  {
    id: 'AUTO_INCREASE_WITHIN_BOUNDS',
    tier: 'AUTO',
    order: 3,
    when: 'an increase of at most the allowed steps on a drug already in the regimen',
  },
  { id: 'AUTO_DECREASE_ONE_STEP', tier: 'AUTO', order: 3, when: 'a decrease of one step (at any time)' },
];
