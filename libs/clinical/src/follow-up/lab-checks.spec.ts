import { describe, expect, it } from 'vitest';
import { ProposalKind } from '../envelope/proposal';
import { DEFAULT_RULES } from '../rules';
import { labCheckAfterChange } from './lab-checks';

const rules = DEFAULT_RULES;
const CHANGED = new Date('2025-06-01T10:00:00.000Z');

describe('labCheckAfterChange (potassium + creatinine 2-4 weeks after starting or increasing)', () => {
  it.each`
    drug                     | kind           | scheduled
    ${'lisinopril'}          | ${'NEW_DRUG'}  | ${true}
    ${'lisinopril'}          | ${'INCREASE'}  | ${true}
    ${'losartan'}            | ${'INCREASE'}  | ${true}
    ${'hydrochlorothiazide'} | ${'NEW_DRUG'}  | ${true}
    ${'chlorthalidone'}      | ${'INCREASE'}  | ${true}
    ${'amlodipine'}          | ${'INCREASE'}  | ${false}
    ${'lisinopril'}          | ${'DECREASE'}  | ${false}
    ${'lisinopril'}          | ${'STOP'}      | ${false}
    ${'lisinopril'}          | ${'NO_CHANGE'} | ${false}
    ${'metoprolol'}          | ${'NEW_DRUG'}  | ${false}
  `(
    '$kind $drug -> scheduled $scheduled',
    ({ drug, kind, scheduled }: { drug: string; kind: ProposalKind; scheduled: boolean }) => {
      expect(labCheckAfterChange({ drug, kind }, CHANGED, rules) !== null).toBe(scheduled);
    },
  );

  it('schedules the window 14 to 28 days after the change', () => {
    expect(labCheckAfterChange({ drug: 'Losartan', kind: 'NEW_DRUG' }, CHANGED, rules)).toEqual({
      drug: 'losartan',
      tests: ['potassium', 'creatinine'],
      earliestAt: new Date('2025-06-15T10:00:00.000Z'),
      dueBy: new Date('2025-06-29T10:00:00.000Z'),
      reason: 'started losartan (ARB)',
    });
  });
});
