import type { AppConfig } from '@clinloop/config';
import { InProcessStreamTransport, KafkaStreamTransport, type StreamTransport } from '@clinloop/messaging';
import type { Logger } from '@clinloop/observability';

export interface StreamRuntime {
  readonly mode: 'kafka' | 'in-process';
  readonly transport: StreamTransport;
}

/** Kafka when KAFKA_BROKERS is set; otherwise the in-process transport (demo only: nothing survives a restart). */
export function openStream(config: AppConfig, logger: Logger): StreamRuntime {
  if (config.kafkaBrokers.length > 0) {
    const log = logger.child({ context: 'kafka' });
    return {
      mode: 'kafka',
      transport: new KafkaStreamTransport({
        brokers: config.kafkaBrokers,
        clientId: config.kafkaClientId,
        logger: (level, message, details) => log[level](details ?? {}, message),
      }),
    };
  }
  return { mode: 'in-process', transport: new InProcessStreamTransport() };
}
