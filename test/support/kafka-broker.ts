import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describeError } from '@clinloop/errors';
import { freePort } from './free-port';

/**
 * A real Kafka broker for tests and local runs, without Docker: KAFKA_BROKERS when set, otherwise a
 * single-node KRaft broker started from the jars that scripts/kafka/pom.xml pins (fetched once from
 * Maven Central into .cache/kafka/<version>/libs). Why this shape: docs/decisions/0002-local-kafka-broker.md.
 */
export interface KafkaBroker {
  readonly brokers: string[];
  /** Stops the broker and removes its data when this process started it; a no-op otherwise. */
  stop(): Promise<void>;
  readonly startedHere: boolean;
}

export interface EnsureKafkaBrokerOptions {
  log?: (line: string) => void;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const POM_PATH = path.join(REPO_ROOT, 'scripts', 'kafka', 'pom.xml');
/** Tests and local runs share one machine with 2 cores: keep the broker small and its GC single-threaded. */
const JVM_OPTIONS = [
  '-Xmx512m',
  '-Xms64m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];
const READY_DEADLINE_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const DOWNLOAD_LOCK_STALE_MS = 10 * 60_000;
const LOG_TAIL_LINES = 30;

export async function ensureKafkaBroker(opts: EnsureKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const log = opts.log ?? ((): void => undefined);
  const configured = process.env.KAFKA_BROKERS?.trim();
  if (configured) {
    const brokers = parseBrokerList(configured);
    try {
      await listTopics(brokers, 10_000);
    } catch (error) {
      throw new Error(
        `KAFKA_BROKERS=${configured} is set but no Kafka broker answered there: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    log(`using Kafka from KAFKA_BROKERS: ${brokers.join(',')}`);
    return { brokers, startedHere: false, stop: () => Promise.resolve() };
  }

  const version = await pinnedKafkaVersion();
  const libsDir = await ensureBrokerClasspath(version, log);
  // A port picked a moment ago can be taken by someone else before the JVM binds it; one more try
  // with fresh ports covers that race without hiding real start failures.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLocalBroker(version, libsDir, log);
    } catch (error) {
      if (attempt >= 2 || !(error instanceof BrokerStartError) || !error.portInUse) throw error;
      log('Kafka could not bind its ports (taken since they were picked); retrying with other ports');
    }
  }
}

function parseBrokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (brokers.length === 0) throw new Error(`KAFKA_BROKERS=${value} names no broker`);
  return brokers;
}

/** The pom is the one place the broker version is written down, so the cache folder follows it. */
async function pinnedKafkaVersion(): Promise<string> {
  const pom = await readFile(POM_PATH, 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match?.[1]) throw new Error(`${POM_PATH} does not declare <kafka.version>`);
  return match[1];
}

/**
 * Returns `.cache/kafka/<version>/libs`, downloading it first if needed. Two processes may race here
 * (two vitest runs, a test run and scripts/kafka-local.ts): a lock file keeps them from running Maven
 * twice, and the jars land in a temp folder renamed into place, so `libs/` exists only when complete.
 */
async function ensureBrokerClasspath(version: string, log: (line: string) => void): Promise<string> {
  const versionDir = path.join(REPO_ROOT, '.cache', 'kafka', version);
  const libsDir = path.join(versionDir, 'libs');
  if (await exists(libsDir)) return libsDir;
  await mkdir(versionDir, { recursive: true });

  const lockPath = path.join(versionDir, 'download.lock');
  const releaseLock = await acquireLock(lockPath, log);
  try {
    if (await exists(libsDir)) return libsDir;
    const stagingDir = path.join(versionDir, `libs.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
    log(`fetching the Kafka ${version} broker classpath with Maven (once; cached in ${versionDir})`);
    const startedAt = Date.now();
    try {
      const result = await runToCompletion('mvn', [
        '-q',
        '-B',
        '-f',
        POM_PATH,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${stagingDir}`,
      ]);
      if (result.code !== 0) {
        throw new Error(
          `mvn dependency:copy-dependencies exited with ${result.code}:\n${lastLines(result.output, LOG_TAIL_LINES)}`,
        );
      }
      await rename(stagingDir, libsDir);
    } finally {
      await rm(stagingDir, { recursive: true, force: true });
    }
    log(`Kafka ${version} classpath ready in ${Date.now() - startedAt} ms`);
    return libsDir;
  } finally {
    await releaseLock();
  }
}

async function acquireLock(lockPath: string, log: (line: string) => void): Promise<() => Promise<void>> {
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'EEXIST') throw error;
    }
    if (await isStaleLock(lockPath)) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (!announced) {
      log(`another process is fetching the Kafka classpath (${lockPath}); waiting`);
      announced = true;
    }
    await sleep(500);
  }
}

/** A lock left by a process that died (or hung far longer than any download) must not block forever. */
async function isStaleLock(lockPath: string): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    if (Date.now() - info.mtimeMs > DOWNLOAD_LOCK_STALE_MS) return true;
    const pid = Number.parseInt(content, 10);
    // An empty file is a lock being written right now, not a stale one.
    if (!Number.isInteger(pid)) return false;
    return !isProcessAlive(pid);
  } catch (error) {
    // Vanished between our attempts: not stale, just free.
    if (isErrnoException(error) && error.code === 'ENOENT') return false;
    throw error;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrnoException(error) && error.code === 'EPERM';
  }
}

class BrokerStartError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
    this.name = 'BrokerStartError';
  }
}

async function startLocalBroker(
  version: string,
  libsDir: string,
  log: (line: string) => void,
): Promise<KafkaBroker> {
  const startedAt = Date.now();
  const workDir = await mkdtemp(path.join(tmpdir(), 'clinloop-kafka-'));
  const classpath = `${libsDir}${path.sep}*`;
  const logFile = path.join(workDir, 'broker.log');
  const propertiesFile = path.join(workDir, 'server.properties');
  const log4jFile = path.join(workDir, 'log4j2.properties');
  let child: ChildProcess | undefined;
  let removeExitHook: () => void = () => undefined;

  try {
    const [brokerPort, controllerPort] = await twoFreePorts();
    const listener = `127.0.0.1:${brokerPort}`;
    await writeFile(propertiesFile, serverProperties(brokerPort, controllerPort, path.join(workDir, 'data')));
    await writeFile(log4jFile, LOG4J2_PROPERTIES);
    const javaBase = [...JVM_OPTIONS, `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', classpath];

    const format = await runToCompletion('java', [
      ...javaBase,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '--cluster-id',
      newClusterId(),
      '--config',
      propertiesFile,
    ]);
    if (format.code !== 0) {
      throw new Error(
        `kafka StorageTool format exited with ${format.code}:\n${lastLines(format.output, LOG_TAIL_LINES)}`,
      );
    }

    const logFd = openSync(logFile, 'a');
    try {
      child = spawn('java', [...javaBase, 'kafka.Kafka', propertiesFile], {
        cwd: workDir,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(logFd);
    }
    const broker = child;
    // If the test process ends without calling stop() (a crash, process.exit), the JVM must not
    // outlive it holding ports and a temp folder. Only synchronous work is possible in 'exit'.
    const onExit = (): void => {
      broker.kill('SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    removeExitHook = () => process.removeListener('exit', onExit);

    await waitUntilReady(broker, [listener], logFile);
    log(
      `Kafka ${version} (KRaft, single node) ready on ${listener} in ${Date.now() - startedAt} ms; log: ${logFile}`,
    );

    let stopping: Promise<void> | undefined;
    return {
      brokers: [listener],
      startedHere: true,
      stop: () => {
        stopping ??= (async () => {
          await terminate(broker);
          removeExitHook();
          await rm(workDir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (child) await terminate(child);
    removeExitHook();
    const brokerLog = await readFile(logFile, 'utf8').catch(() => '');
    await rm(workDir, { recursive: true, force: true });
    const message = `Kafka ${version} did not start: ${describeError(error)}${brokerLog ? `\n${brokerLogExcerpt(brokerLog)}` : ''}`;
    throw new BrokerStartError(message, /Address already in use|BindException/.test(brokerLog));
  }
}

async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  let second = await freePort();
  while (second === first) second = await freePort();
  return [first, second];
}

function serverProperties(brokerPort: number, controllerPort: number, dataDir: string): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    // The product calls ensureTopics() before producing; a broker that silently creates topics would
    // hide a missing call that a production cluster (auto-create off) would expose.
    'auto.create.topics.enable': 'false',
    'num.partitions': 1,
    'offsets.topic.replication.factor': 1,
    // 50 partitions by default: creating them on the first consumer group costs seconds on 2 cores.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Tests join a fresh group per file; the default 3 s delay would be pure waiting.
    'group.initial.rebalance.delay.ms': 0,
    // The log cleaner's default 128 MiB dedupe buffer would take a quarter of the small heap.
    'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 2,
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('\n')}\n`;
}

const LOG4J2_PROPERTIES = `# INFO goes to the broker log file (stdout of the JVM); read its tail when a start fails.
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
`;

/**
 * A KRaft cluster id: 16 random bytes as 22 characters of URL-safe base64. Kafka's own generator
 * rejects ids starting with '-' because command-line parsers read them as options; so do we.
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Ready means what tests need: a client can connect and list topics, not merely that the port is open. */
async function waitUntilReady(broker: ChildProcess, brokers: string[], logFile: string): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  let exited: string | undefined;
  broker.once('exit', (code, signal) => {
    exited = `the broker process exited (code ${String(code)}, signal ${String(signal)})`;
  });
  let spawnError: Error | undefined;
  broker.once('error', (error) => {
    spawnError = error;
  });
  let lastError: unknown;
  for (;;) {
    if (spawnError) throw new Error(`could not run java: ${spawnError.message}`);
    if (exited) throw new Error(exited);
    try {
      await listTopics(brokers, 2_000);
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no answer from ${brokers.join(',')} within ${READY_DEADLINE_MS / 1000} s (last error: ${describeError(lastError)}; broker log ${logFile})`,
      );
    }
    await sleep(250);
  }
}

async function listTopics(brokers: string[], timeoutMs: number): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'clinloop-test-probe',
    brokers,
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    // The caller decides how long to keep trying; kafkajs retries would multiply that.
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  // No pid: java never started (spawn error), so there is nothing to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function runToCompletion(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => {
      reject(new Error(`could not run ${command}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code) => {
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/**
 * The broker log's first ERROR lines (the cause; a failed start is followed by pages of shutdown
 * noise and stack frames) and then its last lines.
 */
function brokerLogExcerpt(text: string): string {
  const lines = text.split('\n');
  const errors: string[] = [];
  lines.forEach((line, index) => {
    if (errors.length >= 10 || !/^\[[^\]]+\] (ERROR|FATAL) /.test(line)) return;
    errors.push(line);
    // A Java exception's message is the line after the logged error, before its stack frames.
    const next = lines[index + 1];
    if (next && !next.startsWith('[') && !next.startsWith('\tat ')) errors.push(`  ${next}`);
  });
  const clipped = errors.map((line) => (line.length > 400 ? `${line.slice(0, 400)}...` : line));
  const errorPart =
    clipped.length > 0 ? `--- first errors in the broker log ---\n${clipped.join('\n')}\n` : '';
  return `${errorPart}--- last lines of the broker log ---\n${lastLines(text, LOG_TAIL_LINES)}`;
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

async function exists(target: string): Promise<boolean> {
  try {
    await stat(target);
    return true;
  } catch {
    return false;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
