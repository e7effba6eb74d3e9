import { describe, expect, it } from 'vitest';
import { ClinicalError } from '../errors';
import { DEFAULT_FORMULARY } from '../formulary/formulary';
import { classifyProposal, ProposalKind } from './proposal';

const REGIMEN = [
  { drug: 'lisinopril', dailyDoseMg: 10 },
  { drug: 'amlodipine', dailyDoseMg: 5 },
];

describe('classifyProposal', () => {
  it.each`
    drug            | fromMg | toMg  | kind           | steps   | onLadder | matches
    ${'lisinopril'} | ${10}  | ${20} | ${'INCREASE'}  | ${1}    | ${true}  | ${true}
    ${'lisinopril'} | ${10}  | ${40} | ${'INCREASE'}  | ${2}    | ${true}  | ${true}
    ${'lisinopril'} | ${10}  | ${5}  | ${'DECREASE'}  | ${1}    | ${true}  | ${true}
    ${'lisinopril'} | ${10}  | ${0}  | ${'STOP'}      | ${2}    | ${true}  | ${true}
    ${'lisinopril'} | ${10}  | ${10} | ${'NO_CHANGE'} | ${0}    | ${true}  | ${true}
    ${'lisinopril'} | ${10}  | ${15} | ${'INCREASE'}  | ${1}    | ${false} | ${true}
    ${'losartan'}   | ${0}   | ${25} | ${'NEW_DRUG'}  | ${1}    | ${true}  | ${true}
    ${'losartan'}   | ${0}   | ${0}  | ${'NO_CHANGE'} | ${0}    | ${true}  | ${true}
    ${'Amlodipine'} | ${5}   | ${10} | ${'INCREASE'}  | ${1}    | ${true}  | ${true}
    ${'lisinopril'} | ${20}  | ${40} | ${'INCREASE'}  | ${2}    | ${true}  | ${false}
    ${'metoprolol'} | ${0}   | ${50} | ${'NEW_DRUG'}  | ${null} | ${null}  | ${true}
  `(
    '$drug $fromMg -> $toMg is $kind ($steps steps)',
    ({
      drug,
      fromMg,
      toMg,
      kind,
      steps,
      onLadder,
      matches,
    }: {
      drug: string;
      fromMg: number;
      toMg: number;
      kind: ProposalKind;
      steps: number | null;
      onLadder: boolean | null;
      matches: boolean;
    }) => {
      const result = classifyProposal({ drug, fromMg, toMg, confidence: 0.9 }, REGIMEN, DEFAULT_FORMULARY);
      expect(result).toMatchObject({ kind, steps, targetOnLadder: onLadder, matchesRegimen: matches });
    },
  );

  it('judges the change against the regimen, not against a stale fromMg', () => {
    const result = classifyProposal(
      { drug: 'lisinopril', fromMg: 20, toMg: 20, confidence: 1 },
      REGIMEN,
      DEFAULT_FORMULARY,
    );
    expect(result).toMatchObject({ kind: 'INCREASE', currentMg: 10, matchesRegimen: false });
  });

  it.each`
    name                 | proposal
    ${'negative toMg'}   | ${{ drug: 'lisinopril', fromMg: 10, toMg: -5, confidence: 1 }}
    ${'NaN fromMg'}      | ${{ drug: 'lisinopril', fromMg: NaN, toMg: 5, confidence: 1 }}
    ${'empty drug name'} | ${{ drug: '  ', fromMg: 0, toMg: 5, confidence: 1 }}
  `(
    'refuses $name',
    ({ proposal }: { proposal: { drug: string; fromMg: number; toMg: number; confidence: number } }) => {
      expect(() => classifyProposal(proposal, REGIMEN, DEFAULT_FORMULARY)).toThrow(ClinicalError);
    },
  );
});
