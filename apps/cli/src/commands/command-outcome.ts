import { Command } from 'commander';

/**
 * Ends the command with `message` on stderr and `exitCode`, for an outcome that is not a usage
 * mistake (a verification that failed, input that was refused): the program shows a command's help
 * after a usage error, which would bury the one line that matters here.
 */
export function endWithFinding(command: Command, message: string, options: { readonly exitCode: number; readonly code: string }): never {
  command.showHelpAfterError(false);
  return command.error(message, options);
}
