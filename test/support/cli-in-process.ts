import { Command, CommanderError } from 'commander';

export interface CommandRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `clinloop <args>` in this process with only the commands `register` adds: what it prints is
 * captured, and an exit (a usage error, or a command setting its exit code) comes back as exitCode.
 * Configured like the real program (`buildProgram`): a usage error is followed by the command's help.
 */
export async function runCommandInProcess(register: (program: Command) => void, args: readonly string[]): Promise<CommandRunResult> {
  let stdout = '';
  let stderr = '';
  const program = new Command('clinloop').showHelpAfterError().exitOverride().configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
  register(program);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode, stdout, stderr };
    throw error;
  }
}
