import { ClinicalError, ClinicalErrorCode } from '../errors';
import { FormularyEntry, TherapeuticClass } from '../formulary/formulary';
import { ClinicalRules, ContraindicationRule } from '../rules';
import { addDays, elapsedDays } from '../time';
import { AlertCondition, AlertSeverity } from '../vocabulary';
import { findAllowedDrug, isSignedAt, SafetyBounds, validateBounds } from './bounds';
import { EnvelopeRuleId, Tier } from './envelope-rules';
import {
  classifyProposal,
  indexRegimen,
  lowersExposure,
  ProposalClassification,
  raisesExposure,
  RegimenItem,
  TitrationProposal,
} from './proposal';

export interface OpenAlertSummary {
  readonly condition: AlertCondition;
  readonly severity: AlertSeverity;
}

export interface EnvelopePatient {
  readonly regimen: readonly RegimenItem[];
  readonly bounds: SafetyBounds | null;
  readonly pregnant: boolean;
  readonly angioedemaHistory: boolean;
  readonly sulfonamideAllergy: boolean;
  readonly anuria: boolean;
  readonly openAlerts: readonly OpenAlertSummary[];
  /** When the last increase (or new drug) took effect; null if never. */
  readonly lastIncreaseAt: Date | null;
}

export interface EnvelopeInput {
  readonly now: Date;
  readonly patient: EnvelopePatient;
  readonly proposal: TitrationProposal;
}

export interface EnvelopeReason {
  /** An EnvelopeRuleId or a contraindication rule id (BLOCK_CI_*). */
  readonly rule: string;
  readonly message: string;
}

export interface EnvelopeDecision {
  readonly tier: Tier;
  /** A decrease or stop larger than one step: the review queue puts it first. */
  readonly urgent: boolean;
  /** Every rule of the deciding tier that matched, in rule order; never empty. */
  readonly reasons: readonly EnvelopeReason[];
  readonly rulesVersion: string;
  /** Version of the bounds supplied, whether or not they were usable. */
  readonly boundsVersion: string | null;
}

type BoundsAssessment =
  | { readonly usable: SafetyBounds; readonly problem: null }
  | { readonly usable: null; readonly problem: EnvelopeReason };

function assessBounds(bounds: SafetyBounds | null, now: Date, rules: ClinicalRules): BoundsAssessment {
  if (bounds === null) {
    return {
      usable: null,
      problem: {
        rule: EnvelopeRuleId.REVIEW_NO_SIGNED_BOUNDS,
        message: 'no clinician-signed bounds for this patient',
      },
    };
  }
  if (!isSignedAt(bounds, now)) {
    return {
      usable: null,
      problem: {
        rule: EnvelopeRuleId.REVIEW_NO_SIGNED_BOUNDS,
        message: `bounds ${bounds.version} are not signed`,
      },
    };
  }
  const validation = validateBounds(bounds, rules.formulary);
  if (!validation.valid) {
    return {
      usable: null,
      problem: {
        rule: EnvelopeRuleId.REVIEW_INVALID_BOUNDS,
        message: `bounds ${bounds.version} are invalid: ${validation.problems.map((problem) => problem.message).join('; ')}`,
      },
    };
  }
  return { usable: bounds, problem: null };
}

/** Other regimen drugs by therapeutic class, names sorted so the regimen's order never shows. */
function otherDrugsOfClasses(
  change: ProposalClassification,
  regimen: ReadonlyMap<string, number>,
  classes: readonly TherapeuticClass[],
  rules: ClinicalRules,
): string[] {
  return rules.formulary.entries
    .filter((entry) => entry.drug !== change.drug && regimen.has(entry.drug))
    .filter((entry) => classes.includes(entry.therapeuticClass))
    .map((entry) => entry.drug)
    .sort();
}

function contraindicationReason(
  rule: ContraindicationRule,
  entry: FormularyEntry,
  change: ProposalClassification,
  input: EnvelopeInput,
  regimen: ReadonlyMap<string, number>,
  rules: ClinicalRules,
): EnvelopeReason | null {
  switch (rule.kind) {
    case 'CLASS_PAIR': {
      const [first, second] = rule.classes;
      const partner =
        entry.therapeuticClass === first ? second : entry.therapeuticClass === second ? first : null;
      if (partner === null) return null;
      const conflicting = otherDrugsOfClasses(change, regimen, [partner], rules);
      if (conflicting.length === 0) return null;
      return { rule: rule.id, message: `${rule.description}: ${entry.drug} with ${conflicting.join(', ')}` };
    }
    case 'SAME_CLASS': {
      const conflicting = otherDrugsOfClasses(change, regimen, [entry.therapeuticClass], rules);
      if (conflicting.length === 0) return null;
      return { rule: rule.id, message: `${rule.description}: ${entry.drug} with ${conflicting.join(', ')}` };
    }
    case 'PATIENT_CONDITION':
      if (!rule.classes.includes(entry.therapeuticClass) || !input.patient[rule.condition]) return null;
      return { rule: rule.id, message: `${rule.description}: ${entry.drug}` };
  }
}

