import type { ExecutionResult, GraphQLError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import type { Logger } from '@clinloop/observability';
import { queryLimitCodeOf } from '../hardening/graphql-limits';
import { requestStateOf } from '../security/request-state';
import { mappingFor, mappingForCode } from './error-map';

const GENERIC_MESSAGE = 'Something went wrong on our side. It has been logged; please try again or contact support.';

interface FormattedError {
  readonly message: string;
  readonly locations?: GraphQLError['locations'];
  readonly path?: GraphQLError['path'];
  readonly extensions: Readonly<Record<string, unknown>>;
}

/** Mercurius reports a query that fails parsing or validation as one error listing graphql-js's errors. */
function queryErrorsOf(error: GraphQLError): readonly GraphQLError[] | undefined {
  const original: (Error & { errors?: unknown }) | undefined = error.originalError;
  return Array.isArray(original?.errors) ? (original.errors as GraphQLError[]) : undefined;
}

/**
 * Every error leaves the API with `extensions.code` and the request id. A query that is not valid
 * GraphQL answers 400 with graphql-js's own message (and `errorCode` when a limit refused it: depth,
 * aliases, cost, tokens, introspection - audited); a coded ClinLoop error keeps its message when it
 * is meant for the caller; an error that stopped the request before execution (rate limit, body
 * size) answers with its own HTTP status; anything else is logged in full and answered generically.
 */
export function createGraphqlErrorFormatter(logger: Logger) {
  return (execution: ExecutionResult, context: MercuriusContext): { statusCode: number; response: ExecutionResult } => {
    const request = context.reply.request;
    const requestId = request.id;
    let requestStatus: number | undefined;
    const errors: FormattedError[] = (execution.errors ?? []).flatMap((error): FormattedError[] => {
      const queryErrors = queryErrorsOf(error);
      if (queryErrors) {
        return queryErrors.map((queryError) => {
          const limit = queryLimitCodeOf(queryError);
          if (limit) {
            requestStateOf(request)?.audit.record({
              action: 'api.query_rejected',
              resource: { type: 'GraphQLOperation', id: null },
              outcome: 'denied',
              reason: queryError.message,
              payload: { securityEvent: true, errorCode: limit },
            });
          }
          return {
            message: queryError.message,
            locations: queryError.locations,
            extensions: { code: limit ? mappingForCode(limit).graphqlCode : 'GRAPHQL_VALIDATION_FAILED', ...(limit ? { errorCode: limit } : {}), requestId },
          };
        });
      }
      const original = error.originalError ?? error;
      const mapping = mappingFor(original);
      if (mapping.exposeMessage) logger.info({ code: mapping.code, requestId, path: error.path }, original.message);
      else logger.error({ err: original, requestId, path: error.path }, 'resolver failed');
      if (!error.path) requestStatus ??= mapping.httpStatus;
      return [
        {
          message: mapping.exposeMessage ? original.message : GENERIC_MESSAGE,
          locations: error.locations,
          path: error.path,
          extensions: { code: mapping.graphqlCode, errorCode: mapping.code, requestId },
        },
      ];
    });
    const invalidQuery = (execution.errors ?? []).some((error) => queryErrorsOf(error) !== undefined);
    const statusCode = execution.data ? 200 : invalidQuery ? 400 : (requestStatus ?? 200);
    return { statusCode, response: { data: execution.data ?? null, errors: errors as unknown as GraphQLError[] } };
  };
}
