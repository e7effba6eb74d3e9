import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerClinicalCommands } from './clinical.command';
import { runCommandInProcess, type CommandRunResult } from '../../../../test/support/cli-in-process';

const run = (...args: string[]): Promise<CommandRunResult> => runCommandInProcess(registerClinicalCommands, args);

const directory = mkdtempSync(join(tmpdir(), 'clinloop-envelope-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function inputFile(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const INPUT = {
  now: '2025-06-01T12:00:00Z',
  patient: {
    regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }],
    bounds: {
      version: 'bounds-v3',
      targetSbp: 130,
      targetDbp: 80,
      allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 40 }],
      confidenceFloor: 0.7,
      signedAt: '2025-05-01T09:30:00Z',
      signedBy: 'dr-lee',
    },
    pregnant: false,
    angioedemaHistory: false,
    sulfonamideAllergy: false,
    anuria: false,
    openAlerts: [],
    lastIncreaseAt: '2025-05-10T08:00:00Z',
  },
  proposal: { drug: 'lisinopril', fromMg: 10, toMg: 20, confidence: 0.9 },
};

describe('clinloop bp classify', () => {
  it('prints the classification as JSON', async () => {
    const result = await run('bp', 'classify', '--sbp', '142', '--dbp', '85');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      category: 'STAGE_2',
      crisisRange: false,
      hypotensive: false,
      flags: [],
    });
  });

  it.each`
    args                                | message
    ${['--sbp', '400', '--dbp', '80']}  | ${'error: implausible reading 400/80: systolic 400 mm[Hg] is outside the plausible range 50-300\n'}
    ${['--sbp', 'high', '--dbp', '80']} | ${"error: --sbp must be a number in mm[Hg], got 'high'\n"}
    ${['--sbp', '120']}                 | ${'error: missing --dbp (a number in mm[Hg])\n'}
  `(
    'exits 2 with one line on stderr for $args',
    async ({ args, message }: { args: string[]; message: string }) => {
      const result = await run('bp', 'classify', ...args);
      expect(result).toEqual({ exitCode: 2, stdout: '', stderr: message });
    },
  );
});

describe('clinloop envelope check', () => {
  it('prints tier, urgency and reasons for one input', async () => {
    const result = await run('envelope', 'check', '--input', inputFile('one.json', INPUT));
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
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

  it('prints an array for an array', async () => {
    const tooSoon = { ...INPUT, patient: { ...INPUT.patient, lastIncreaseAt: '2025-05-25T08:00:00Z' } };
    const result = await run('envelope', 'check', '--input', inputFile('many.json', [INPUT, tooSoon]));
    const outputs = JSON.parse(result.stdout) as { tier: string; reasons: { rule: string }[] }[];
    expect(outputs.map((output) => [output.tier, output.reasons.map((reason) => reason.rule)])).toEqual([
      ['AUTO', ['AUTO_INCREASE_WITHIN_BOUNDS']],
      ['BLOCKED', ['BLOCK_INCREASE_TOO_SOON']],
    ]);
  });

  it('exits 2 naming the bad field', async () => {
    const bad = { ...INPUT, patient: { ...INPUT.patient, anuria: 'no' } };
    const result = await run('envelope', 'check', '--input', inputFile('bad.json', [INPUT, bad]));
    expect(result).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        'error: invalid envelope input: [1].patient.anuria: Invalid input: expected boolean, received string\n',
    });
  });

  it('exits 2 for a file that is not JSON or not there', async () => {
    const notJson = await run('envelope', 'check', '--input', inputFile('broken.json', '{ "now": '));
    expect(notJson.exitCode).toBe(2);
    expect(notJson.stderr).toMatch(/^error: input is not valid JSON: .*\n$/);
    const missing = await run('envelope', 'check', '--input', join(directory, 'absent.json'));
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^error: cannot read input file .*absent\.json: ENOENT.*\n$/);
  });

  it('needs --input', async () => {
    const result = await run('envelope', 'check');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("required option '--input <file>' not specified");
  });
});
