import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from './free-port';

/**
 * A Next.js portal as a child process for browser tests - `next start` when a production build exists,
 * `next dev` otherwise, as the launcher does - plus the page helpers the portal tests share.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'portals');
const FIRST_PAGE_TIMEOUT_MS = 150_000;

export type PortalName = 'patient-portal' | 'clinician-portal';

export interface Portal {
  readonly name: PortalName;
  readonly url: string;
  readonly mode: 'next start' | 'next dev';
  /** From spawning the process to the first page answered with 200. */
  readonly firstPageMs: number;
  output(): string;
  stop(): Promise<void>;
}

export interface PortalOptions {
  readonly apiUrl: string;
  /** Port to listen on (chosen up front when the API must allow it as a CORS origin). */
  readonly port?: number;
  /**
   * Build folder of our own `next dev` (Next.js allows one dev server per folder), inside the
   * git-ignored .next; each test file that starts portals uses its own.
   */
  readonly devDistDir: '.next/e2e' | '.next/e2e-live' | '.next/e2e-password';
  /** Path answered with 200 once the portal is up. */
  readonly readyPath?: string;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Vitest sets NODE_ENV=test; Next.js sets its own (development or production).
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key.startsWith('__NEXT')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export async function startPortal(name: PortalName, options: PortalOptions): Promise<Portal> {
  const dir = path.join(REPO_ROOT, 'apps', name);
  const nextBin = createRequire(path.join(dir, 'package.json')).resolve('next/dist/bin/next');
  const built = existsSync(path.join(dir, '.next', 'BUILD_ID'));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  const child = spawn(process.execPath, [nextBin, built ? 'start' : 'dev', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: dir,
    env: childEnv({
      NEXT_PUBLIC_API_URL: options.apiUrl,
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      ...(built ? {} : { CLINLOOP_NEXT_DIST_DIR: options.devDistDir }),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() also ends the server processes Next.js forks
  });
  let log = '';
  const collect = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const portal: Portal = { name, url, mode: built ? 'next start' : 'next dev', firstPageMs: 0, output: () => log, stop: () => stopProcessGroup(child) };
  try {
    await waitForFirstPage(`${url}${options.readyPath ?? '/'}`, child, () => log);
  } catch (error) {
    await portal.stop();
    throw error;
  }
  return { ...portal, firstPageMs: Date.now() - startedAt };
}

async function waitForFirstPage(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + FIRST_PAGE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${url}: the portal exited (${String(child.exitCode ?? child.signalCode)}):\n${output()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(Math.max(1_000, deadline - Date.now())), redirect: 'manual' });
      await response.arrayBuffer();
      if (response.status === 200) return;
      if (response.status >= 500) throw new Error(`${url} answered HTTP ${response.status}:\n${output()}`);
    } catch (error) {
      if (error instanceof Error && error.message.includes('answered HTTP')) throw error;
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} served no page within ${FIRST_PAGE_TIMEOUT_MS / 1000} s:\n${output()}`);
}

function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      signalGroup('SIGKILL'); // anything the server left behind in its group
      resolve();
    });
    signalGroup('SIGTERM');
  });
}

/** Console messages that report a Content-Security-Policy violation, plus uncaught page errors. */
export function watchForProblems(page: Page): { csp: string[]; pageErrors: string[] } {
  const problems = { csp: [] as string[], pageErrors: [] as string[] };
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) problems.csp.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  return problems;
}

export function screenshot(page: Page, name: string, fullPage = true): Promise<Buffer> {
  return page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** How many CSS pixels the page is wider than the viewport (0 or less: no sideways scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}
