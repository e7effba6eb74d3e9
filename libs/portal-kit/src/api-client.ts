import type { ApiProblem } from './messages';

/**
 * Server-side GraphQL calls from a portal to the ClinLoop API (Server Components, Server Actions and
 * the proxy). Tokens travel in the Authorization header from the portal server; the browser never
 * holds them.
 */

const DEFAULT_TIMEOUT_MS = 10_000;

/** A failed call: `problem` says why, in the terms the portals' messages use. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';

  constructor(readonly problem: ApiProblem) {
    super(problem.message);
  }
}

export interface GraphqlCall {
  readonly apiUrl: string;
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly accessToken?: string | null;
  /** The visitor's address as the portal saw it, for the API's per-address limits when it trusts this proxy. */
  readonly forwardedFor?: string | null;
  readonly timeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(kind: ApiProblem['kind'], message: string, extra: Partial<ApiProblem> = {}): ApiProblem {
  return { kind, code: null, errorCode: null, message, requestId: null, ...extra };
}

/** Reads the first GraphQL error of a response body, if there is one. */
export function firstGraphqlError(body: unknown, requestId: string | null): ApiProblem | null {
  if (!isRecord(body) || !Array.isArray(body['errors']) || body['errors'].length === 0) return null;
  const error: unknown = body['errors'][0];
  if (!isRecord(error)) return problem('malformed', 'The API answered with an unreadable error.', { requestId });
  const extensions = isRecord(error['extensions']) ? error['extensions'] : {};
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    kind: 'api',
    code: text(extensions['code']),
    errorCode: text(extensions['errorCode']) ?? text(extensions['code']),
    message: text(error['message']) ?? '',
    requestId: text(extensions['requestId']) ?? requestId,
  };
}

/**
 * POSTs one GraphQL operation and returns its `data`.
 * @throws ApiCallError with the first GraphQL error, or why no usable answer came.
 */
export async function callGraphql<T>(call: GraphqlCall): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (call.accessToken) headers['authorization'] = `Bearer ${call.accessToken}`;
  if (call.forwardedFor) headers['x-forwarded-for'] = call.forwardedFor;
  let response: Response;
  try {
    response = await fetch(`${call.apiUrl}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: call.query, variables: call.variables ?? {} }),
      // Next.js 16 does not cache fetch by default: every call reaches the API.
      signal: AbortSignal.timeout(call.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new ApiCallError(
      timedOut ? problem('timeout', `The API at ${call.apiUrl} did not answer in time.`) : problem('unreachable', `Cannot reach the API at ${call.apiUrl}.`),
    );
  }
  const requestId = response.headers.get('x-request-id');
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiCallError(problem('malformed', `The API answered HTTP ${response.status} without JSON.`, { requestId }));
  }
  const error = firstGraphqlError(body, requestId);
  if (error) throw new ApiCallError(error);
  if (!response.ok || !isRecord(body) || !isRecord(body['data'])) {
    throw new ApiCallError(problem('malformed', `The API answered HTTP ${response.status} without data.`, { requestId }));
  }
  return body['data'] as T;
}

export function problemOf(error: unknown): ApiProblem {
  if (error instanceof ApiCallError) return error.problem;
  return problem('malformed', error instanceof Error ? error.message : String(error));
}
