/** Browser-side calls to the ClinLoop API: readiness probe and GraphQL (no auth yet, no PHI). */

export interface Readiness {
  status: string;
  database: string;
  stream: string;
}

export interface ServiceInfo {
  version: string;
  environment: string;
  database: string;
  stream: string;
  startedAt: string;
}

export interface FormularyDrug {
  drug: string;
  drugClass: string;
  stepsMg: number[];
  maxDailyMg: number;
  note: string;
  source: string;
  version: number;
}

const TIMEOUT_MS = 10_000;

/** A failed call, with a message a clinician or operator can act on. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
}

async function request(
  apiUrl: string,
  path: string,
  init: RequestInit,
  signal?: AbortSignal,
): Promise<Response> {
  const controller = new AbortController();
  // The abort reason tells our timeout from the caller's abort.
  const timedOut = new Error('timed out');
  const timer = setTimeout(() => {
    controller.abort(timedOut);
  }, TIMEOUT_MS);
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fetch(`${apiUrl}${path}`, { ...init, cache: 'no-store', signal: controller.signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    if (controller.signal.reason === timedOut) throw new ApiError(`The API at ${apiUrl} did not answer within ${TIMEOUT_MS / 1000} s.`);
    throw new ApiError(
      `Cannot reach the ClinLoop API at ${apiUrl}. It may be stopped, or it does not accept requests from this portal's address.`,
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readJson(response: Response, what: string): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new ApiError(`${what} answered HTTP ${response.status} without a JSON body.`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** GET /ready: 200 when database and stream are reachable, 503 (same body shape) when not. */
export async function fetchReadiness(apiUrl: string, signal?: AbortSignal): Promise<Readiness> {
  const response = await request(apiUrl, '/ready', { method: 'GET' }, signal);
  const body = await readJson(response, 'The readiness probe');
  if (
    (response.ok || response.status === 503) &&
    isRecord(body) &&
    typeof body['status'] === 'string' &&
    typeof body['database'] === 'string' &&
    typeof body['stream'] === 'string'
  ) {
    return { status: body['status'], database: body['database'], stream: body['stream'] };
  }
  throw new ApiError(`The readiness probe answered HTTP ${response.status} with an unexpected body.`);
}

async function graphql<T>(apiUrl: string, query: string, field: string, signal?: AbortSignal): Promise<T> {
  const response = await request(
    apiUrl,
    '/graphql',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) },
    signal,
  );
  const body = await readJson(response, 'The GraphQL endpoint');
  if (!isRecord(body))
    throw new ApiError(`The GraphQL endpoint answered HTTP ${response.status} with an unexpected body.`);
  const errors = body['errors'];
  if (Array.isArray(errors) && errors.length > 0) {
    const messages = errors.map((e: unknown) =>
      isRecord(e) && typeof e['message'] === 'string' ? e['message'] : 'unknown error',
    );
    throw new ApiError(`The API reported: ${messages.join('; ')}`);
  }
  const data = body['data'];
  if (!response.ok || !isRecord(data) || data[field] === undefined || data[field] === null) {
    throw new ApiError(`The GraphQL endpoint answered HTTP ${response.status} without ${field}.`);
  }
  return data[field] as T;
}

export function fetchServiceInfo(apiUrl: string, signal?: AbortSignal): Promise<ServiceInfo> {
  return graphql<ServiceInfo>(
    apiUrl,
    '{ serviceInfo { version environment database stream startedAt } }',
    'serviceInfo',
    signal,
  );
}

export function fetchFormulary(apiUrl: string, signal?: AbortSignal): Promise<FormularyDrug[]> {
  return graphql<FormularyDrug[]>(
    apiUrl,
    '{ formulary { drug drugClass stepsMg maxDailyMg note source version } }',
    'formulary',
    signal,
  );
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
