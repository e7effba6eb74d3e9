import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AppConfig } from '@clinloop/config';
import type { Logger } from '@clinloop/observability';

export interface PortalProcess {
  readonly name: string;
  readonly url: string;
  readonly mode: 'production build' | 'development server';
  /** Resolves when the portal answers HTTP, rejects if it exits first or takes too long. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

const PORTALS = [
  { name: 'patient-portal', portKey: 'patientPortalPort' },
  { name: 'clinician-portal', portKey: 'clinicianPortalPort' },
] as const;

const READY_TIMEOUT_MS = 180_000;

/**
 * Serves both Next.js portals as child processes: `next start` when a production build exists
 * (`npm run build`), otherwise `next dev`, so a fresh clone needs no build step.
 */
export function startPortals(config: AppConfig, apiUrl: string, logger: Logger): PortalProcess[] {
  const nextBin = require.resolve('next/dist/bin/next');
  return PORTALS.map(({ name, portKey }) => {
    const dir = path.resolve(__dirname, '../../..', name);
    const built = existsSync(path.join(dir, '.next', 'BUILD_ID'));
    const port = config[portKey];
    const url = `http://${config.host}:${port}`;
    const child = spawn(process.execPath, [nextBin, built ? 'start' : 'dev', '--port', String(port), '--hostname', config.host], {
      cwd: dir,
      env: { ...process.env, NEXT_PUBLIC_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = logger.child({ context: name });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim()) log.info(line.trim());
      });
    }
    return {
      name,
      url,
      mode: built ? 'production build' : 'development server',
      ready: waitForHttp(url, child),
      stop: () => stopChild(child),
    };
  });
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: the portal process exited (exit code ${child.exitCode ?? 'none'}); see its log lines above`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer within ${READY_TIMEOUT_MS / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
