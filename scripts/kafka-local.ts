/**
 * Starts a local single-node Kafka broker for manual runs and prints the KAFKA_BROKERS line to use
 * with it; Ctrl-C stops it and deletes its data. The same code starts the broker for the tests
 * (test/support/kafka-broker.ts), so what works here works there.
 *
 *   node -r @swc-node/register scripts/kafka-local.ts
 */
import { describeError } from '@clinloop/errors';
import { ensureKafkaBroker } from '../test/support/kafka-broker';

async function main(): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`[kafka-local] ${line}\n`);
  };
  const inherited = process.env.KAFKA_BROKERS;
  if (inherited) {
    // ensureKafkaBroker() would just reuse it; this script exists to start a broker of its own.
    log(`ignoring KAFKA_BROKERS=${inherited} from the environment and starting a new broker`);
    delete process.env.KAFKA_BROKERS;
  }

  const broker = await ensureKafkaBroker({ log });
  process.stdout.write(`KAFKA_BROKERS=${broker.brokers.join(',')}\n`);
  log('running; press Ctrl-C to stop');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the broker`);
    broker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`could not stop cleanly: ${describeError(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`[kafka-local] ${describeError(error)}\n`);
  process.exit(1);
});
