import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { describeError, isClinLoopError } from '@clinloop/errors';
import { registerAuditCommands } from './commands/audit.command';
import { registerClinicalCommands } from './commands/clinical.command';
import { registerDocsCommands } from './commands/docs.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerSchemaCommand } from './commands/schema.command';
import { registerSeedCommand } from './commands/seed.command';
import { registerSimulateCommand } from './commands/simulate.command';
import { registerStartCommands } from './commands/start.command';
import { CLINLOOP_VERSION } from './version';

export function buildProgram(): Command {
  const program = new Command('clinloop')
    .description('ClinLoop: human-in-the-loop decision support for remote hypertension management')
    .version(CLINLOOP_VERSION)
    .showHelpAfterError();
  registerStartCommands(program);
  registerMigrateCommand(program);
  registerSeedCommand(program);
  registerSimulateCommand(program);
  registerSchemaCommand(program);
  registerClinicalCommands(program);
  registerAuditCommands(program);
  registerDocsCommands(program);
  return program;
}

/** Errors end the command with one clear line; stack traces only with DEBUG. */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const prefix = isClinLoopError(error) ? `clinloop: [${error.code}]` : 'clinloop: error:';
    process.stderr.write(`${prefix} ${describeError(error)}\n`);
    if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    process.exit(1);
  }
}
