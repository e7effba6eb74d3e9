import type { ExecutionResult, GraphQLError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import type { Logger } from '@clinloop/observability';
import { mappingFor } from './error-map';

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
 * GraphQL answers 400 with graphql-js's own message; a coded ClinLoop error keeps its message when it
 * is meant for the caller; anything else is logged in full and answered with a generic message.
 */
export function createGraphqlErrorFormatter(logger: Logger) {
  return (execution: ExecutionResult, context: MercuriusContext): { statusCode: number; response: ExecutionResult } => {
    const requestId = context.reply.request.id;
    const errors: FormattedError[] = (execution.errors ?? []).flatMap((error): FormattedError[] => {
      const queryErrors = queryErrorsOf(error);
      if (queryErrors) {
        return queryErrors.map((queryError) => ({
          message: queryError.message,
          locations: queryError.locations,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId },
        }));
      }
      const original = error.originalError ?? error;
      const mapping = mappingFor(original);
      if (mapping.exposeMessage) logger.info({ code: mapping.code, requestId, path: error.path }, original.message);
      else logger.error({ err: original, requestId, path: error.path }, 'resolver failed');
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
    return {
      statusCode: invalidQuery && !execution.data ? 400 : 200,
      response: { data: execution.data ?? null, errors: errors as unknown as GraphQLError[] },
    };
  };
}
