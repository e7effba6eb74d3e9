import { createReadStream } from 'node:fs';
import { KeyObject } from 'node:crypto';
import { describeError } from '@clinloop/errors';
import { parseCheckpoint, SignedCheckpoint, verifyCheckpointSignature } from './checkpoint';
import { AuditError, AuditErrorCode } from './errors';
import { readLines } from './export/text-lines';

/**
 * Reads a checkpoint file (JSON Lines, as the checkpoint service appends it or as collected from
 * the Kafka topic) and checks every signature: a trusted checkpoint the key did not sign is a
 * mistake in the auditor's own file, reported as such rather than as a problem of the export.
 */
export async function readTrustedCheckpoints(file: string, publicKey: KeyObject): Promise<SignedCheckpoint[]> {
  const checkpoints = new Map<number, SignedCheckpoint>();
  try {
    for await (const line of readLines(createReadStream(file, { encoding: 'utf8' }))) {
      if (line.text.trim() === '') continue;
      const invalid = (why: string): AuditError =>
        new AuditError(AuditErrorCode.INVALID_TRUSTED_CHECKPOINTS, `${file} line ${line.number}: ${why}`, { file, line: line.number });
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        throw invalid('not valid JSON');
      }
      const checkpoint = parseCheckpoint(value);
      if (typeof checkpoint === 'string') throw invalid(checkpoint);
      if (!verifyCheckpointSignature(checkpoint, publicKey)) throw invalid(`checkpoint ${checkpoint.treeSize} is not signed by the given public key`);
      const same = checkpoints.get(checkpoint.treeSize);
      if (same && (same.rootHash !== checkpoint.rootHash || same.lastEntryHash !== checkpoint.lastEntryHash)) {
        throw invalid(`two different signed checkpoints of size ${checkpoint.treeSize}: the log was forked`);
      }
      checkpoints.set(checkpoint.treeSize, checkpoint);
    }
  } catch (error) {
    if (error instanceof AuditError) throw error;
    throw new AuditError(AuditErrorCode.INVALID_TRUSTED_CHECKPOINTS, `Cannot read ${file}: ${describeError(error)}`, { file }, { cause: error });
  }
  return [...checkpoints.values()].sort((a, b) => a.treeSize - b.treeSize);
}