/** Order 1: anything here blocks, whatever else holds. */
function blockingReasons(
  change: ProposalClassification,
  regimen: ReadonlyMap<string, number>,
  bounds: SafetyBounds | null,
  input: EnvelopeInput,
  rules: ClinicalRules,
): EnvelopeReason[] {
  const reasons: EnvelopeReason[] = [];
  const { drug, toMg } = change;
  if (!change.matchesRegimen) {
    reasons.push({
      rule: EnvelopeRuleId.BLOCK_REGIMEN_MISMATCH,
      message: `proposal starts from ${input.proposal.fromMg} mg/day of ${drug} but the regimen has ${change.currentMg} mg/day`,
    });
  }
  const entry = change.formularyEntry;
  // Lowering or stopping the offending drug is how a contraindication is resolved, so only
  // changes that keep or add exposure are checked.
  if (entry && !lowersExposure(change.kind) && toMg > 0) {
    for (const rule of rules.contraindications) {
      const reason = contraindicationReason(rule, entry, change, input, regimen, rules);
      if (reason) reasons.push(reason);
    }
  }
  if (!entry) {
    reasons.push({
      rule: EnvelopeRuleId.BLOCK_NOT_IN_FORMULARY,
      message: `${drug} is not in formulary ${rules.formulary.version}`,
    });
  } else if (toMg > entry.maxDailyMg) {
    reasons.push({
      rule: EnvelopeRuleId.BLOCK_ABOVE_FORMULARY_MAX,
      message: `${toMg} mg/day of ${drug} exceeds the formulary maximum of ${entry.maxDailyMg} mg/day`,
    });
  }
  if (!raisesExposure(change.kind)) return reasons;

  if (bounds) {
    const allowed = findAllowedDrug(bounds, drug);
    if (!allowed) {
      reasons.push({
        rule: EnvelopeRuleId.BLOCK_DRUG_NOT_IN_BOUNDS,
        message: `${drug} is not among the drugs bounds ${bounds.version} allow`,
      });
    } else if (toMg > allowed.maxDailyMg) {
      reasons.push({
        rule: EnvelopeRuleId.BLOCK_ABOVE_BOUNDS_MAX,
        message: `${toMg} mg/day of ${drug} exceeds the bounds maximum of ${allowed.maxDailyMg} mg/day`,
      });
    }
  }
  if (input.patient.lastIncreaseAt) {
    const intervalDays = bounds?.minIncreaseIntervalDays ?? rules.titration.defaultMinIncreaseIntervalDays;
    const sinceLastIncrease = elapsedDays(input.patient.lastIncreaseAt, input.now);
    if (sinceLastIncrease < intervalDays) {
      reasons.push({
        rule: EnvelopeRuleId.BLOCK_INCREASE_TOO_SOON,
        message: `last increase ${sinceLastIncrease.toFixed(1)} days ago; the minimum interval is ${intervalDays} days (next possible ${addDays(input.patient.lastIncreaseAt, intervalDays).toISOString()})`,
      });
    }
  }
  if (input.patient.openAlerts.some((alert) => alert.condition === 'PERSISTENT_HYPOTENSION')) {
    reasons.push({
      rule: EnvelopeRuleId.BLOCK_INCREASE_DURING_HYPOTENSION,
      message: 'a persistent hypotension alert is open; increases are withheld',
    });
  }
  return reasons;
}

