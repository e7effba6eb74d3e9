import { Topics, type StreamTransport } from '@clinloop/messaging';
import { checkpointLine, SignedCheckpoint } from './checkpoint';

/** Somewhere outside the database that keeps every checkpoint, so a rewrite of the database cannot take them back. */
export interface CheckpointPublisher {
  publish(checkpoint: SignedCheckpoint): Promise<void>;
}

/** Kafka key of every checkpoint message: one log, one partition, so the topic keeps them in order. */
export const AUDIT_CHAIN_ID = 'clinloop-audit';

/**
 * Publishes to `audit.checkpoints.v1`: the value is the checkpoint file line (JSON), so a consumer
 * can append message values to its own checkpoint file and pass that to `audit verify --trusted`.
 */
export class StreamCheckpointPublisher implements CheckpointPublisher {
  constructor(
    private readonly transport: Pick<StreamTransport, 'produce'>,
    private readonly topic: string = Topics.auditCheckpoints.name,
  ) {}

  async publish(checkpoint: SignedCheckpoint): Promise<void> {
    await this.transport.produce(this.topic, [
      {
        key: AUDIT_CHAIN_ID,
        value: Buffer.from(checkpointLine(checkpoint), 'utf8'),
        headers: { 'content-type': 'application/json', 'schema-version': String(Topics.auditCheckpoints.schemaVersion), 'tree-size': String(checkpoint.treeSize) },
      },
    ]);
  }
}
