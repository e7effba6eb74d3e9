import { findFormularyEntry } from '../formulary/formulary';
import { RegimenItem } from '../envelope/proposal';
import { ClinicalRules } from '../rules';
import { AlertCandidate } from './alert';

export interface PregnancyInput {
  readonly patientId: string;
  readonly pregnant: boolean;
  readonly regimen: readonly RegimenItem[];
  /** When the pregnancy (or the regimen) became known; the alert is dated then. */
  readonly now: Date;
}

/** Pregnancy on an ACE inhibitor or ARB -> HIGH alert: stop and contact the care team. */
export function evaluatePregnancyOnAceOrArb(
  input: PregnancyInput,
  rules: ClinicalRules,
): AlertCandidate | null {
  if (!input.pregnant) return null;
  const offending = input.regimen
    .flatMap((item) => {
      const entry = findFormularyEntry(rules.formulary, item.drug);
      return entry && rules.pregnancyAlert.classes.includes(entry.therapeuticClass) ? [entry.drug] : [];
    })
    .sort();
  if (offending.length === 0) return null;
  return {
    patientId: input.patientId,
    condition: 'PREGNANCY_ON_ACE_OR_ARB',
    severity: rules.pregnancyAlert.severity,
    raisedAt: input.now,
    message: `Pregnant and taking ${offending.join(', ')}: stop it and contact your care team`,
    evidence: { readingIds: [] },
    effects: ['NOTIFY_CARE_TEAM', 'TELL_PATIENT_TO_STOP_AND_CONTACT_CARE_TEAM'],
    rulesVersion: rules.version,
  };
}
