import { ClinLoopError } from '@clinloop/errors';

export enum DatabaseErrorCode {
  UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  EMBEDDED_START_FAILED = 'DATABASE_EMBEDDED_START_FAILED',
  MIGRATION_FAILED = 'DATABASE_MIGRATION_FAILED',
  /** A query parameter the code built cannot hold a value (a bug, not bad input). */
  INVALID_PARAMETER = 'DATABASE_INVALID_PARAMETER',
}

export class DatabaseError extends ClinLoopError<DatabaseErrorCode> {
  readonly module = 'database';
}
