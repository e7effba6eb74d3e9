import { z } from 'zod';

/**
 * Every environment variable ClinLoop reads is declared here, once: its name, type, default and
 * description. `loadConfig` validates them all at start-up; `npm run docs:config` renders this list
 * into the README's configuration table (CI checks the table is current).
 */
export interface SettingDeclaration<T> {
  readonly env: string;
  readonly description: string;
  readonly schema: z.ZodType<T>;
  /** Raw default, as it would be written in the environment; absent means "unset is allowed". */
  readonly default?: string;
  /** Secrets are never echoed back in error messages or logs. */
  readonly secret?: boolean;
}

function setting<T>(declaration: SettingDeclaration<T>): SettingDeclaration<T> {
  return declaration;
}

const port = z.coerce
  .number({ error: 'expected a TCP port number' })
  .int('expected a whole number')
  .min(1, 'expected a TCP port from 1 to 65535')
  .max(65535, 'expected a TCP port from 1 to 65535');

const positiveInt = z.coerce.number({ error: 'expected a number' }).int('expected a whole number').positive();

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const booleanFlag = z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }).transform((v) => v === 'true' || v === '1');

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => value === '' || /^postgres(ql)?:\/\//.test(value), 'expected a postgres:// or postgresql:// URL')
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const brokerList = z
  .string()
  .trim()
  .transform((value) => (value === '' ? [] : value.split(',').map((b) => b.trim())))
  .refine((brokers) => brokers.every((b) => /^[\w.-]+:\d+$/.test(b)), 'expected host:port[,host:port...]');

export const SETTINGS = {
  nodeEnv: setting({
    env: 'NODE_ENV',
    description: 'Runtime mode; `production` turns off GraphQL introspection and pretty errors.',
    schema: z.enum(['development', 'test', 'production'], { error: 'expected development, test or production' }),
    default: 'development',
  }),
  host: setting({
    env: 'HOST',
    description: 'Interface the API, worker health server and portals listen on.',
    schema: z.string().trim().min(1, 'expected a host name or address'),
    default: '127.0.0.1',
  }),
  port: setting({
    env: 'PORT',
    description: 'HTTP port of the API (GraphQL at /graphql, /health, /ready, /metrics).',
    schema: port,
    default: '4000',
  }),
  workerPort: setting({
    env: 'WORKER_PORT',
    description: 'HTTP port of the worker (only /health, /ready, /metrics).',
    schema: port,
    default: '4001',
  }),
  patientPortalPort: setting({
    env: 'PATIENT_PORTAL_PORT',
    description: 'HTTP port of the patient portal (Next.js).',
    schema: port,
    default: '3000',
  }),
  clinicianPortalPort: setting({
    env: 'CLINICIAN_PORTAL_PORT',
    description: 'HTTP port of the clinician and auditor portal (Next.js).',
    schema: port,
    default: '3001',
  }),
  publicApiUrl: setting({
    env: 'PUBLIC_API_URL',
    description: 'API base URL as the portals\' browsers reach it; defaults to http://HOST:PORT.',
    schema: optionalString,
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    description: 'PostgreSQL connection URL. Unset: an embedded PostgreSQL 15 runs in DATA_DIR (demo default).',
    schema: postgresUrl,
    secret: true,
  }),
  databasePoolSize: setting({
    env: 'DATABASE_POOL_SIZE',
    description: 'Connections per process in the PostgreSQL pool.',
    schema: positiveInt.max(200),
    default: '10',
  }),
  dataDir: setting({
    env: 'DATA_DIR',
    description: 'Folder for local state: the embedded PostgreSQL cluster and generated keys.',
    schema: z.string().trim().min(1),
    default: '.data',
  }),
  embeddedPostgresPort: setting({
    env: 'EMBEDDED_POSTGRES_PORT',
    description: 'Port of the embedded PostgreSQL (used only when DATABASE_URL is unset).',
    schema: port,
    default: '54329',
  }),
  kafkaBrokers: setting({
    env: 'KAFKA_BROKERS',
    description: 'Kafka bootstrap servers (host:port, comma-separated). Unset: in-process transport (demo only).',
    schema: brokerList,
    default: '',
  }),
  kafkaClientId: setting({
    env: 'KAFKA_CLIENT_ID',
    description: 'Client id ClinLoop presents to Kafka.',
    schema: z.string().trim().min(1),
    default: 'clinloop',
  }),
  logLevel: setting({
    env: 'LOG_LEVEL',
    description: 'Minimum level of the JSON logs.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected fatal, error, warn, info, debug, trace or silent',
    }),
    default: 'info',
  }),
  seedDemo: setting({
    env: 'SEED_DEMO',
    description: '`clinloop start`: seed the demo organization if the database has none.',
    schema: booleanFlag,
    default: 'true',
  }),
  startPortals: setting({
    env: 'START_PORTALS',
    description: '`clinloop start`: also serve the two Next.js portals.',
    schema: booleanFlag,
    default: 'true',
  }),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type AppConfig = { readonly [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };
