/**
 * What bench/graphql-driver.bench.ts and its server child (graphql-driver-server.ts) say to each
 * other over the IPC channel, plus the names and queries both sides agree on. Imports nothing
 * heavy, so the load-generating parent never loads Nest or a GraphQL driver itself.
 */

export const DRIVERS = ['mercurius', 'apollo'] as const;
export type DriverName = (typeof DRIVERS)[number];

export const DRIVER_LABELS: Readonly<Record<DriverName, string>> = {
  mercurius: 'Mercurius on Fastify',
  apollo: 'Apollo on Express',
};

export const GRAPHQL_PATH = '/graphql';

export const SCENARIOS = [
  {
    name: 'list50',
    description: '50 objects x 6 fields',
    query: '{ readings(limit: 50) { id patientId systolic diastolic weightKg takenAt } }',
  },
  { name: 'small', description: 'one scalar field', query: '{ ping }' },
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Parent -> child. */
export type ControlMessage = { readonly type: 'usage'; readonly id: number } | { readonly type: 'stop' };

/** Child -> parent. `cpuMicros` is user + system CPU time of the whole server process so far. */
export type ServerMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'usage'; readonly id: number; readonly cpuMicros: number; readonly rssBytes: number };

export function isDriverName(value: unknown): value is DriverName {
  return typeof value === 'string' && (DRIVERS as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isControlMessage(value: unknown): value is ControlMessage {
  if (!isRecord(value)) return false;
  return value.type === 'stop' || (value.type === 'usage' && typeof value.id === 'number');
}

export function isServerMessage(value: unknown): value is ServerMessage {
  if (!isRecord(value)) return false;
  if (value.type === 'ready') return typeof value.port === 'number';
  return (
    value.type === 'usage' &&
    typeof value.id === 'number' &&
    typeof value.cpuMicros === 'number' &&
    typeof value.rssBytes === 'number'
  );
}
