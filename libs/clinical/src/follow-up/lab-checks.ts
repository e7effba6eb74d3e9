import { ProposalKind } from '../envelope/proposal';
import { findFormularyEntry } from '../formulary/formulary';
import { ClinicalRules } from '../rules';
import { addDays } from '../time';

/** A follow-up task for the care team, not a patient instruction. */
export interface LabCheckTask {
  readonly drug: string;
  readonly tests: readonly string[];
  readonly earliestAt: Date;
  readonly dueBy: Date;
  readonly reason: string;
}

/**
 * Potassium and creatinine 2-4 weeks after starting or increasing an ACE inhibitor, ARB or
 * thiazide-type diuretic. `kind` is the change as classifyProposal judged it.
 */
export function labCheckAfterChange(
  change: { readonly drug: string; readonly kind: ProposalKind },
  changedAt: Date,
  rules: ClinicalRules,
): LabCheckTask | null {
  if (change.kind !== 'NEW_DRUG' && change.kind !== 'INCREASE') return null;
  const entry = findFormularyEntry(rules.formulary, change.drug);
  if (!entry || !rules.labChecks.classes.includes(entry.therapeuticClass)) return null;
  return {
    drug: entry.drug,
    tests: rules.labChecks.tests,
    earliestAt: addDays(changedAt, rules.labChecks.afterDays.earliest),
    dueBy: addDays(changedAt, rules.labChecks.afterDays.latest),
    reason: `${change.kind === 'NEW_DRUG' ? 'started' : 'increased'} ${entry.drug} (${entry.drugClass})`,
  };
}
