import { ClinLoopError } from '@clinloop/errors';

export enum ApiErrorCode {
  BAD_REQUEST = 'API_BAD_REQUEST',
  NOT_FOUND = 'API_NOT_FOUND',
  INTERNAL = 'API_INTERNAL',
}

export class ApiError extends ClinLoopError<ApiErrorCode> {
  readonly module = 'api';
}
