import { describe, expect, it } from 'vitest';
import { ClinicalError, ClinicalErrorCode } from '../errors';
import { DEFAULT_RULES } from '../rules';
import { SafetyBounds } from './bounds';
import { checkEnvelope, EnvelopeInput, EnvelopePatient } from './envelope';
import { Tier } from './envelope-rules';
import { TitrationProposal } from './proposal';

const rules = DEFAULT_RULES;
const NOW = new Date('2025-06-01T12:00:00.000Z');
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 86_400_000);

const BOUNDS: SafetyBounds = {
  version: 'bounds-v3',
  targetSbp: 130,
  targetDbp: 80,
  allowedDrugs: [
    { drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 40 },
    { drug: 'amlodipine', minDailyMg: 2.5, maxDailyMg: 10 },
    { drug: 'hydrochlorothiazide', minDailyMg: 12.5, maxDailyMg: 25 },
  ],
  maxAutoIncreaseSteps: 1,
  minIncreaseIntervalDays: 14,
  confidenceFloor: 0.7,
  signedAt: daysAgo(30),
  signedBy: 'dr-lee',
};

const withDrugs = (...drugs: { drug: string; minDailyMg: number; maxDailyMg: number }[]): SafetyBounds => ({
  ...BOUNDS,
  allowedDrugs: [...BOUNDS.allowedDrugs, ...drugs],
});
const LOSARTAN = { drug: 'losartan', minDailyMg: 25, maxDailyMg: 100 };
const CHLORTHALIDONE = { drug: 'chlorthalidone', minDailyMg: 12.5, maxDailyMg: 25 };

/** Base case: lisinopril 10 -> 20 mg, one step, well inside signed bounds, last increase 30 days ago: AUTO. */
function scenario(
  patient: Partial<EnvelopePatient> = {},
  proposal: Partial<TitrationProposal> = {},
): EnvelopeInput {
  return {
    now: NOW,
    patient: {
      regimen: [
        { drug: 'lisinopril', dailyDoseMg: 10 },
        { drug: 'amlodipine', dailyDoseMg: 5 },
      ],
      bounds: BOUNDS,
      pregnant: false,
      angioedemaHistory: false,
      sulfonamideAllergy: false,
      anuria: false,
      openAlerts: [],
      lastIncreaseAt: daysAgo(30),
      ...patient,
    },
    proposal: { drug: 'lisinopril', fromMg: 10, toMg: 20, confidence: 0.9, ...proposal },
  };
}

interface Row {
  name: string;
  input: EnvelopeInput;
  tier: Tier;
  rules: string[];
  urgent?: boolean;
}

const HYPOTENSION_OPEN = [{ condition: 'PERSISTENT_HYPOTENSION', severity: 'HIGH' }] as const;
const lisinopril = (dailyDoseMg: number) => ({ drug: 'lisinopril', dailyDoseMg });
const losartan = (dailyDoseMg: number) => ({ drug: 'losartan', dailyDoseMg });
const hctz = (dailyDoseMg: number) => ({ drug: 'hydrochlorothiazide', dailyDoseMg });

