/**
 * GraphQL driver benchmark: Mercurius on Fastify vs Apollo Server on Express, both under NestJS 12
 * with the SAME code-first resolver (bench/support/graphql-driver-schema.ts).
 *
 * Each driver runs in its own child process (one Node event loop, like production), listening on
 * 127.0.0.1 on a free port. This process drives them with autocannon: a fixed number of
 * connections for a fixed time, capped in request count, over several rounds that alternate the
 * driver order (A B, B A, ...) so machine noise hits both. Every response is checked (status 200
 * and the exact body the driver returned in the up-front correctness check); a run with any
 * error, timeout or mismatch aborts the bench instead of producing a number.
 *
 * Reported per driver and query: requests/s, p50/p99 latency (from per-response timings, not the
 * 1 ms-bucketed autocannon histogram), server CPU time per request (user + system of the server
 * process, less sensitive to other load on a shared machine than req/s), and the Mercurius/Apollo
 * ratios, computed per round (paired) and summarised as median [min-max].
 *
 * Knobs (environment): GQL_BENCH_ROUNDS (5), GQL_BENCH_SECONDS (5), GQL_BENCH_WARMUP_SECONDS (3),
 * GQL_BENCH_CONNECTIONS (20).
 *
 * Run (from the repo root): SWC_NODE_PROJECT=tsconfig.json node -r @swc-node/register bench/graphql-driver.bench.ts
 */
import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import {
  DRIVER_LABELS,
  DRIVERS,
  DriverName,
  GRAPHQL_PATH,
  isServerMessage,
  Scenario,
  SCENARIOS,
  ServerMessage,
} from './support/graphql-driver-protocol';

const ROOT = path.resolve(__dirname, '..');
const SERVER_ENTRY = path.join(__dirname, 'support', 'graphql-driver-server.ts');
const SERVER_START_TIMEOUT_MS = 120_000;
const SERVER_STOP_TIMEOUT_MS = 10_000;
const USAGE_TIMEOUT_MS = 10_000;
/** Hard cap on requests in one timed run (far above what one core serves in the default 5 s). */
const MAX_REQUESTS_PER_RUN = 400_000;
/** A timed run that has not finished this long after its duration is stopped. */
const RUN_GRACE_MS = 15_000;

interface BenchConfig {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
}

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${raw}`);
  }
  return value;
}

function readConfig(): BenchConfig {
  return {
    rounds: intFromEnv('GQL_BENCH_ROUNDS', 5, 1, 50),
    seconds: intFromEnv('GQL_BENCH_SECONDS', 5, 1, 60),
    warmupSeconds: intFromEnv('GQL_BENCH_WARMUP_SECONDS', 3, 0, 60),
    connections: intFromEnv('GQL_BENCH_CONNECTIONS', 20, 1, 500),
  };
}

// ---------------------------------------------------------------------------------------------
// Server child processes
// ---------------------------------------------------------------------------------------------

interface ServerUsage {
  readonly cpuMicros: number;
  readonly rssBytes: number;
}

type UsageMessage = Extract<ServerMessage, { type: 'usage' }>;

class ServerProcess {
  private nextUsageId = 0;
  private readonly pendingUsage = new Map<number, (usage: UsageMessage) => void>();

  private constructor(
    readonly driver: DriverName,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: unknown) => {
      if (!isServerMessage(message) || message.type !== 'usage') return;
      const resolve = this.pendingUsage.get(message.id);
      this.pendingUsage.delete(message.id);
      resolve?.(message);
    });
  }

  static start(driver: DriverName): Promise<ServerProcess> {
    const child = fork(SERVER_ENTRY, [driver], {
      cwd: ROOT,
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise<ServerProcess>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        child.kill('SIGKILL');
        reject(new Error(`${driver} server did not start within ${SERVER_START_TIMEOUT_MS} ms`));
      }, SERVER_START_TIMEOUT_MS);
      const onMessage = (message: unknown): void => {
        if (!isServerMessage(message) || message.type !== 'ready') return;
        cleanup();
        resolve(new ServerProcess(driver, `http://127.0.0.1:${message.port}${GRAPHQL_PATH}`, child));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        cleanup();
        reject(
          new Error(
            `${driver} server exited before it was ready (code ${String(code)}, signal ${String(signal)})`,
          ),
        );
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      function cleanup(): void {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  }

  usage(): Promise<ServerUsage> {
    const id = this.nextUsageId++;
    return new Promise<ServerUsage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingUsage.delete(id);
        reject(new Error(`${this.driver} server did not report its CPU usage`));
      }, USAGE_TIMEOUT_MS);
      this.pendingUsage.set(id, (message) => {
        clearTimeout(timer);
        resolve({ cpuMicros: message.cpuMicros, rssBytes: message.rssBytes });
      });
      this.child.send({ type: 'usage', id });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Correctness check and load
