import { ClinLoopError } from '@clinloop/errors';

export enum ApiErrorCode {
  BAD_REQUEST = 'API_BAD_REQUEST',
  NOT_FOUND = 'API_NOT_FOUND',
  INTERNAL = 'API_INTERNAL',
  /** Per-user, per-client or per-address rate limit reached; the response carries Retry-After. */
  RATE_LIMITED = 'API_RATE_LIMITED',
  /** The request body is larger than API_BODY_LIMIT_BYTES. */
  PAYLOAD_TOO_LARGE = 'API_PAYLOAD_TOO_LARGE',
  /** The GraphQL selection is deeper than GRAPHQL_MAX_DEPTH. */
  QUERY_TOO_DEEP = 'API_QUERY_TOO_DEEP',
  /** More aliases than GRAPHQL_MAX_ALIASES. */
  TOO_MANY_ALIASES = 'API_TOO_MANY_ALIASES',
  /** Computed cost above GRAPHQL_MAX_COST. */
  QUERY_TOO_COSTLY = 'API_QUERY_TOO_COSTLY',
  /** More lexical tokens than GRAPHQL_MAX_TOKENS. */
  TOO_MANY_TOKENS = 'API_TOO_MANY_TOKENS',
  /** `__schema` / `__type` in production. */
  INTROSPECTION_DISABLED = 'API_INTROSPECTION_DISABLED',
  /** The request's audit entries could not be written, so its answer is withheld. */
  AUDIT_UNAVAILABLE = 'API_AUDIT_UNAVAILABLE',
}

export class ApiError extends ClinLoopError<ApiErrorCode> {
  readonly module = 'api';
}
