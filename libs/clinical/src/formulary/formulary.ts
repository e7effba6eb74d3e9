/**
 * Formulary hard limits: the drugs ClinLoop may ever propose, their dose ladders and maximum
 * daily doses. No clinician bounds may exceed them (see validateBounds).
 */

/**
 * The class used by the contraindication rules. It groups drugs that must not be combined:
 * hydrochlorothiazide (a thiazide) and chlorthalidone (thiazide-like) are both thiazide-type
 * diuretics, so together they are a duplicate class and both carry the thiazide
 * contraindications (sulfonamide allergy, anuria), as their US labels do.
 */
export type TherapeuticClass = 'ACE_INHIBITOR' | 'ARB' | 'CALCIUM_CHANNEL_BLOCKER' | 'THIAZIDE_DIURETIC';

export interface FormularyEntry {
  /** Lower-case generic name; lookups normalise input names the same way. */
  readonly drug: string;
  /** The class as the source table names it, for display. */
  readonly drugClass: string;
  readonly therapeuticClass: TherapeuticClass;
  /** The dose ladder in mg/day, ascending. Steps are counted on this ladder. */
  readonly stepsMgPerDay: readonly number[];
  readonly maxDailyMg: number;
  readonly note: string | null;
  readonly source: string;
}

export interface Formulary {
  readonly version: string;
  readonly entries: readonly FormularyEntry[];
}

const FORMULARY_SOURCE =
  'clinical-rules.md "Formulary hard limits" (ACC/AHA 2017 usual doses; US drug labels)';

export const DEFAULT_FORMULARY: Formulary = {
  version: 'formulary-2017.1',
  entries: [
    {
      drug: 'lisinopril',
      drugClass: 'ACE inhibitor',
      therapeuticClass: 'ACE_INHIBITOR',
      stepsMgPerDay: [5, 10, 20, 40],
      maxDailyMg: 40,
      note: 'ACC/AHA usual 10-40; label: up to 80 gives no greater effect',
      source: FORMULARY_SOURCE,
    },
    {
      drug: 'losartan',
      drugClass: 'ARB',
      therapeuticClass: 'ARB',
      stepsMgPerDay: [25, 50, 100],
      maxDailyMg: 100,
      note: null,
      source: FORMULARY_SOURCE,
    },
    {
      drug: 'amlodipine',
      drugClass: 'calcium-channel blocker',
      therapeuticClass: 'CALCIUM_CHANNEL_BLOCKER',
      stepsMgPerDay: [2.5, 5, 10],
      maxDailyMg: 10,
      note: null,
      source: FORMULARY_SOURCE,
    },
    {
      drug: 'hydrochlorothiazide',
      drugClass: 'thiazide',
      therapeuticClass: 'THIAZIDE_DIURETIC',
      stepsMgPerDay: [12.5, 25, 50],
      maxDailyMg: 50,
      note: null,
      source: FORMULARY_SOURCE,
    },
    {
      drug: 'chlorthalidone',
      drugClass: 'thiazide-like',
      therapeuticClass: 'THIAZIDE_DIURETIC',
      stepsMgPerDay: [12.5, 25],
      maxDailyMg: 25,
      note: 'ACC/AHA usual 12.5-25',
      source: FORMULARY_SOURCE,
    },
  ],
};

/** Drug names arrive from devices, models and people; compare them trimmed and lower-case. */
export function normalizeDrugName(drug: string): string {
  return drug.trim().toLowerCase();
}

export function findFormularyEntry(formulary: Formulary, drug: string): FormularyEntry | undefined {
  const wanted = normalizeDrugName(drug);
  return formulary.entries.find((entry) => entry.drug === wanted);
}

export function isOnDoseLadder(entry: FormularyEntry, doseMg: number): boolean {
  return entry.stepsMgPerDay.includes(doseMg);
}

/**
 * Steps between two daily doses on a drug's ladder: 0 when equal, otherwise one step plus one
 * for every rung strictly between the two doses. On-ladder doses give the plain rung distance
 * (10 -> 40 mg lisinopril = 2); a dose off the ladder counts as a step of its own in each
 * direction, so an irregular dose never makes a change look smaller than it is
 * (15 -> 20 = 1, 15 -> 40 = 2, 2.5 -> 7 = 2). Starting (0 -> dose) and stopping (dose -> 0) are
 * counted the same way, 0 being below every rung.
 */
export function countLadderSteps(entry: FormularyEntry, fromMg: number, toMg: number): number {
  if (fromMg === toMg) return 0;
  const low = Math.min(fromMg, toMg);
  const high = Math.max(fromMg, toMg);
  const rungsStrictlyBetween = entry.stepsMgPerDay.filter((rung) => rung > low && rung < high).length;
  return 1 + rungsStrictlyBetween;
}