// ---------------------------------------------------------------------------------------------

function requestBody(scenario: Scenario): string {
  return JSON.stringify({ query: scenario.query });
}

/** POSTs the scenario's query once; returns the exact body, after checking status and data. */
async function fetchOnce(
  server: ServerProcess,
  scenario: Scenario,
): Promise<{ body: string; data: unknown }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: requestBody(scenario),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`${server.driver} ${scenario.name}: HTTP ${response.status}: ${body}`);
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || 'errors' in parsed || !('data' in parsed)) {
    throw new Error(`${server.driver} ${scenario.name}: unexpected GraphQL response ${body}`);
  }
  return { body, data: parsed.data };
}

/** Both drivers must return the same data, and the data must be what the resolver serves. */
async function checkResponses(servers: readonly ServerProcess[]): Promise<Map<string, string>> {
  const expectedBodies = new Map<string, string>();
  for (const scenario of SCENARIOS) {
    let reference: unknown;
    for (const server of servers) {
      const { body, data } = await fetchOnce(server, scenario);
      expectedBodies.set(`${server.driver}/${scenario.name}`, body);
      if (reference === undefined) reference = data;
      else if (!isDeepStrictEqual(reference, data)) {
        throw new Error(`${scenario.name}: drivers returned different data`);
      }
    }
    const shapeOk =
      scenario.name === 'small'
        ? isDeepStrictEqual(reference, { ping: 'pong' })
        : typeof reference === 'object' &&
          reference !== null &&
          'readings' in reference &&
          Array.isArray(reference.readings) &&
          reference.readings.length === 50;
    if (!shapeOk) throw new Error(`${scenario.name}: unexpected data ${JSON.stringify(reference)}`);
  }
  return expectedBodies;
}

interface LoadResult {
  readonly ok: number;
  readonly durationSeconds: number;
  readonly latenciesMs: Float64Array;
  readonly problems: string[];
}

function load(
  url: string,
  scenario: Scenario,
  seconds: number,
  connections: number,
  expectBody: string,
): Promise<LoadResult> {
  const latencies = new Float64Array(MAX_REQUESTS_PER_RUN);
  let ok = 0;
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: requestBody(scenario),
        connections,
        pipelining: 1,
        duration: seconds,
        maxOverallRequests: MAX_REQUESTS_PER_RUN,
        timeout: 10,
        expectBody,
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(guard);
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
          return;
        }
        const problems: string[] = [];
        if (result.errors > 0) problems.push(`${result.errors} errors`);
        if (result.timeouts > 0) problems.push(`${result.timeouts} timeouts`);
        if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx responses`);
        if (result.mismatches > 0) problems.push(`${result.mismatches} unexpected bodies`);
        resolve({
          ok,
          durationSeconds: result.duration,
          latenciesMs: latencies.subarray(0, Math.min(ok, latencies.length)),
          problems,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode !== 200) return;
      if (ok < latencies.length) latencies[ok] = responseTimeMs;
      ok++;
    });
    const guard = setTimeout(() => instance.stop(), seconds * 1000 + RUN_GRACE_MS);
  });
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] ?? Number.NaN;
  const b = sorted[upper] ?? Number.NaN;
  return a + (b - a) * (position - lower);
}

interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  const sorted = Float64Array.from(values).sort();
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

function fmt(value: number, digits: number): string {
  return value.toFixed(digits);
}

function fmtSpread(s: Spread, digits: number): string {
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}-${fmt(s.max, digits)}]`;
}