/** Order 2: anything here sends the proposal to a clinician. */
function reviewReasons(
  change: ProposalClassification,
  boundsAssessment: BoundsAssessment,
  proposal: TitrationProposal,
  rules: ClinicalRules,
): EnvelopeReason[] {
  const reasons: EnvelopeReason[] = [];
  const { drug, currentMg, toMg, steps } = change;
  if (boundsAssessment.problem) reasons.push(boundsAssessment.problem);
  if (change.kind === 'NEW_DRUG') {
    reasons.push({ rule: EnvelopeRuleId.REVIEW_NEW_DRUG, message: `starting ${drug} at ${toMg} mg/day` });
  }
  if (change.kind === 'STOP') {
    reasons.push({ rule: EnvelopeRuleId.REVIEW_STOP, message: `stopping ${drug} (now ${currentMg} mg/day)` });
  }
  if (steps !== null && steps > rules.titration.maxStepsWithoutReview) {
    reasons.push({
      rule: EnvelopeRuleId.REVIEW_MORE_THAN_ONE_STEP,
      message: `${drug} ${currentMg} -> ${toMg} mg/day is ${steps} steps; more than ${rules.titration.maxStepsWithoutReview} needs review`,
    });
  }
  const bounds = boundsAssessment.usable;
  if (bounds && proposal.confidence < bounds.confidenceFloor) {
    reasons.push({
      rule: EnvelopeRuleId.REVIEW_LOW_CONFIDENCE,
      message: `model confidence ${proposal.confidence} is below the floor ${bounds.confidenceFloor}`,
    });
  }
  if (bounds) {
    const allowed = findAllowedDrug(bounds, drug);
    if (!allowed) {
      reasons.push({
        rule: EnvelopeRuleId.REVIEW_DRUG_NOT_IN_BOUNDS,
        message: `${drug} is not among the drugs bounds ${bounds.version} cover`,
      });
    } else if (toMg > allowed.maxDailyMg) {
      // Only lowering or unchanged doses get here (raising ones are blocked above): still outside.
      reasons.push({
        rule: EnvelopeRuleId.REVIEW_ABOVE_BOUNDS_MAX,
        message: `${toMg} mg/day of ${drug} is still above the bounds maximum of ${allowed.maxDailyMg} mg/day`,
      });
    } else if (toMg > 0 && toMg < allowed.minDailyMg) {
      reasons.push({
        rule: EnvelopeRuleId.REVIEW_BELOW_BOUNDS_MIN,
        message: `${toMg} mg/day of ${drug} is below the bounds minimum of ${allowed.minDailyMg} mg/day`,
      });
    }
  }
  if (change.targetOnLadder === false) {
    reasons.push({
      rule: EnvelopeRuleId.REVIEW_OFF_LADDER_DOSE,
      message: `${toMg} mg/day is not a step of the ${drug} ladder (${change.formularyEntry?.stepsMgPerDay.join(', ') ?? ''} mg/day)`,
    });
  }
  if (change.kind === 'INCREASE' && bounds && steps !== null) {
    const allowedSteps = bounds.maxAutoIncreaseSteps ?? rules.titration.defaultMaxAutoIncreaseSteps;
    if (steps > allowedSteps) {
      reasons.push({
        rule: EnvelopeRuleId.REVIEW_ABOVE_AUTO_STEP_LIMIT,
        message: `an increase of ${steps} step(s) exceeds the ${allowedSteps} step(s) bounds ${bounds.version} allow without review`,
      });
    }
  }
  if (change.kind === 'NO_CHANGE') {
    reasons.push({
      rule: EnvelopeRuleId.REVIEW_NO_CHANGE,
      message: `no change to ${drug} (${toMg} mg/day): nothing for the patient to act on`,
    });
  }
  return reasons;
}

/** Order 3: the only ways to AUTO; the review rules above already ruled out everything else. */
function autoReason(change: ProposalClassification): EnvelopeReason | null {
  const description = `${change.drug} ${change.currentMg} -> ${change.toMg} mg/day`;
  if (change.kind === 'INCREASE') {
    return {
      rule: EnvelopeRuleId.AUTO_INCREASE_WITHIN_BOUNDS,
      message: `increase ${description} within the signed bounds`,
    };
  }
  if (change.kind === 'DECREASE') {
    return { rule: EnvelopeRuleId.AUTO_DECREASE_ONE_STEP, message: `decrease ${description} by one step` };
  }
  return null;
}

/**
 * The safety envelope: routes one titration proposal to AUTO, REVIEW or BLOCKED by the ordered
 * rules of clinical-rules.md "Safety envelope and tiers" (BLOCKED rules first, then REVIEW,
 * then AUTO; the first tier with a matching rule decides and lists all its matching rules).
 * Deterministic: no clock, the regimen's order never matters, and a decrease or stop is never
 * blocked for timing or for an open hypotension alert.
 *
 * @throws ClinicalError INVALID_INPUT for malformed input (negative dose, duplicate regimen
 * drug, confidence outside 0..1); parse edge input with the zod schemas first.
 */
export function checkEnvelope(input: EnvelopeInput, rules: ClinicalRules): EnvelopeDecision {
  const { proposal, patient } = input;
  if (!(proposal.confidence >= 0 && proposal.confidence <= 1)) {
    throw new ClinicalError(
      ClinicalErrorCode.INVALID_INPUT,
      `proposal.confidence must be between 0 and 1, got ${proposal.confidence}`,
    );
  }
  const regimen = indexRegimen(patient.regimen);
  const change = classifyProposal(proposal, patient.regimen, rules.formulary);
  const decision = (tier: Tier, reasons: readonly EnvelopeReason[]): EnvelopeDecision => ({
    tier,
    urgent:
      lowersExposure(change.kind) &&
      change.steps !== null &&
      change.steps > rules.titration.maxStepsWithoutReview,
    reasons,
    rulesVersion: rules.version,
    boundsVersion: patient.bounds?.version ?? null,
  });

  const boundsAssessment = assessBounds(patient.bounds, input.now, rules);
  const blocking = blockingReasons(change, regimen, boundsAssessment.usable, input, rules);
  if (blocking.length > 0) return decision('BLOCKED', blocking);

  const review = reviewReasons(change, boundsAssessment, proposal, rules);
  const auto = autoReason(change);
  if (review.length > 0 || auto === null) return decision('REVIEW', review);
  return decision('AUTO', [auto]);
}
