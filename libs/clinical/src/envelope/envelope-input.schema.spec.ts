import { describe, expect, it } from 'vitest';
import { ClinicalError, ClinicalErrorCode } from '../errors';
import { VALID_INPUT } from '../testing/envelope-fixtures';
import { parseEnvelopeInputs } from './envelope-input.schema';

function messageOf(json: unknown): string {
  try {
    parseEnvelopeInputs(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ClinicalError);
    expect(error instanceof ClinicalError && error.code).toBe(ClinicalErrorCode.INVALID_INPUT);
    return error instanceof Error ? error.message : '';
  }
  throw new Error('expected the input to be refused');
}

describe('parseEnvelopeInputs', () => {
  it('parses one input, with instants as Dates and optional bounds fields left out', () => {
    const { inputs, wasArray } = parseEnvelopeInputs(VALID_INPUT);
    expect(wasArray).toBe(false);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.now).toEqual(new Date('2025-06-01T12:00:00Z'));
    expect(inputs[0]?.patient.bounds?.signedAt).toEqual(new Date('2025-05-01T07:30:00Z'));
    expect(inputs[0]?.patient.bounds?.maxAutoIncreaseSteps).toBeUndefined();
  });

  it('parses an array', () => {
    const { inputs, wasArray } = parseEnvelopeInputs([
      VALID_INPUT,
      { ...VALID_INPUT, patient: { ...VALID_INPUT.patient, bounds: null } },
    ]);
    expect(wasArray).toBe(true);
    expect(inputs.map((input) => input.patient.bounds?.version ?? null)).toEqual(['bounds-v3', null]);
  });

  it.each`
    name                              | json                                                                                                                                                   | message
    ${'missing pregnancy flag'}       | ${{ ...VALID_INPUT, patient: { ...VALID_INPUT.patient, pregnant: undefined } }}                                                                        | ${'patient.pregnant: Invalid input: expected boolean, received undefined'}
    ${'dose as a string'}             | ${{ ...VALID_INPUT, proposal: { ...VALID_INPUT.proposal, toMg: '20' } }}                                                                               | ${'proposal.toMg: Invalid input: expected number, received string'}
    ${'confidence above 1'}           | ${{ ...VALID_INPUT, proposal: { ...VALID_INPUT.proposal, confidence: 1.5 } }}                                                                          | ${'proposal.confidence: Too big: expected number to be <=1'}
    ${'not an instant'}               | ${{ ...VALID_INPUT, now: 'yesterday' }}                                                                                                                | ${'now: Invalid ISO datetime'}
    ${'unknown alert condition'}      | ${{ ...VALID_INPUT, patient: { ...VALID_INPUT.patient, openAlerts: [{ condition: 'LOW_BP', severity: 'HIGH' }] } }}                                    | ${'patient.openAlerts[0].condition: Invalid option'}
    ${'misspelled optional field'}    | ${{ ...VALID_INPUT, patient: { ...VALID_INPUT.patient, bounds: { ...VALID_INPUT.patient.bounds, maxAutoIncreaseStep: 1 } } }}                          | ${'patient.bounds: Unrecognized key: "maxAutoIncreaseStep"'}
    ${'regimen drug listed twice'}    | ${{ ...VALID_INPUT, patient: { ...VALID_INPUT.patient, regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }, { drug: 'Lisinopril', dailyDoseMg: 5 }] } }} | ${'patient.regimen[1].drug: lisinopril is listed more than once'}
    ${'not an object'}                | ${'hello'}                                                                                                                                             | ${'(root): Invalid input: expected object, received string'}
    ${'bad field in the second item'} | ${[VALID_INPUT, { ...VALID_INPUT, proposal: { ...VALID_INPUT.proposal, drug: '' } }]}                                                                  | ${'[1].proposal.drug: drug name must not be empty'}
  `('names the bad field: $name', ({ json, message }: { json: unknown; message: string }) => {
    expect(messageOf(json)).toContain(message);
  });

  it('keeps the message on one line', () => {
    expect(messageOf({})).not.toContain('\n');
  });
});
