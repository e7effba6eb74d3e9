import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const CLI_BIN = path.resolve(__dirname, '../../apps/cli/bin/clinloop.js');

export interface CliRun {
  readonly child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches, rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Runs `clinloop <args>` as a real child process with exactly the given environment (plus PATH and HOME). */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>>): CliRun {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = (): void => {
          const match = pattern.exec(text);
          if (match) resolve(match);
          else if (child.exitCode !== null) reject(new Error(`clinloop exited (${child.exitCode}) before printing ${pattern}:\n${text}`));
          else if (Date.now() > deadline) reject(new Error(`clinloop did not print ${pattern} within ${timeoutMs} ms:\n${text}`));
          else setTimeout(poll, 200);
        };
        poll();
      }),
  };
}
