import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { AppConfig } from '@clinloop/config';
import { ApiErrorCode } from '../errors/api-errors';

/**
 * Which limit refused a query, by the error object graphql-armor reported. Mercurius caches the
 * errors of a refused document and hands the same objects back for a repeat, so the tag survives.
 */
const refusals = new WeakMap<object, ApiErrorCode>();

export function queryLimitCodeOf(error: unknown): ApiErrorCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const tagged = refusals.get(error);
  if (tagged) return tagged;
  // graphql-js's own token limit (Mercurius parseOptions.maxTokens) fails parsing with this message.
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /Document contains more th[ae]n \d+ tokens/.test(message) ? ApiErrorCode.TOO_MANY_TOKENS : undefined;
}

function reject(code: ApiErrorCode) {
  return (context: ValidationContext | null, error: GraphQLError): void => {
    refusals.set(error, code);
    context?.reportError(error);
  };
}

/**
 * Introspection off in production: `__schema` and `__type` are refused (`__typename` stays, clients
 * need it). Only the AST is read, and the one value taken from graphql is GraphQLError, so this rule
 * works whichever copy of graphql runs it.
 */
export const noIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name === '__schema' || name === '__type') {
      const error = new GraphQLError(`GraphQL introspection is disabled here (field "${name}").`, { nodes: node });
      refusals.set(error, ApiErrorCode.INTROSPECTION_DISABLED);
      context.reportError(error);
    }
  },
});

/** graphql-armor's depth, alias and cost limits as validation rules, plus introspection off in production. */
export function graphqlValidationRules(config: AppConfig): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  const rules: ValidationRule[] = [
    maxDepthRule({ ...common, n: config.graphqlMaxDepth, onReject: [reject(ApiErrorCode.QUERY_TOO_DEEP)] }),
    maxAliasesRule({ ...common, n: config.graphqlMaxAliases, onReject: [reject(ApiErrorCode.TOO_MANY_ALIASES)] }),
    costLimitRule({ ...common, maxCost: config.graphqlMaxCost, onReject: [reject(ApiErrorCode.QUERY_TOO_COSTLY)] }),
  ];
  if (config.nodeEnv === 'production') rules.push(noIntrospectionRule);
  return rules;
}
