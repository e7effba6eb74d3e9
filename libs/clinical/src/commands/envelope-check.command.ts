import { checkEnvelope, EnvelopeReason } from '../envelope/envelope';
import { Tier } from '../envelope/envelope-rules';
import { parseEnvelopeInputs } from '../envelope/envelope-input.schema';
import { ClinicalError, ClinicalErrorCode } from '../errors';
import { ClinicalRules } from '../rules';

export interface EnvelopeCheckOutput {
  readonly tier: Tier;
  readonly urgent: boolean;
  readonly reasons: readonly EnvelopeReason[];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ClinicalError(ClinicalErrorCode.INVALID_INPUT, `input is not valid JSON: ${detail}`);
  }
}

/**
 * `clinloop envelope check --input FILE`: the file's text in, one output per input out (an
 * array when the input was an array). See docs/envelope-check.md.
 * @throws ClinicalError INVALID_INPUT naming the bad field
 */
export function envelopeCheckCommand(
  inputText: string,
  rules: ClinicalRules,
): EnvelopeCheckOutput | EnvelopeCheckOutput[] {
  const { inputs, wasArray } = parseEnvelopeInputs(parseJson(inputText));
  const outputs = inputs.map((input): EnvelopeCheckOutput => {
    const { tier, urgent, reasons } = checkEnvelope(input, rules);
    return { tier, urgent, reasons: reasons.map(({ rule, message }) => ({ rule, message })) };
  });
  const [single] = outputs;
  return wasArray || !single ? outputs : single;
}
