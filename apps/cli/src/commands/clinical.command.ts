import { readFileSync } from 'node:fs';
import { endWithFinding } from './command-outcome';
import { Command } from 'commander';
import {
  bpClassifyCommand,
  ClinicalError,
  ClinicalRules,
  DEFAULT_RULES,
  envelopeCheckCommand,
} from '@clinloop/clinical';
import { describeError } from '@clinloop/errors';

/** Exit code for input the command refuses (malformed, implausible, invalid). */
const INVALID_INPUT_EXIT_CODE = 2;

/** Through commander's output configuration, so tests (and embedding programs) can capture it. */
function printJson(command: Command, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  const output = command.configureOutput();
  if (output.writeOut) output.writeOut(text);
  else process.stdout.write(text);
}

/** Refused input ends the command with exit code 2 and one line on stderr; anything else is a bug and propagates. */
function runRefusingInvalidInput(command: Command, action: () => unknown): void {
  try {
    printJson(command, action());
  } catch (error) {
    if (!(error instanceof ClinicalError)) throw error;
    endWithFinding(command, `error: ${error.message.replace(/\s*\n\s*/g, ' ')}`, {
      exitCode: INVALID_INPUT_EXIT_CODE,
      code: error.code,
    });
  }
}

function readInputFile(command: Command, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    return endWithFinding(command, `error: cannot read input file ${path}: ${describeError(error)}`, {
      exitCode: INVALID_INPUT_EXIT_CODE,
      code: 'clinloop.inputFileUnreadable',
    });
  }
}

/** `clinloop bp classify` and `clinloop envelope check`; the logic lives in @clinloop/clinical. */
export function registerClinicalCommands(program: Command, rules: ClinicalRules = DEFAULT_RULES): void {
  const bp = program.command('bp').description('Blood-pressure readings');
  bp.command('classify')
    .description('Classify one reading (ACC/AHA 2017 office categories); prints JSON')
    .option('--sbp <mmHg>', 'systolic pressure in mm[Hg]')
    .option('--dbp <mmHg>', 'diastolic pressure in mm[Hg]')
    .action((options: { sbp?: string; dbp?: string }, command: Command) => {
      runRefusingInvalidInput(command, () => bpClassifyCommand(options, rules));
    });

  const envelope = program.command('envelope').description('Safety envelope');
  envelope
    .command('check')
    .description(
      'Route titration proposals to AUTO / REVIEW / BLOCKED (see docs/envelope-check.md); prints JSON',
    )
    .requiredOption('--input <file>', 'JSON file with one envelope input or an array of them')
    .action((options: { input: string }, command: Command) => {
      const text = readInputFile(command, options.input);
      runRefusingInvalidInput(command, () => envelopeCheckCommand(text, rules));
    });
}