const rows: Row[] = [
  // Order 1: BLOCKED, one row per rule at least.
  {
    name: 'fromMg disagrees with the regimen (stale proposal)',
    input: scenario({}, { fromMg: 5 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_REGIMEN_MISMATCH'],
  },
  {
    name: 'drug outside the formulary',
    input: scenario({}, { drug: 'metoprolol', fromMg: 0, toMg: 25 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_NOT_IN_FORMULARY', 'BLOCK_DRUG_NOT_IN_BOUNDS'],
  },
  {
    name: 'dose above the formulary maximum (and the bounds maximum)',
    input: scenario({ regimen: [lisinopril(40)] }, { fromMg: 40, toMg: 80 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_ABOVE_FORMULARY_MAX', 'BLOCK_ABOVE_BOUNDS_MAX'],
  },
  {
    name: 'decrease that still lands above the formulary maximum',
    input: scenario({ regimen: [lisinopril(80)] }, { fromMg: 80, toMg: 60 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_ABOVE_FORMULARY_MAX'],
  },
  {
    name: 'new ARB on top of an ACE inhibitor',
    input: scenario({ bounds: withDrugs(LOSARTAN) }, { drug: 'losartan', fromMg: 0, toMg: 25 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_ACE_WITH_ARB'],
  },
  {
    name: 'ACE inhibitor increase while on an ARB',
    input: scenario({ regimen: [lisinopril(10), losartan(50)], bounds: withDrugs(LOSARTAN) }),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_ACE_WITH_ARB'],
  },
  {
    name: 'second thiazide-type diuretic (chlorthalidone with hydrochlorothiazide)',
    input: scenario(
      { regimen: [lisinopril(10), hctz(12.5)], bounds: withDrugs(CHLORTHALIDONE) },
      { drug: 'chlorthalidone', fromMg: 0, toMg: 12.5 },
    ),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_SAME_CLASS'],
  },
  {
    name: 'ACE inhibitor with a history of angioedema',
    input: scenario({ angioedemaHistory: true }),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_ACE_ANGIOEDEMA'],
  },
  {
    name: 'ACE inhibitor increase when pregnant',
    input: scenario({ pregnant: true }),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_PREGNANCY_ACE_ARB'],
  },
  {
    name: 'ARB increase when pregnant',
    input: scenario(
      { regimen: [losartan(25)], bounds: withDrugs(LOSARTAN), pregnant: true },
      { drug: 'losartan', fromMg: 25, toMg: 50 },
    ),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_PREGNANCY_ACE_ARB'],
  },
  {
    name: 'keeping an ACE inhibitor when pregnant (no change is not a way out)',
    input: scenario({ pregnant: true }, { toMg: 10 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_PREGNANCY_ACE_ARB'],
  },
  {
    name: 'thiazide increase with sulfonamide allergy',
    input: scenario(
      { regimen: [hctz(12.5)], sulfonamideAllergy: true },
      { drug: 'hydrochlorothiazide', fromMg: 12.5, toMg: 25 },
    ),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_THIAZIDE_SULFONAMIDE_ALLERGY'],
  },
  {
    name: 'thiazide-like start with anuria',
    input: scenario(
      { bounds: withDrugs(CHLORTHALIDONE), anuria: true },
      { drug: 'chlorthalidone', fromMg: 0, toMg: 12.5 },
    ),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_THIAZIDE_ANURIA'],
  },
  {
    name: 'increase of a drug the bounds do not allow',
    input: scenario({ regimen: [losartan(25)] }, { drug: 'losartan', fromMg: 25, toMg: 50 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_DRUG_NOT_IN_BOUNDS'],
  },
  {
    name: 'increase above the bounds maximum',
    input: scenario({ regimen: [hctz(25)] }, { drug: 'hydrochlorothiazide', fromMg: 25, toMg: 50 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_ABOVE_BOUNDS_MAX'],
  },
  {
    name: 'increase 13 days after the last one',
    input: scenario({ lastIncreaseAt: daysAgo(13) }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_TOO_SOON'],
  },
  {
    name: 'increase 14 days minus a second after the last one',
    input: scenario({ lastIncreaseAt: new Date(daysAgo(14).getTime() + 1000) }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_TOO_SOON'],
  },
  {
    name: 'increase too soon by the per-patient interval (28 days)',
    input: scenario({ bounds: { ...BOUNDS, minIncreaseIntervalDays: 28 }, lastIncreaseAt: daysAgo(20) }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_TOO_SOON'],
  },
  {
    name: 'increase too soon without bounds (default interval)',
    input: scenario({ bounds: null, lastIncreaseAt: daysAgo(3) }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_TOO_SOON'],
  },
  {
    name: 'new drug too soon after an increase',
    input: scenario({ lastIncreaseAt: daysAgo(3) }, { drug: 'hydrochlorothiazide', fromMg: 0, toMg: 12.5 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_TOO_SOON'],
  },
  {
    name: 'increase while persistent hypotension is open',
    input: scenario({ openAlerts: [...HYPOTENSION_OPEN] }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_DURING_HYPOTENSION'],
  },

  // Order 2: REVIEW.
  {
    name: 'no bounds',
    input: scenario({ bounds: null }),
    tier: 'REVIEW',
    rules: ['REVIEW_NO_SIGNED_BOUNDS'],
  },
  {
    name: 'bounds not signed',
    input: scenario({ bounds: { ...BOUNDS, signedAt: undefined, signedBy: undefined } }),
    tier: 'REVIEW',
    rules: ['REVIEW_NO_SIGNED_BOUNDS'],
  },
  {
    name: 'bounds signed in the future',
    input: scenario({ bounds: { ...BOUNDS, signedAt: new Date(NOW.getTime() + 60_000) } }),
    tier: 'REVIEW',
    rules: ['REVIEW_NO_SIGNED_BOUNDS'],
  },
  {
    name: 'signed bounds beyond the formulary',
    input: scenario({ bounds: withDrugs({ drug: 'amlodipine', minDailyMg: 2.5, maxDailyMg: 20 }) }),
    tier: 'REVIEW',
    rules: ['REVIEW_INVALID_BOUNDS'],
  },
  {
    name: 'new drug at the lowest step',
    input: scenario({}, { drug: 'hydrochlorothiazide', fromMg: 0, toMg: 12.5 }),
    tier: 'REVIEW',
    rules: ['REVIEW_NEW_DRUG'],
  },
  {
    name: 'new drug at the second step',
    input: scenario({}, { drug: 'hydrochlorothiazide', fromMg: 0, toMg: 25 }),
    tier: 'REVIEW',
    rules: ['REVIEW_NEW_DRUG', 'REVIEW_MORE_THAN_ONE_STEP'],
  },
  {
    name: 'stop from the lowest step',
    input: scenario({ regimen: [lisinopril(5)] }, { fromMg: 5, toMg: 0 }),
    tier: 'REVIEW',
    rules: ['REVIEW_STOP'],
    urgent: false,
  },
  {
    name: 'stop from the second step (urgent)',
    input: scenario({}, { toMg: 0 }),
    tier: 'REVIEW',
    rules: ['REVIEW_STOP', 'REVIEW_MORE_THAN_ONE_STEP'],
    urgent: true,
  },
  {
    name: 'increase of two steps',
    input: scenario({}, { toMg: 40 }),
    tier: 'REVIEW',
    rules: ['REVIEW_MORE_THAN_ONE_STEP', 'REVIEW_ABOVE_AUTO_STEP_LIMIT'],
    urgent: false,
  },
  {
    name: 'decrease of two steps (urgent)',
    input: scenario({ regimen: [lisinopril(40)] }, { fromMg: 40, toMg: 10 }),
    tier: 'REVIEW',
    rules: ['REVIEW_MORE_THAN_ONE_STEP'],
    urgent: true,
  },
  {
    name: 'confidence just below the floor',
    input: scenario({}, { confidence: 0.69 }),
    tier: 'REVIEW',
    rules: ['REVIEW_LOW_CONFIDENCE'],
  },
  {
    name: "decrease below the bounds' minimum",
    input: scenario(
      { bounds: { ...BOUNDS, allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 10, maxDailyMg: 40 }] } },
      { toMg: 5 },
    ),
    tier: 'REVIEW',
    rules: ['REVIEW_BELOW_BOUNDS_MIN'],
  },
  {
    name: 'decrease of a drug the bounds do not cover',
    input: scenario({ regimen: [losartan(50)] }, { drug: 'losartan', fromMg: 50, toMg: 25 }),
    tier: 'REVIEW',
    rules: ['REVIEW_DRUG_NOT_IN_BOUNDS'],
  },
  {
    name: "decrease still above the bounds' maximum",
    input: scenario(
      {
        regimen: [lisinopril(40)],
        bounds: { ...BOUNDS, allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 10 }] },
      },
      { fromMg: 40, toMg: 20 },
    ),
    tier: 'REVIEW',
    rules: ['REVIEW_ABOVE_BOUNDS_MAX'],
  },
  {
    name: 'dose off the ladder',
    input: scenario({}, { toMg: 15 }),
    tier: 'REVIEW',
    rules: ['REVIEW_OFF_LADDER_DOSE'],
  },
  {
    name: 'bounds allow no increase without review',
    input: scenario({ bounds: { ...BOUNDS, maxAutoIncreaseSteps: 0 } }),
    tier: 'REVIEW',
    rules: ['REVIEW_ABOVE_AUTO_STEP_LIMIT'],
  },
  {
    name: 'bounds allowing two steps do not override the one-step review rule',
    input: scenario({ bounds: { ...BOUNDS, maxAutoIncreaseSteps: 2 } }, { toMg: 40 }),
    tier: 'REVIEW',
    rules: ['REVIEW_MORE_THAN_ONE_STEP'],
  },
  { name: 'no change', input: scenario({}, { toMg: 10 }), tier: 'REVIEW', rules: ['REVIEW_NO_CHANGE'] },

  // Order 3: AUTO.
  {
    name: 'one step up inside signed bounds',
    input: scenario(),
    tier: 'AUTO',
    rules: ['AUTO_INCREASE_WITHIN_BOUNDS'],
  },
  {
    name: 'one step up exactly 14 days after the last increase',
    input: scenario({ lastIncreaseAt: daysAgo(14) }),
    tier: 'AUTO',
    rules: ['AUTO_INCREASE_WITHIN_BOUNDS'],
  },
  {
    name: 'first increase ever',
    input: scenario({ lastIncreaseAt: null }),
    tier: 'AUTO',
    rules: ['AUTO_INCREASE_WITHIN_BOUNDS'],
  },
  {
    name: 'confidence exactly at the floor',
    input: scenario({}, { confidence: 0.7 }),
    tier: 'AUTO',
    rules: ['AUTO_INCREASE_WITHIN_BOUNDS'],
  },
  {
    name: 'from an off-ladder dose to the next step',
    input: scenario({ regimen: [lisinopril(15)] }, { fromMg: 15, toMg: 20 }),
    tier: 'AUTO',
    rules: ['AUTO_INCREASE_WITHIN_BOUNDS'],
  },
  {
    name: 'drug names compared without case',
    input: scenario({ regimen: [{ drug: 'Lisinopril', dailyDoseMg: 10 }] }, { drug: ' LISINOPRIL ' }),
    tier: 'AUTO',
    rules: ['AUTO_INCREASE_WITHIN_BOUNDS'],
  },
  {
    name: 'an open crisis alert does not withhold increases',
    input: scenario({ openAlerts: [{ condition: 'HYPERTENSIVE_CRISIS', severity: 'CRITICAL' }] }),
    tier: 'AUTO',
    rules: ['AUTO_INCREASE_WITHIN_BOUNDS'],
  },
  {
    name: 'one step down',
    input: scenario({}, { toMg: 5 }),
    tier: 'AUTO',
    rules: ['AUTO_DECREASE_ONE_STEP'],
  },

  // Order conflicts: the first tier that matches decides.
  {
    name: 'one step down the day after an increase, with hypotension open (never blocked for timing)',
    input: scenario({ lastIncreaseAt: daysAgo(1), openAlerts: [...HYPOTENSION_OPEN] }, { toMg: 5 }),
    tier: 'AUTO',
    rules: ['AUTO_DECREASE_ONE_STEP'],
  },
  {
    name: 'lowering the offending drug when pregnant is not blocked',
    input: scenario({ pregnant: true }, { toMg: 5 }),
    tier: 'AUTO',
    rules: ['AUTO_DECREASE_ONE_STEP'],
  },
  {
    name: 'stopping the offending drug when pregnant goes to review, urgent',
    input: scenario({ pregnant: true }, { toMg: 0 }),
    tier: 'REVIEW',
    rules: ['REVIEW_STOP', 'REVIEW_MORE_THAN_ONE_STEP'],
    urgent: true,
  },
  {
    name: 'contraindicated new drug without bounds: BLOCKED beats REVIEW',
    input: scenario({ bounds: null }, { drug: 'losartan', fromMg: 0, toMg: 25 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_CI_ACE_WITH_ARB'],
  },
  {
    name: 'too soon, two steps and low confidence: only the blocking rule is reported',
    input: scenario({ lastIncreaseAt: daysAgo(2) }, { toMg: 40, confidence: 0.1 }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_TOO_SOON'],
  },
  {
    name: 'no bounds and hypotension open: BLOCKED beats REVIEW',
    input: scenario({ bounds: null, openAlerts: [...HYPOTENSION_OPEN] }),
    tier: 'BLOCKED',
    rules: ['BLOCK_INCREASE_DURING_HYPOTENSION'],
  },
  {
    name: 'every matching blocking rule is listed in rule order',
    input: scenario(
      { pregnant: true, lastIncreaseAt: daysAgo(2), openAlerts: [...HYPOTENSION_OPEN] },
      { toMg: 80 },
    ),
    tier: 'BLOCKED',
    rules: [
      'BLOCK_CI_PREGNANCY_ACE_ARB',
      'BLOCK_ABOVE_FORMULARY_MAX',
      'BLOCK_ABOVE_BOUNDS_MAX',
      'BLOCK_INCREASE_TOO_SOON',
      'BLOCK_INCREASE_DURING_HYPOTENSION',
    ],
  },
  {
    name: 'one-step increase with low confidence and no bounds: REVIEW (without bounds there is no floor)',
    input: scenario({ bounds: null }, { confidence: 0.1 }),
    tier: 'REVIEW',
    rules: ['REVIEW_NO_SIGNED_BOUNDS'],
  },
  {
    name: 'one-step decrease with low confidence: REVIEW beats AUTO',
    input: scenario({}, { toMg: 5, confidence: 0.2 }),
    tier: 'REVIEW',
    rules: ['REVIEW_LOW_CONFIDENCE'],
  },
];

describe('checkEnvelope: every rule and its order', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const decision = checkEnvelope(row.input, rules);
    expect(decision.tier).toBe(row.tier);
    expect(decision.reasons.map((reason) => reason.rule)).toEqual(row.rules);
    expect(decision.urgent).toBe(row.urgent ?? false);
    for (const reason of decision.reasons) expect(reason.message).not.toBe('');
  });

  it('names the versions it decided under', () => {
    expect(checkEnvelope(scenario(), rules)).toMatchObject({
      rulesVersion: 'acc-aha-2017.1',
      boundsVersion: 'bounds-v3',
    });
    expect(checkEnvelope(scenario({ bounds: null }), rules).boundsVersion).toBeNull();
  });

  it('explains each reason in words', () => {
    expect(checkEnvelope(scenario({ lastIncreaseAt: daysAgo(10) }), rules).reasons).toEqual([
      {
        rule: 'BLOCK_INCREASE_TOO_SOON',
        message:
          'last increase 10.0 days ago; the minimum interval is 14 days (next possible 2025-06-05T12:00:00.000Z)',
      },
    ]);
    expect(
      checkEnvelope(
        scenario({ regimen: [losartan(50), lisinopril(10), { drug: 'candesartan', dailyDoseMg: 8 }] }),
        rules,
      ).reasons[0],
    ).toEqual({
      rule: 'BLOCK_CI_ACE_WITH_ARB',
      message: 'ACE inhibitor together with an ARB: lisinopril with losartan',
    });
  });

  it('gives the same answer whatever the order of the regimen', () => {
    const regimen = [lisinopril(10), losartan(50), hctz(25), { drug: 'amlodipine', dailyDoseMg: 5 }];
    const forward = checkEnvelope(
      scenario({ regimen, bounds: withDrugs(LOSARTAN) }, { drug: 'amlodipine', fromMg: 5, toMg: 10 }),
      rules,
    );
    const backward = checkEnvelope(
      scenario(
        { regimen: [...regimen].reverse(), bounds: withDrugs(LOSARTAN) },
        { drug: 'amlodipine', fromMg: 5, toMg: 10 },
      ),
      rules,
    );
    expect(backward).toEqual(forward);
  });

  it.each`
    name                      | input
    ${'confidence above 1'}   | ${scenario({}, { confidence: 1.5 })}
    ${'confidence NaN'}       | ${scenario({}, { confidence: NaN })}
    ${'negative target dose'} | ${scenario({}, { toMg: -5 })}
    ${'drug listed twice'}    | ${scenario({ regimen: [lisinopril(10), { drug: 'LISINOPRIL', dailyDoseMg: 20 }] })}
    ${'regimen dose of zero'} | ${scenario({ regimen: [lisinopril(0)] })}
  `('refuses malformed input ($name) with INVALID_INPUT', ({ input }: { input: EnvelopeInput }) => {
    expect(() => checkEnvelope(input, rules)).toThrow(ClinicalError);
    try {
      checkEnvelope(input, rules);
    } catch (error) {
      expect(error instanceof ClinicalError && error.code).toBe(ClinicalErrorCode.INVALID_INPUT);
    }
  });
});
