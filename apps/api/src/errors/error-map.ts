import { ConfigErrorCode } from '@clinloop/config';
import { DatabaseErrorCode } from '@clinloop/database';
import { isClinLoopError } from '@clinloop/errors';
import { ApiErrorCode } from './api-errors';

export interface ErrorMapping {
  /** GraphQL `extensions.code`. */
  readonly graphqlCode: string;
  readonly httpStatus: number;
  /** Whether the error's own message is safe and useful to show the caller. */
  readonly exposeMessage: boolean;
}

const clientError = (graphqlCode: string, httpStatus = 400): ErrorMapping => ({ graphqlCode, httpStatus, exposeMessage: true });
const serverError = (graphqlCode: string, httpStatus = 500): ErrorMapping => ({ graphqlCode, httpStatus, exposeMessage: false });

/*
 * One table per module. `Record<Enum, ErrorMapping>` makes the compiler refuse a new code that has
 * no mapping, so every coded error reaches callers with a deliberate code and status.
 */
const API: Record<ApiErrorCode, ErrorMapping> = {
  [ApiErrorCode.BAD_REQUEST]: clientError('BAD_REQUEST'),
  [ApiErrorCode.NOT_FOUND]: clientError('NOT_FOUND', 404),
  [ApiErrorCode.INTERNAL]: serverError('INTERNAL_SERVER_ERROR'),
};

const CONFIG: Record<ConfigErrorCode, ErrorMapping> = {
  [ConfigErrorCode.INVALID_SETTING]: serverError('INTERNAL_SERVER_ERROR'),
};

const DATABASE: Record<DatabaseErrorCode, ErrorMapping> = {
  [DatabaseErrorCode.UNAVAILABLE]: serverError('SERVICE_UNAVAILABLE', 503),
  [DatabaseErrorCode.EMBEDDED_START_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
  [DatabaseErrorCode.MIGRATION_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
};

const MODULE_TABLES: readonly Readonly<Record<string, ErrorMapping>>[] = [API, CONFIG, DATABASE];

const BY_CODE: ReadonlyMap<string, ErrorMapping> = new Map(MODULE_TABLES.flatMap((table) => Object.entries(table)));

export const INTERNAL_ERROR: ErrorMapping = API[ApiErrorCode.INTERNAL];

/** Mapping of a coded error; an uncoded throw is an internal error whose detail stays in the logs. */
export function mappingFor(error: unknown): ErrorMapping & { code: string } {
  if (isClinLoopError(error)) {
    const mapping = BY_CODE.get(error.code);
    if (mapping) return { ...mapping, code: error.code };
  }
  return { ...INTERNAL_ERROR, code: ApiErrorCode.INTERNAL };
}

/** Every mapped code, for the test that checks the table. */
export function mappedCodes(): string[] {
  return [...BY_CODE.keys()];
}
