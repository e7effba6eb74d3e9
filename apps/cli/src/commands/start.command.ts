import { Command } from 'commander';
import { loadConfig } from '@clinloop/config';
import { describeDemoSignIns } from '@clinloop/demo';
import { describeError } from '@clinloop/errors';
import { startClinLoop, type RunningClinLoop, type RuntimeParts } from '../runtime/clinloop-runtime';
import { cliLogger } from '../runtime/logger';

export function registerStartCommands(program: Command): void {
  program
    .command('start')
    .description('start the API, the worker and both portals (embedded PostgreSQL and in-process stream unless DATABASE_URL / KAFKA_BROKERS are set)')
    .action(() => run({ api: true, worker: true, portals: loadConfig().startPortals }));
  program
    .command('api')
    .description('start only the API (for deployments that run each process separately)')
    .action(() => run({ api: true, worker: false, portals: false }));
  program
    .command('worker')
    .description('start only the worker (Kafka consumers and scheduled jobs)')
    .action(() => run({ api: false, worker: true, portals: false }));
}

async function run(parts: RuntimeParts): Promise<void> {
  const config = loadConfig();
  const logger = cliLogger(config, 'clinloop');
  const running = await startClinLoop(config, logger, parts);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received: stopping ClinLoop (data is kept for the next start)...\n`);
    running
      .stop()
      .then(() => {
        process.stdout.write('ClinLoop stopped.\n');
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`error while stopping: ${describeError(error)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const portalsReady = await Promise.allSettled(running.portals.map((portal) => portal.ready));
  process.stdout.write(describeRunning(running, portalsReady));
}

function describeRunning(running: RunningClinLoop, portalsReady: PromiseSettledResult<void>[]): string {
  const { config } = running;
  const lines = ['', 'ClinLoop is running:'];
  if (running.api) {
    lines.push(`  GraphQL API        ${running.apiUrl}/graphql`);
    if (config.nodeEnv !== 'production') lines.push(`  GraphiQL           ${running.apiUrl}/graphiql`);
    lines.push(`  API health         ${running.apiUrl}/health  ${running.apiUrl}/ready  ${running.apiUrl}/metrics`);
  }
  if (running.worker) lines.push(`  Worker health      http://${config.host}:${config.workerPort}/health  (/ready, /metrics)`);
  running.portals.forEach((portal, index) => {
    const outcome = portalsReady[index];
    const label = portal.name === 'patient-portal' ? 'Patient portal' : 'Clinician portal';
    const state = outcome?.status === 'rejected' ? `NOT READY: ${describeError(outcome.reason)}` : `(${portal.mode})`;
    lines.push(`  ${label.padEnd(18)} ${portal.url}  ${state}`);
  });
  lines.push(
    running.database.mode === 'embedded'
      ? `  PostgreSQL         embedded, data kept in ${running.database.embeddedDataDir ?? '?'} (port ${config.embeddedPostgresPort})`
      : '  PostgreSQL         DATABASE_URL',
  );
  lines.push(
    running.stream.mode === 'kafka'
      ? `  Stream             Kafka at ${config.kafkaBrokers.join(',')}`
      : '  Stream             in-process (demo only; set KAFKA_BROKERS to use Kafka)',
  );
  if (running.demoOrganizationId) {
    lines.push(`  Demo organization  demo-clinic (${running.demoOrganizationId})`);
    const [first, ...rest] = describeDemoSignIns(new Date());
    lines.push(`  Demo sign-ins      ${first ?? ''}`, ...rest.map((line) => `                     ${line}`));
  }
  lines.push('Press Ctrl-C to stop.', '');
  return `${lines.join('\n')}\n`;
}