// ---------------------------------------------------------------------------------------------
// The bench
// ---------------------------------------------------------------------------------------------

interface Sample {
  readonly round: number;
  readonly driver: DriverName;
  readonly scenario: Scenario['name'];
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuMicrosPerRequest: number;
  /** Server CPU time / wall time: ~1.0 means the server's event loop was saturated. */
  readonly serverCpuShare: number;
  /** Load generator CPU time / wall time: near 1.0 means the client, not the server, was the limit. */
  readonly clientCpuShare: number;
  readonly serverRssMb: number;
}

async function measure(
  server: ServerProcess,
  scenario: Scenario,
  seconds: number,
  connections: number,
  expectBody: string,
  round: number,
): Promise<Sample> {
  const before = await server.usage();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const result = await load(server.url, scenario, seconds, connections, expectBody);
  const wallMicros = (performance.now() - started) * 1000;
  const client = process.cpuUsage(clientBefore);
  const after = await server.usage();
  if (result.problems.length > 0) {
    throw new Error(
      `${server.driver} ${scenario.name} round ${round}: ${result.problems.join(', ')} - no number reported`,
    );
  }
  if (result.ok === 0)
    throw new Error(`${server.driver} ${scenario.name} round ${round}: no successful responses`);
  const sorted = Float64Array.from(result.latenciesMs).sort();
  const serverCpu = after.cpuMicros - before.cpuMicros;
  return {
    round,
    driver: server.driver,
    scenario: scenario.name,
    requestsPerSecond: result.ok / result.durationSeconds,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    serverCpuMicrosPerRequest: serverCpu / result.ok,
    serverCpuShare: serverCpu / wallMicros,
    clientCpuShare: (client.user + client.system) / wallMicros,
    serverRssMb: after.rssBytes / 1024 / 1024,
  };
}

function packageVersion(name: string): string {
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
    );
    if (
      typeof manifest === 'object' &&
      manifest !== null &&
      'version' in manifest &&
      typeof manifest.version === 'string'
    ) {
      return manifest.version;
    }
  } catch {
    // reported as unknown below
  }
  return 'unknown';
}

