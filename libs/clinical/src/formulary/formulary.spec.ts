import { describe, expect, it } from 'vitest';
import { countLadderSteps, DEFAULT_FORMULARY, findFormularyEntry } from './formulary';

function entry(drug: string) {
  const found = findFormularyEntry(DEFAULT_FORMULARY, drug);
  if (!found) throw new Error(`test setup: ${drug} missing`);
  return found;
}

describe('DEFAULT_FORMULARY', () => {
  it('holds the table of clinical-rules.md', () => {
    expect(
      DEFAULT_FORMULARY.entries.map(({ drug, drugClass, stepsMgPerDay, maxDailyMg }) => [
        drug,
        drugClass,
        stepsMgPerDay,
        maxDailyMg,
      ]),
    ).toEqual([
      ['lisinopril', 'ACE inhibitor', [5, 10, 20, 40], 40],
      ['losartan', 'ARB', [25, 50, 100], 100],
      ['amlodipine', 'calcium-channel blocker', [2.5, 5, 10], 10],
      ['hydrochlorothiazide', 'thiazide', [12.5, 25, 50], 50],
      ['chlorthalidone', 'thiazide-like', [12.5, 25], 25],
    ]);
  });

  it('keeps every ladder ascending and topped by the maximum daily dose', () => {
    for (const item of DEFAULT_FORMULARY.entries) {
      expect([...item.stepsMgPerDay].sort((a, b) => a - b)).toEqual(item.stepsMgPerDay);
      expect(item.stepsMgPerDay[item.stepsMgPerDay.length - 1]).toBe(item.maxDailyMg);
      expect(item.source).not.toBe('');
    }
  });

  it('finds drugs whatever their case and surrounding spaces', () => {
    expect(findFormularyEntry(DEFAULT_FORMULARY, '  Lisinopril ')?.drug).toBe('lisinopril');
    expect(findFormularyEntry(DEFAULT_FORMULARY, 'metoprolol')).toBeUndefined();
  });
});

describe('countLadderSteps', () => {
  it.each`
    drug                | from   | to      | steps | why
    ${'lisinopril'}     | ${10}  | ${10}   | ${0}  | ${'no change'}
    ${'lisinopril'}     | ${10}  | ${20}   | ${1}  | ${'next rung'}
    ${'lisinopril'}     | ${10}  | ${40}   | ${2}  | ${'two rungs up'}
    ${'lisinopril'}     | ${40}  | ${5}    | ${3}  | ${'three rungs down'}
    ${'lisinopril'}     | ${0}   | ${5}    | ${1}  | ${'starting at the lowest rung'}
    ${'lisinopril'}     | ${0}   | ${10}   | ${2}  | ${'starting at the second rung'}
    ${'lisinopril'}     | ${5}   | ${0}    | ${1}  | ${'stopping from the lowest rung'}
    ${'lisinopril'}     | ${20}  | ${0}    | ${3}  | ${'stopping from the third rung'}
    ${'lisinopril'}     | ${10}  | ${15}   | ${1}  | ${'off-ladder target between rungs'}
    ${'lisinopril'}     | ${15}  | ${20}   | ${1}  | ${'off-ladder start to the next rung'}
    ${'lisinopril'}     | ${15}  | ${40}   | ${2}  | ${'off-ladder start, two rungs'}
    ${'lisinopril'}     | ${12}  | ${15}   | ${1}  | ${'both off-ladder between the same rungs'}
    ${'lisinopril'}     | ${2.5} | ${7}    | ${2}  | ${'off-ladder on both sides of a rung'}
    ${'lisinopril'}     | ${40}  | ${80}   | ${1}  | ${'above the top rung'}
    ${'amlodipine'}     | ${2.5} | ${10}   | ${2}  | ${'fractional rungs'}
    ${'chlorthalidone'} | ${25}  | ${12.5} | ${1}  | ${'short ladder'}
  `(
    '$drug $from -> $to = $steps ($why)',
    ({ drug, from, to, steps }: { drug: string; from: number; to: number; steps: number }) => {
      expect(countLadderSteps(entry(drug), from, to)).toBe(steps);
    },
  );
});
