import { ClinicalError, ClinicalErrorCode } from '../errors';
import { classifyReading, ReadingFlag } from '../readings/bp-category';
import { checkBpPlausibility } from '../readings/plausibility';
import { ClinicalRules } from '../rules';
import { OfficeBpCategory } from '../vocabulary';

export interface BpClassifyOutput {
  readonly category: OfficeBpCategory;
  readonly crisisRange: boolean;
  readonly hypotensive: boolean;
  readonly flags: readonly ReadingFlag[];
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function parseMmHg(option: string, raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') {
    throw new ClinicalError(ClinicalErrorCode.INVALID_INPUT, `missing ${option} (a number in mm[Hg])`);
  }
  if (!DECIMAL.test(raw.trim())) {
    throw new ClinicalError(
      ClinicalErrorCode.INVALID_INPUT,
      `${option} must be a number in mm[Hg], got '${raw}'`,
    );
  }
  return Number(raw);
}

/**
 * `clinloop bp classify --sbp N --dbp N`: the option values as given on the command line.
 * @throws ClinicalError INVALID_INPUT (malformed) or IMPLAUSIBLE_READING (an artifact, not a reading)
 */
export function bpClassifyCommand(
  options: { readonly sbp?: string; readonly dbp?: string },
  rules: ClinicalRules,
): BpClassifyOutput {
  const reading = { sbp: parseMmHg('--sbp', options.sbp), dbp: parseMmHg('--dbp', options.dbp) };
  const plausibility = checkBpPlausibility(reading, rules);
  if (!plausibility.plausible) {
    throw new ClinicalError(
      ClinicalErrorCode.IMPLAUSIBLE_READING,
      `implausible reading ${reading.sbp}/${reading.dbp}: ${plausibility.reasons.map((reason) => reason.message).join('; ')}`,
      { reasons: plausibility.reasons },
    );
  }
  const { category, crisisRange, hypotensive, flags } = classifyReading(reading, rules);
  return { category, crisisRange, hypotensive, flags };
}
