import { describe, expect, it } from 'vitest';
import { ClinicalError, ClinicalErrorCode } from '../errors';
import { DEFAULT_RULES } from '../rules';
import { bpClassifyCommand } from './bp-classify.command';

describe('bpClassifyCommand', () => {
  it('classifies a plausible reading', () => {
    expect(bpClassifyCommand({ sbp: '185', dbp: '95' }, DEFAULT_RULES)).toEqual({
      category: 'CRISIS',
      crisisRange: true,
      hypotensive: false,
      flags: ['CRISIS_RANGE'],
    });
    expect(bpClassifyCommand({ sbp: '88', dbp: '58' }, DEFAULT_RULES)).toEqual({
      category: 'NORMAL',
      crisisRange: false,
      hypotensive: true,
      flags: ['HYPOTENSIVE_SYSTOLIC', 'HYPOTENSIVE_DIASTOLIC'],
    });
  });

  it.each`
    sbp          | dbp      | code                                     | message
    ${undefined} | ${'80'}  | ${ClinicalErrorCode.INVALID_INPUT}       | ${'missing --sbp (a number in mm[Hg])'}
    ${'abc'}     | ${'80'}  | ${ClinicalErrorCode.INVALID_INPUT}       | ${"--sbp must be a number in mm[Hg], got 'abc'"}
    ${'120'}     | ${'8O'}  | ${ClinicalErrorCode.INVALID_INPUT}       | ${"--dbp must be a number in mm[Hg], got '8O'"}
    ${'120'}     | ${'1e2'} | ${ClinicalErrorCode.INVALID_INPUT}       | ${"--dbp must be a number in mm[Hg], got '1e2'"}
    ${'400'}     | ${'80'}  | ${ClinicalErrorCode.IMPLAUSIBLE_READING} | ${'implausible reading 400/80: systolic 400 mm[Hg] is outside the plausible range 50-300'}
    ${'120'}     | ${'125'} | ${ClinicalErrorCode.IMPLAUSIBLE_READING} | ${'implausible reading 120/125: systolic 120 is not above diastolic 125'}
  `(
    'refuses --sbp $sbp --dbp $dbp',
    ({
      sbp,
      dbp,
      code,
      message,
    }: {
      sbp?: string;
      dbp?: string;
      code: ClinicalErrorCode;
      message: string;
    }) => {
      let thrown: unknown;
      try {
        bpClassifyCommand({ sbp, dbp }, DEFAULT_RULES);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ClinicalError);
      expect(thrown).toMatchObject({ code, message });
    },
  );
});
