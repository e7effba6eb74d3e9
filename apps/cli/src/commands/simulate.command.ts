import { Command, InvalidArgumentError } from 'commander';
import { AuditService } from '@clinloop/audit';
import { loadConfig } from '@clinloop/config';
import { KafkaStreamTransport, Topics } from '@clinloop/messaging';
import {
  DevicesService,
  prepareSimulationPopulation,
  seededRandom,
  simulateReadings,
  type SimulatedMessage,
} from '@clinloop/observations';
import { connect, openDatabase } from '../runtime/database-runtime';
import { cliLogger } from '../runtime/logger';

export interface SimulateOptions {
  readonly patients: number;
  readonly days: number;
  /** Messages per second sent to Kafka; 0 sends as fast as the broker takes them. */
  readonly rate: number;
  readonly seed: number;
  readonly artifactRate: number;
  readonly malformedRate: number;
  /** Share of readings sent as FHIR R4 Observations on fhir.observations.v1. */
  readonly fhirShare: number;
}

const CHUNK = 500;

function positiveInteger(name: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
    return value;
  };
}

function fraction(name: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1)
      throw new InvalidArgumentError(`${name} must be between 0 and 1`);
    return value;
  };
}

function nonNegative(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new InvalidArgumentError('rate must be a number of messages per second, 0 for unthrottled');
  return value;
}

/** Sends `messages` in chunks, spacing the chunks so the average stays at `rate` per second. */
async function sendPaced(
  messages: readonly SimulatedMessage[],
  rate: number,
  send: (chunk: readonly SimulatedMessage[]) => Promise<void>,
): Promise<void> {
  const startedAt = Date.now();
  for (let index = 0; index < messages.length; index += CHUNK) {
    await send(messages.slice(index, index + CHUNK));
    if (rate > 0) {
      const dueAt = startedAt + ((index + CHUNK) / rate) * 1000;
      const wait = dueAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'send realistic synthetic readings to Kafka (KAFKA_BROKERS), creating or reusing the simulated patients and their bound devices',
    )
    .requiredOption('--patients <n>', 'number of simulated patients', positiveInteger('patients'))
    .requiredOption('--days <n>', 'days of history, ending now', positiveInteger('days'))
    .option(
      '--rate <per-second>',
      'messages per second sent to Kafka (0 = as fast as possible)',
      nonNegative,
      0,
    )
    .option('--seed <n>', 'random seed; the same seed gives the same readings', positiveInteger('seed'), 1)
    .option(
      '--artifact-rate <fraction>',
      'share of readings that are device artifacts (dead-lettered)',
      fraction('artifact-rate'),
      0.01,
    )
    .option(
      '--malformed-rate <fraction>',
      'share of messages cut short (dead-lettered)',
      fraction('malformed-rate'),
      0.005,
    )
    .option(
      '--fhir-share <fraction>',
      `share of readings sent as FHIR R4 Observations to ${Topics.fhirObservations.name} (the rest to ${Topics.wearableReadings.name})`,
      fraction('fhir-share'),
      0.1,
    )
    .action(async (options: SimulateOptions) => {
      const config = loadConfig();
      if (config.kafkaBrokers.length === 0) {
        throw new InvalidArgumentError(
          'simulate sends to Kafka: set KAFKA_BROKERS (the in-process stream of `clinloop start` cannot be reached from here)',
        );
      }
      const logger = cliLogger(config, 'cli');
      const database = await openDatabase(config, logger);
      const dataSource = await connect(database.url, config, 'clinloop-simulate');
      const transport = new KafkaStreamTransport({
        brokers: config.kafkaBrokers,
        clientId: `${config.kafkaClientId}-simulate`,
      });
      try {
        const now = new Date();
        const random = seededRandom(options.seed);
        const population = await prepareSimulationPopulation(
          dataSource,
          new DevicesService(dataSource, new AuditService()),
          {
            patients: options.patients,
            now,
            random,
          },
        );
        const messages = simulateReadings(population.devices, {
          days: options.days,
          now,
          utcOffsetMinutes: 60,
          artifactRate: options.artifactRate,
          malformedRate: options.malformedRate,
          fhirShare: options.fhirShare,
          random,
        });
        await transport.ensureTopics(
          [Topics.wearableReadings, Topics.fhirObservations].map((topic) => ({
            topic: topic.name,
            partitions: topic.partitions,
          })),
        );
        const startedAt = Date.now();
        await sendPaced(messages, options.rate, async (chunk) => {
          for (const [topic, format] of [
            [Topics.wearableReadings.name, 'wearable-reading.v1'],
            [Topics.fhirObservations.name, 'fhir-r4-observation'],
          ] as const) {
            const ofTopic = chunk.filter((message) => message.format === format);
            if (ofTopic.length > 0) {
              await transport.produce(
                topic,
                ofTopic.map((message) => ({ key: message.key, value: message.value })),
              );
            }
          }
        });
        const seconds = (Date.now() - startedAt) / 1000;
        const bad = messages.filter((message) => message.kind !== 'reading').length;
        const fhir = messages.filter((message) => message.format === 'fhir-r4-observation').length;
        process.stdout.write(
          `Sent ${messages.length} messages for ${options.patients} patients (${population.createdPatients} new) over ${options.days} days ` +
            `in ${seconds.toFixed(1)} s: ${messages.length - fhir} to ${Topics.wearableReadings.name}, ${fhir} to ${Topics.fhirObservations.name}; ` +
            `${bad} are artifacts or malformed and should be dead-lettered.\n`,
        );
      } finally {
        await transport.close();
        await dataSource.destroy();
        await database.stop();
      }
    });
}