function printEnvironment(config: BenchConfig): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const versions = [
    '@nestjs/core',
    '@nestjs/graphql',
    '@nestjs/mercurius',
    'mercurius',
    'fastify',
    '@nestjs/apollo',
    '@apollo/server',
    '@as-integrations/express5',
    'express',
    'graphql',
    'autocannon',
  ].map((name) => `${name}@${packageVersion(name)}`);
  console.log(`graphql-driver bench - ${new Date().toISOString()}`);
  console.log(
    `node ${process.version}, ${availableParallelism()} cores (${cpu}), loadavg ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(versions.join(', '));
  console.log(
    `${config.rounds} rounds x ${SCENARIOS.length} queries x ${DRIVERS.length} drivers, ${config.seconds} s per run, ` +
      `${config.connections} connections, warm-up ${config.warmupSeconds} s per driver and query, cap ${MAX_REQUESTS_PER_RUN} requests per run`,
  );
}

function printSummary(samples: readonly Sample[], rounds: number): void {
  console.log('\nSummary: median [min-max] over rounds');
  for (const scenario of SCENARIOS) {
    console.log(`\n${scenario.name} (${scenario.description}): ${scenario.query}`);
    for (const driver of DRIVERS) {
      const mine = samples.filter((s) => s.driver === driver && s.scenario === scenario.name);
      console.log(
        `  ${DRIVER_LABELS[driver].padEnd(21)} req/s ${fmtSpread(spread(mine.map((s) => s.requestsPerSecond)), 0).padEnd(22)}` +
          ` p50 ${fmtSpread(spread(mine.map((s) => s.p50Ms)), 2).padEnd(19)} ms` +
          `  p99 ${fmtSpread(spread(mine.map((s) => s.p99Ms)), 2).padEnd(20)} ms` +
          `  server CPU/req ${fmtSpread(spread(mine.map((s) => s.serverCpuMicrosPerRequest)), 0)} us` +
          `  server busy ${fmt(spread(mine.map((s) => s.serverCpuShare)).median, 2)}` +
          `  client busy ${fmt(spread(mine.map((s) => s.clientCpuShare)).median, 2)}` +
          `  rss ${fmt(Math.max(...mine.map((s) => s.serverRssMb)), 0)} MB`,
      );
    }
    const rpsRatios: number[] = [];
    const cpuRatios: number[] = [];
    const p50Ratios: number[] = [];
    const p99Ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const m = samples.find(
        (s) => s.round === round && s.scenario === scenario.name && s.driver === 'mercurius',
      );
      const a = samples.find(
        (s) => s.round === round && s.scenario === scenario.name && s.driver === 'apollo',
      );
      if (!m || !a) continue;
      rpsRatios.push(m.requestsPerSecond / a.requestsPerSecond);
      cpuRatios.push(a.serverCpuMicrosPerRequest / m.serverCpuMicrosPerRequest);
      p50Ratios.push(m.p50Ms / a.p50Ms);
      p99Ratios.push(m.p99Ms / a.p99Ms);
    }
    console.log(`  Mercurius/Apollo req/s (paired per round):           ${fmtSpread(spread(rpsRatios), 2)}`);
    console.log(`  Apollo/Mercurius server CPU per request:             ${fmtSpread(spread(cpuRatios), 2)}`);
    console.log(
      `  Mercurius/Apollo latency p50 / p99:                  ${fmtSpread(spread(p50Ratios), 2)} / ${fmtSpread(spread(p99Ratios), 2)}`,
    );
  }
}

export default async function run(): Promise<void> {
  const config = readConfig();
  printEnvironment(config);
  const servers: ServerProcess[] = [];
  try {
    for (const driver of DRIVERS) servers.push(await ServerProcess.start(driver));
    const expectedBodies = await checkResponses(servers);
    console.log('correctness check: both drivers return identical data for every query');
    const bodyFor = (server: ServerProcess, scenario: Scenario): string => {
      const body = expectedBodies.get(`${server.driver}/${scenario.name}`);
      if (body === undefined) throw new Error(`no expected body for ${server.driver}/${scenario.name}`);
      return body;
    };

    if (config.warmupSeconds > 0) {
      for (const scenario of SCENARIOS) {
        for (const server of servers) {
          const warm = await load(
            server.url,
            scenario,
            config.warmupSeconds,
            config.connections,
            bodyFor(server, scenario),
          );
          if (warm.problems.length > 0)
            throw new Error(`warm-up ${server.driver} ${scenario.name}: ${warm.problems.join(', ')}`);
        }
      }
      console.log('warm-up done');
    }

    const samples: Sample[] = [];
    for (let round = 0; round < config.rounds; round++) {
      // A B, B A, A B ...: neither driver always runs first (or right after the other's load).
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const scenario of SCENARIOS) {
        for (const server of order) {
          const sample = await measure(
            server,
            scenario,
            config.seconds,
            config.connections,
            bodyFor(server, scenario),
            round,
          );
          samples.push(sample);
          console.log(
            `round ${round + 1}/${config.rounds} ${scenario.name.padEnd(6)} ${server.driver.padEnd(9)} ` +
              `${fmt(sample.requestsPerSecond, 0).padStart(6)} req/s  p50 ${fmt(sample.p50Ms, 2)} ms  p99 ${fmt(sample.p99Ms, 2)} ms  ` +
              `server ${fmt(sample.serverCpuMicrosPerRequest, 0)} us CPU/req (busy ${fmt(sample.serverCpuShare, 2)}), client busy ${fmt(sample.clientCpuShare, 2)}`,
          );
        }
      }
    }
    printSummary(samples, config.rounds);
    console.log(
      `\nloadavg at end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
