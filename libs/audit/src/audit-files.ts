import path from 'node:path';
import { DEV_SIGNING_KEY_FILE } from './signing-key';

export const DEFAULT_CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

export interface AuditFileSettings {
  readonly dataDir: string;
  readonly auditSigningKeyFile: string | undefined;
  readonly auditCheckpointFile: string | undefined;
}

/** Where the signing key, its public half and the checkpoint file live, from the settings. */
export function auditFileLocations(settings: AuditFileSettings): { signingKeyFile: string; publicKeyFile: string; checkpointFile: string } {
  const signingKeyFile = path.resolve(settings.auditSigningKeyFile ?? path.join(settings.dataDir, DEV_SIGNING_KEY_FILE));
  return {
    signingKeyFile,
    publicKeyFile: `${signingKeyFile}.pub`,
    checkpointFile: path.resolve(settings.auditCheckpointFile ?? path.join(settings.dataDir, DEFAULT_CHECKPOINT_FILE)),
  };
}
