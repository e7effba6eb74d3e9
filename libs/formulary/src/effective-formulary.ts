import { DEFAULT_FORMULARY, DEFAULT_RULES, findFormularyEntry, type ClinicalRules, type Formulary, type FormularyEntry } from '@clinloop/clinical';
import type { FormularyDrugEntity } from './formulary-drug.entity';

/** One stored formulary version, as read from `formulary_drugs` (numerics arrive as text). */
export type FormularyDrugRow = Pick<FormularyDrugEntity, 'drug' | 'version' | 'drugClass' | 'stepsMg' | 'maxDailyMg' | 'note' | 'source'>;

/** A stored drug version the clinical rules cannot use, and why; it is left out of the effective formulary. */
export interface SkippedFormularyDrug {
  readonly drug: string;
  readonly version: number;
  readonly reason: string;
}

export interface EffectiveFormulary {
  readonly formulary: Formulary;
  readonly skipped: readonly SkippedFormularyDrug[];
}

/** Prefix of the version of a formulary built from database rows: `formulary-db:amlodipine@1,lisinopril@2,...`. */
export const DB_FORMULARY_VERSION_PREFIX = 'formulary-db:';

function entryOf(row: FormularyDrugRow, builtIn: Formulary): FormularyEntry | SkippedFormularyDrug {
  const skip = (reason: string): SkippedFormularyDrug => ({ drug: row.drug, version: row.version, reason });
  const known = findFormularyEntry(builtIn, row.drug);
  // The therapeutic class drives the contraindication and duplicate-class rules: a drug the rules
  // cannot classify must not become proposable just because a row names it.
  if (!known) return skip(`the clinical rules (${builtIn.version}) have no therapeutic class for ${row.drug}`);
  if (known.drugClass !== row.drugClass) return skip(`stored class '${row.drugClass}' differs from the clinical rules' class '${known.drugClass}'`);
  const steps = row.stepsMg.map(Number);
  const maxDailyMg = Number(row.maxDailyMg);
  const top = steps[steps.length - 1];
  if (top === undefined || steps.some((step, index) => !Number.isFinite(step) || step <= 0 || (index > 0 && step <= (steps[index - 1] ?? 0)))) {
    return skip('dose steps are not positive and strictly ascending');
  }
  if (!Number.isFinite(maxDailyMg) || maxDailyMg !== top) return skip(`maximum ${row.maxDailyMg} mg/day is not the top dose step ${top} mg/day`);
  return {
    drug: row.drug,
    drugClass: row.drugClass,
    therapeuticClass: known.therapeuticClass,
    stepsMgPerDay: steps,
    maxDailyMg,
    note: row.note.trim() === '' ? null : row.note,
    source: row.source,
  };
}

/**
 * The clinical `Formulary` the envelope and bounds validation enforce, built from the current
 * (newest) database version of each drug. Limits come from the rows; the therapeutic class comes from
 * the built-in entry of the same drug. A row the rules cannot classify or whose ladder is malformed
 * is skipped with its reason (so the drug is "not in formulary": blocked, never silently usable).
 * `version` lists exactly the row versions used, sorted by drug.
 * @param rows the newest version of each drug (one row per drug)
 */
export function effectiveFormulary(rows: readonly FormularyDrugRow[], builtIn: Formulary = DEFAULT_FORMULARY): EffectiveFormulary {
  const entries: FormularyEntry[] = [];
  const used: string[] = [];
  const skipped: SkippedFormularyDrug[] = [];
  for (const row of [...rows].sort((a, b) => (a.drug < b.drug ? -1 : a.drug > b.drug ? 1 : 0))) {
    const mapped = entryOf(row, builtIn);
    if ('reason' in mapped) {
      skipped.push(mapped);
      continue;
    }
    entries.push(mapped);
    used.push(`${row.drug}@${row.version}`);
  }
  return { formulary: { version: `${DB_FORMULARY_VERSION_PREFIX}${used.join(',')}`, entries }, skipped };
}

/**
 * The clinical rules with the given formulary. The rules version names the formulary version too, so
 * every decision and signed bounds record which formulary rows it was checked against.
 */
export function rulesWithFormulary(formulary: Formulary, base: ClinicalRules = DEFAULT_RULES): ClinicalRules {
  return { ...base, version: `${base.version}+${formulary.version}`, formulary };
}
