import {
  auditFileLocations,
  CheckpointService,
  loadSigningKey,
  startCheckpointSchedule,
  StreamCheckpointPublisher,
  type CheckpointSchedule,
} from '@clinloop/audit';
import type { AppConfig } from '@clinloop/config';
import { describeError } from '@clinloop/errors';
import type { StreamTransport } from '@clinloop/messaging';
import type { Logger } from '@clinloop/observability';
import { DataSource } from 'typeorm';

export interface AuditCheckpointing {
  readonly publicKeyFile: string;
  readonly checkpointFile: string;
  stop(): Promise<void>;
}

/**
 * Signs audit checkpoints every AUDIT_CHECKPOINT_EVERY_ENTRIES entries or AUDIT_CHECKPOINT_INTERVAL_SECONDS,
 * appends them to the checkpoint file and, with Kafka, publishes them to audit.checkpoints.v1 (the
 * in-process demo transport would keep them nowhere, so it gets only the file).
 */
export async function startAuditCheckpointing(
  config: AppConfig,
  dataSource: DataSource,
  transport: StreamTransport | null,
  logger: Logger,
): Promise<AuditCheckpointing> {
  const key = await loadSigningKey({ keyFile: config.auditSigningKeyFile, dataDir: config.dataDir, allowGenerate: config.nodeEnv !== 'production' });
  if (key.generated) logger.warn({ keyFile: key.keyFile }, `generated a development audit signing key; give auditors ${key.publicKeyFile}`);
  const { checkpointFile } = auditFileLocations(config);
  const service = new CheckpointService({
    dataSource,
    signer: key.signer,
    checkpointFile,
    publisher: transport ? new StreamCheckpointPublisher(transport) : null,
  });
  const schedule: CheckpointSchedule = startCheckpointSchedule(service, {
    everyEntries: config.auditCheckpointEveryEntries,
    intervalMs: config.auditCheckpointIntervalSeconds * 1000,
    onCheckpoint: (checkpoint) => {
      logger.info({ treeSize: checkpoint.treeSize }, 'signed an audit checkpoint');
    },
    onError: (error) => {
      logger.error({ err: error }, `audit checkpoint failed (retried at the next poll): ${describeError(error)}`);
    },
  });
  return { publicKeyFile: key.publicKeyFile, checkpointFile, stop: () => schedule.stop() };
}
