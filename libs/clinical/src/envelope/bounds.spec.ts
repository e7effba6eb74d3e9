import { describe, expect, it } from 'vitest';
import { ClinicalError, ClinicalErrorCode } from '../errors';
import { DEFAULT_FORMULARY } from '../formulary/formulary';
import { assertValidBounds, isSignedAt, SafetyBounds, validateBounds } from './bounds';

const BOUNDS: SafetyBounds = {
  version: 'bounds-v1',
  targetSbp: 130,
  targetDbp: 80,
  allowedDrugs: [
    { drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 40 },
    { drug: 'amlodipine', minDailyMg: 0, maxDailyMg: 10 },
  ],
  maxAutoIncreaseSteps: 1,
  minIncreaseIntervalDays: 14,
  confidenceFloor: 0.7,
  signedAt: new Date('2025-05-01T00:00:00Z'),
  signedBy: 'dr-lee',
};

describe('validateBounds', () => {
  it('accepts bounds inside the formulary', () => {
    expect(validateBounds(BOUNDS, DEFAULT_FORMULARY)).toEqual({ valid: true });
  });

  it.each`
    name                                 | patch                                                                                                | code                                          | field
    ${'max above the formulary maximum'} | ${{ allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 80 }] }}                         | ${ClinicalErrorCode.BOUNDS_OUTSIDE_FORMULARY} | ${'allowedDrugs[0].maxDailyMg'}
    ${'drug not in the formulary'}       | ${{ allowedDrugs: [{ drug: 'metoprolol', minDailyMg: 25, maxDailyMg: 100 }] }}                       | ${ClinicalErrorCode.UNKNOWN_DRUG}             | ${'allowedDrugs[0].drug'}
    ${'min above max'}                   | ${{ allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 20, maxDailyMg: 10 }] }}                        | ${ClinicalErrorCode.INVALID_INPUT}            | ${'allowedDrugs[0].minDailyMg'}
    ${'negative min'}                    | ${{ allowedDrugs: [{ drug: 'lisinopril', minDailyMg: -5, maxDailyMg: 10 }] }}                        | ${ClinicalErrorCode.INVALID_INPUT}            | ${'allowedDrugs[0].minDailyMg'}
    ${'zero max'}                        | ${{ allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 0, maxDailyMg: 0 }] }}                          | ${ClinicalErrorCode.INVALID_INPUT}            | ${'allowedDrugs[0].maxDailyMg'}
    ${'drug listed twice'}               | ${{ allowedDrugs: [...BOUNDS.allowedDrugs, { drug: 'Lisinopril', minDailyMg: 5, maxDailyMg: 10 }] }} | ${ClinicalErrorCode.INVALID_INPUT}            | ${'allowedDrugs[2].drug'}
    ${'confidence floor above 1'}        | ${{ confidenceFloor: 1.2 }}                                                                          | ${ClinicalErrorCode.INVALID_INPUT}            | ${'confidenceFloor'}
    ${'fractional auto steps'}           | ${{ maxAutoIncreaseSteps: 1.5 }}                                                                     | ${ClinicalErrorCode.INVALID_INPUT}            | ${'maxAutoIncreaseSteps'}
    ${'negative interval'}               | ${{ minIncreaseIntervalDays: -1 }}                                                                   | ${ClinicalErrorCode.INVALID_INPUT}            | ${'minIncreaseIntervalDays'}
    ${'target SBP not above DBP'}        | ${{ targetSbp: 80, targetDbp: 80 }}                                                                  | ${ClinicalErrorCode.INVALID_INPUT}            | ${'targetSbp'}
    ${'empty version'}                   | ${{ version: ' ' }}                                                                                  | ${ClinicalErrorCode.INVALID_INPUT}            | ${'version'}
  `(
    'refuses $name',
    ({ patch, code, field }: { patch: Partial<SafetyBounds>; code: ClinicalErrorCode; field: string }) => {
      const result = validateBounds({ ...BOUNDS, ...patch }, DEFAULT_FORMULARY);
      expect(result.valid).toBe(false);
      expect(!result.valid && result.problems.map((problem) => [problem.code, problem.field])).toContainEqual(
        [code, field],
      );
    },
  );

  it('reports every problem at once', () => {
    const result = validateBounds(
      {
        ...BOUNDS,
        confidenceFloor: -1,
        allowedDrugs: [
          { drug: 'losartan', minDailyMg: 0, maxDailyMg: 200 },
          { drug: 'atenolol', minDailyMg: 0, maxDailyMg: 50 },
        ],
      },
      DEFAULT_FORMULARY,
    );
    expect(!result.valid && result.problems.map((problem) => problem.code)).toEqual([
      ClinicalErrorCode.INVALID_INPUT,
      ClinicalErrorCode.BOUNDS_OUTSIDE_FORMULARY,
      ClinicalErrorCode.UNKNOWN_DRUG,
    ]);
  });

  it('throws a coded ClinicalError from assertValidBounds', () => {
    const outside = { ...BOUNDS, allowedDrugs: [{ drug: 'amlodipine', minDailyMg: 0, maxDailyMg: 20 }] };
    let thrown: unknown;
    try {
      assertValidBounds(outside, DEFAULT_FORMULARY);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClinicalError);
    expect(thrown).toMatchObject({
      code: ClinicalErrorCode.BOUNDS_OUTSIDE_FORMULARY,
      module: 'clinical',
      message:
        'allowedDrugs[0].maxDailyMg: amlodipine maxDailyMg 20 exceeds the formulary maximum of 10 mg/day',
    });
    expect(() => assertValidBounds(BOUNDS, DEFAULT_FORMULARY)).not.toThrow();
  });
});

describe('isSignedAt', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  it.each`
    signedAt                            | signedBy    | signed
    ${new Date('2025-05-01T00:00:00Z')} | ${'dr-lee'} | ${true}
    ${now}                              | ${'dr-lee'} | ${true}
    ${new Date('2025-06-01T00:00:01Z')} | ${'dr-lee'} | ${false}
    ${undefined}                        | ${'dr-lee'} | ${false}
    ${new Date('2025-05-01T00:00:00Z')} | ${null}     | ${false}
    ${new Date('2025-05-01T00:00:00Z')} | ${'  '}     | ${false}
  `(
    'signedAt $signedAt by $signedBy -> $signed',
    ({
      signedAt,
      signedBy,
      signed,
    }: {
      signedAt: Date | undefined;
      signedBy: string | null;
      signed: boolean;
    }) => {
      expect(isSignedAt({ ...BOUNDS, signedAt, signedBy }, now)).toBe(signed);
    },
  );
});
