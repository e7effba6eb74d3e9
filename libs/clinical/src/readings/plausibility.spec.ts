import { describe, expect, it } from 'vitest';
import { ClinicalErrorCode } from '../errors';
import { DEFAULT_RULES } from '../rules';
import {
  checkBpPlausibility,
  checkObservationPlausibility,
  normalizeObservation,
  validateBpPanel,
} from './plausibility';

const rules = DEFAULT_RULES;

describe('checkObservationPlausibility (ranges per LOINC, inclusive)', () => {
  it.each`
    loinc       | value       | code
    ${'8480-6'} | ${50}       | ${null}
    ${'8480-6'} | ${49}       | ${'SYSTOLIC_OUT_OF_RANGE'}
    ${'8480-6'} | ${300}      | ${null}
    ${'8480-6'} | ${301}      | ${'SYSTOLIC_OUT_OF_RANGE'}
    ${'8462-4'} | ${20}       | ${null}
    ${'8462-4'} | ${19}       | ${'DIASTOLIC_OUT_OF_RANGE'}
    ${'8462-4'} | ${200}      | ${null}
    ${'8462-4'} | ${201}      | ${'DIASTOLIC_OUT_OF_RANGE'}
    ${'8867-4'} | ${20}       | ${null}
    ${'8867-4'} | ${19}       | ${'HEART_RATE_OUT_OF_RANGE'}
    ${'8867-4'} | ${250}      | ${null}
    ${'8867-4'} | ${251}      | ${'HEART_RATE_OUT_OF_RANGE'}
    ${'8480-6'} | ${NaN}      | ${'NOT_A_FINITE_NUMBER'}
    ${'8462-4'} | ${Infinity} | ${'NOT_A_FINITE_NUMBER'}
  `(
    '$loinc = $value -> $code',
    ({
      loinc,
      value,
      code,
    }: {
      loinc: '8480-6' | '8462-4' | '8867-4';
      value: number;
      code: string | null;
    }) => {
      expect(checkObservationPlausibility({ loinc, value }, rules)?.code ?? null).toBe(code);
    },
  );
});

describe('checkBpPlausibility (panel 85354-9)', () => {
  it.each`
    sbp    | dbp   | heartRate    | codes
    ${120} | ${80} | ${70}        | ${[]}
    ${90}  | ${80} | ${null}      | ${[]}
    ${89}  | ${80} | ${null}      | ${['PULSE_PRESSURE_TOO_NARROW']}
    ${80}  | ${80} | ${null}      | ${['SYSTOLIC_NOT_ABOVE_DIASTOLIC']}
    ${70}  | ${80} | ${null}      | ${['SYSTOLIC_NOT_ABOVE_DIASTOLIC']}
    ${310} | ${80} | ${300}       | ${['SYSTOLIC_OUT_OF_RANGE', 'HEART_RATE_OUT_OF_RANGE']}
    ${120} | ${10} | ${undefined} | ${['DIASTOLIC_OUT_OF_RANGE']}
  `(
    '$sbp/$dbp hr $heartRate -> $codes',
    ({
      sbp,
      dbp,
      heartRate,
      codes,
    }: {
      sbp: number;
      dbp: number;
      heartRate: number | null | undefined;
      codes: string[];
    }) => {
      const result = checkBpPlausibility({ sbp, dbp, heartRate }, rules);
      expect(result.reasons.map((reason) => reason.code)).toEqual(codes);
      expect(result.plausible).toBe(codes.length === 0);
    },
  );

  it('explains the problem in words', () => {
    const [reason] = checkBpPlausibility({ sbp: 400, dbp: 80 }, rules).reasons;
    expect(reason?.message).toBe('systolic 400 mm[Hg] is outside the plausible range 50-300');
  });
});

describe('normalizeObservation (units)', () => {
  it('converts kPa to mm[Hg] with 7.50062 and keeps the original', () => {
    const result = normalizeObservation({ loinc: '8480-6', value: 16, unit: 'kPa' }, rules);
    expect(result).toEqual({
      ok: true,
      observation: { loinc: '8480-6', value: 120.01, unit: 'mm[Hg]', original: { value: 16, unit: 'kPa' } },
    });
  });

  it.each`
    value   | expected
    ${10.7} | ${80.26}
    ${24}   | ${180.01}
    ${0}    | ${0}
  `('$value kPa -> $expected mm[Hg]', ({ value, expected }: { value: number; expected: number }) => {
    const result = normalizeObservation({ loinc: '8462-4', value, unit: 'kPa' }, rules);
    expect(result.ok && result.observation.value).toBe(expected);
  });

  it.each(['mm[Hg]', 'mmHg'])('keeps %s values as they are', (unit) => {
    const result = normalizeObservation({ loinc: '8480-6', value: 121.3, unit }, rules);
    expect(result.ok && result.observation).toEqual({
      loinc: '8480-6',
      value: 121.3,
      unit: 'mm[Hg]',
      original: { value: 121.3, unit },
    });
  });

  it.each`
    loinc       | unit
    ${'8480-6'} | ${'psi'}
    ${'8480-6'} | ${'/min'}
    ${'8867-4'} | ${'kPa'}
    ${'8480-6'} | ${'toString'}
  `(
    'refuses $unit for $loinc with a coded error',
    ({ loinc, unit }: { loinc: '8480-6' | '8867-4'; unit: string }) => {
      const result = normalizeObservation({ loinc, value: 12, unit }, rules);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.code).toBe(ClinicalErrorCode.UNKNOWN_UNIT);
    },
  );
});

describe('validateBpPanel (ingest)', () => {
  it('converts, checks and keeps the originals', () => {
    const result = validateBpPanel(
      {
        sbp: { value: 16, unit: 'kPa' },
        dbp: { value: 10.7, unit: 'kPa' },
        heartRate: { value: 70, unit: '/min' },
      },
      rules,
    );
    expect(result).toEqual({
      ok: true,
      panel: {
        sbp: 120.01,
        dbp: 80.26,
        heartRate: 70,
        original: {
          sbp: { value: 16, unit: 'kPa' },
          dbp: { value: 10.7, unit: 'kPa' },
          heartRate: { value: 70, unit: '/min' },
        },
      },
    });
  });

  it('reports unknown units before plausibility', () => {
    const result = validateBpPanel(
      { sbp: { value: 120, unit: 'psi' }, dbp: { value: 500, unit: 'mm[Hg]' } },
      rules,
    );
    expect(!result.ok && result.errors.map((error) => error.code)).toEqual([ClinicalErrorCode.UNKNOWN_UNIT]);
  });

  it('reports implausible panels with the reason code', () => {
    const result = validateBpPanel(
      { sbp: { value: 85, unit: 'mmHg' }, dbp: { value: 80, unit: 'mmHg' } },
      rules,
    );
    expect(!result.ok && result.errors).toEqual([
      {
        code: ClinicalErrorCode.IMPLAUSIBLE_READING,
        reason: 'PULSE_PRESSURE_TOO_NARROW',
        message: 'pulse pressure 5 mm[Hg] is below 10',
      },
    ]);
  });
});
