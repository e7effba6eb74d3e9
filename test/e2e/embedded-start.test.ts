import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cli-process';
import { freePort } from '../support/free-port';

/**
 * `npm start` as a newcomer runs it, minus the portals (the browser test covers those): no DATABASE_URL,
 * no KAFKA_BROKERS -> a real embedded PostgreSQL and the in-process stream.
 */
describe('clinloop start with the embedded defaults', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let running: CliRun | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'clinloop-start-'));
    // The embedded cluster runs as the unprivileged postgres user when we are root: it must reach the folder.
    await chmod(dataDir, 0o755);
    env = {
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      PORT: String(await freePort()),
      WORKER_PORT: String(await freePort()),
      START_PORTALS: 'false',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    running?.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startAndQuery(): Promise<{ organizationId: string; serviceInfo: Record<string, string> }> {
    running = runCli(['start'], env);
    await running.waitFor(/Press Ctrl-C to stop/, 150_000);
    const organizationId = (await running.waitFor(/Demo organization\s+demo-clinic \(([0-9a-f-]{36})\)/, 1000))[1] ?? '';
    expect(running.output()).toContain(`GraphQL API        http://127.0.0.1:${env.PORT}/graphql`);
    expect(running.output()).toContain('PostgreSQL         embedded');
    const response = await fetch(`http://127.0.0.1:${env.PORT}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serviceInfo { database stream } formulary { drug } }' }),
    });
    const body = (await response.json()) as { data: { serviceInfo: Record<string, string>; formulary: unknown[] } };
    expect(body.data.formulary).toHaveLength(5);
    const worker = await fetch(`http://127.0.0.1:${env.WORKER_PORT}/ready`);
    expect(await worker.json()).toEqual({ status: 'ready', database: 'up', stream: 'up' });
    return { organizationId, serviceInfo: body.data.serviceInfo };
  }

  async function stop(): Promise<void> {
    const run = running;
    if (!run) return;
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('ClinLoop stopped.');
    running = undefined;
  }

  it('starts, answers GraphQL, stops cleanly, and keeps its data for the next start', async () => {
    const first = await startAndQuery();
    expect(first.serviceInfo).toEqual({ database: 'embedded', stream: 'in-process' });
    await stop();

    const second = await startAndQuery();
    expect(second.organizationId).toBe(first.organizationId);
    await stop();
  });
});

describe('clinloop with a bad setting', () => {
  it('stops start-up with one clear line naming the variable', async () => {
    const run = runCli(['start'], { PORT: 'abc' });
    expect(await run.exited).toBe(1);
    const lines = run.output().trim().split('\n');
    expect(lines).toEqual([
      'clinloop: [CONFIG_INVALID_SETTING] Invalid setting PORT="abc": expected a TCP port number (HTTP port of the API (GraphQL at /graphql, /health, /ready, /metrics).)',
    ]);
  });
});
