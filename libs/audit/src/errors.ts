import { ClinLoopError } from '@clinloop/errors';

export enum AuditErrorCode {
  /** An entry to append breaks a rule of the canonical encoding (missing field, bad UUID, NUL, lone surrogate, non-JSON payload). */
  INVALID_ENTRY = 'AUDIT_INVALID_ENTRY',
  /** `append` was called with an EntityManager that is not inside a transaction: the entry could commit without the change it records. */
  NOT_IN_TRANSACTION = 'AUDIT_NOT_IN_TRANSACTION',
  /** The stored chain does not verify, so no checkpoint is signed over it. */
  CHAIN_BROKEN = 'AUDIT_CHAIN_BROKEN',
  /** The stored Merkle nodes do not reproduce the last signed root. */
  TREE_STATE_CORRUPT = 'AUDIT_TREE_STATE_CORRUPT',
  /** No signing key could be read, and none may be generated here (production). */
  SIGNING_KEY_UNAVAILABLE = 'AUDIT_SIGNING_KEY_UNAVAILABLE',
  /** A key file is not an Ed25519 key in PEM. */
  INVALID_KEY = 'AUDIT_INVALID_KEY',
  /** A checkpoint was stored but could not be written to the checkpoint file or published to the stream. */
  CHECKPOINT_PUBLISH_FAILED = 'AUDIT_CHECKPOINT_PUBLISH_FAILED',
  /** An export was asked for with filters that cannot be applied (bad date, bad UUID). */
  INVALID_EXPORT_REQUEST = 'AUDIT_INVALID_EXPORT_REQUEST',
  /** A trusted-checkpoints file could not be read or holds a checkpoint with a bad signature. */
  INVALID_TRUSTED_CHECKPOINTS = 'AUDIT_INVALID_TRUSTED_CHECKPOINTS',
  /** There is no checkpoint yet, so nothing can be proven against one. */
  NO_CHECKPOINT = 'AUDIT_NO_CHECKPOINT',
  /** The second thread that checks entry hashes of a large export stopped or answered out of turn: the export was not verified. */
  VERIFIER_THREAD_FAILED = 'AUDIT_VERIFIER_THREAD_FAILED',
}

export class AuditError extends ClinLoopError<AuditErrorCode> {
  readonly module = 'audit';
}
