import { ClinicalRules } from '../rules';
import { BloodPressure, HomeBpCategory, OFFICE_BP_CATEGORIES, OfficeBpCategory } from '../vocabulary';

export type ReadingFlag = 'CRISIS_RANGE' | 'HYPOTENSIVE_SYSTOLIC' | 'HYPOTENSIVE_DIASTOLIC';

export interface ReadingClassification {
  readonly category: OfficeBpCategory;
  /** SBP above or DBP above the crisis thresholds; the category is then CRISIS. */
  readonly crisisRange: boolean;
  /** SBP or DBP below the hypotension flag thresholds. */
  readonly hypotensive: boolean;
  /** Which of the above applied, so a low DBP alone is visible as such. */
  readonly flags: readonly ReadingFlag[];
}

function higherCategory(a: OfficeBpCategory, b: OfficeBpCategory): OfficeBpCategory {
  return OFFICE_BP_CATEGORIES.indexOf(a) >= OFFICE_BP_CATEGORIES.indexOf(b) ? a : b;
}

function systolicCategory(sbp: number, rules: ClinicalRules): OfficeBpCategory {
  const thresholds = rules.officeCategories;
  if (sbp > thresholds.crisisSbpAbove) return 'CRISIS';
  if (sbp >= thresholds.stage2SbpFrom) return 'STAGE_2';
  if (sbp >= thresholds.stage1SbpFrom) return 'STAGE_1';
  if (sbp >= thresholds.elevatedSbpFrom) return 'ELEVATED';
  return 'NORMAL';
}

/** Diastolic pressure has no "elevated" band in ACC/AHA 2017. */
function diastolicCategory(dbp: number, rules: ClinicalRules): OfficeBpCategory {
  const thresholds = rules.officeCategories;
  if (dbp > thresholds.crisisDbpAbove) return 'CRISIS';
  if (dbp >= thresholds.stage2DbpFrom) return 'STAGE_2';
  if (dbp >= thresholds.stage1DbpFrom) return 'STAGE_1';
  return 'NORMAL';
}

/**
 * ACC/AHA 2017 category of one reading with office thresholds: each number is categorised on
 * its own and the higher category wins. Assumes a plausible reading (see checkBpPlausibility).
 */
export function classifyReading(reading: BloodPressure, rules: ClinicalRules): ReadingClassification {
  const category = higherCategory(
    systolicCategory(reading.sbp, rules),
    diastolicCategory(reading.dbp, rules),
  );
  const flags: ReadingFlag[] = [];
  if (category === 'CRISIS') flags.push('CRISIS_RANGE');
  if (reading.sbp < rules.hypotensionFlag.sbpBelow) flags.push('HYPOTENSIVE_SYSTOLIC');
  if (reading.dbp < rules.hypotensionFlag.dbpBelow) flags.push('HYPOTENSIVE_DIASTOLIC');
  return {
    category,
    crisisRange: category === 'CRISIS',
    hypotensive: flags.includes('HYPOTENSIVE_SYSTOLIC') || flags.includes('HYPOTENSIVE_DIASTOLIC'),
    flags,
  };
}

export function isCrisisRange(reading: BloodPressure, rules: ClinicalRules): boolean {
  return (
    reading.sbp > rules.officeCategories.crisisSbpAbove || reading.dbp > rules.officeCategories.crisisDbpAbove
  );
}

/**
 * Category of a home mean with the home-equivalent thresholds (ACC/AHA 2017 Table 11). There
 * is no crisis category for a mean: crisis is judged reading by reading.
 */
export function classifyHomeMean(mean: BloodPressure, rules: ClinicalRules): HomeBpCategory {
  const home = rules.homeThresholds;
  if (mean.sbp >= home.stage2SbpFrom || mean.dbp >= home.stage2DbpFrom) return 'STAGE_2';
  if (mean.sbp >= home.stage1SbpFrom || mean.dbp >= home.stage1DbpFrom) return 'STAGE_1';
  if (mean.sbp >= home.elevatedSbpFrom) return 'ELEVATED';
  return 'NORMAL';
}

/** A home target of 130/80 means "below 130 and below 80". */
export function isAtTarget(
  mean: BloodPressure,
  target: { readonly sbp: number; readonly dbp: number },
): boolean {
  return mean.sbp < target.sbp && mean.dbp < target.dbp;
}
