import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerSimulateCommand } from './simulate.command';

function parse(args: string[]): Record<string, unknown> {
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerSimulateCommand(program);
  const simulate = program.commands.find((command) => command.name() === 'simulate');
  if (!simulate) throw new Error('simulate not registered');
  // Parse options only: the action would connect to PostgreSQL and Kafka.
  simulate.action(() => undefined);
  program.parse(['node', 'clinloop', 'simulate', ...args]);
  return simulate.opts();
}

describe('clinloop simulate options', () => {
  it('reads --patients, --days and --rate, with defaults for the rest', () => {
    expect(parse(['--patients', '50', '--days', '30', '--rate', '2000'])).toEqual({
      patients: 50,
      days: 30,
      rate: 2000,
      seed: 1,
      artifactRate: 0.01,
      malformedRate: 0.005,
      fhirShare: 0.1,
    });
  });

  it.each([
    [['--days', '30']],
    [['--patients', '0', '--days', '30']],
    [['--patients', '5', '--days', '1.5']],
    [['--patients', '5', '--days', '3', '--rate', '-1']],
    [['--patients', '5', '--days', '3', '--artifact-rate', '2']],
    [['--patients', '5', '--days', '3', '--fhir-share', '1.5']],
  ])('refuses %j', (args) => {
    expect(() => parse(args)).toThrow();
  });
});
