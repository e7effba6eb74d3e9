import { describe, expect, it } from 'vitest';
import { VALID_INPUT } from '../testing/envelope-fixtures';
import { ClinicalError } from '../errors';
import { DEFAULT_RULES } from '../rules';
import { envelopeCheckCommand } from './envelope-check.command';

describe('envelopeCheckCommand', () => {
  it('answers one input with one output', () => {
    expect(envelopeCheckCommand(JSON.stringify(VALID_INPUT), DEFAULT_RULES)).toEqual({
      tier: 'AUTO',
      urgent: false,
      reasons: [
        {
          rule: 'AUTO_INCREASE_WITHIN_BOUNDS',
          message: 'increase lisinopril 10 -> 20 mg/day within the signed bounds',
        },
      ],
    });
  });

  it('answers an array with an array in the same order', () => {
    const blocked = { ...VALID_INPUT, patient: { ...VALID_INPUT.patient, pregnant: true } };
    const output = envelopeCheckCommand(JSON.stringify([VALID_INPUT, blocked]), DEFAULT_RULES);
    expect(Array.isArray(output) && output.map((item) => item.tier)).toEqual(['AUTO', 'BLOCKED']);
  });

  it.each`
    text            | message
    ${'{ not json'} | ${'input is not valid JSON'}
    ${'{"now": 1}'} | ${'invalid envelope input: now: Invalid input: expected string, received number'}
  `('refuses $text', ({ text, message }: { text: string; message: string }) => {
    expect(() => envelopeCheckCommand(text, DEFAULT_RULES)).toThrow(ClinicalError);
    expect(() => envelopeCheckCommand(text, DEFAULT_RULES)).toThrow(message);
  });
});
