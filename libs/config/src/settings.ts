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
  // Audit trail (issue 4): docs/decisions/0003-audit-trail.md.
  auditCheckpointEveryEntries: setting({
    env: 'AUDIT_CHECKPOINT_EVERY_ENTRIES',
    description: 'Sign an audit checkpoint as soon as this many entries are not yet covered by one.',
    schema: positiveInt,
    default: '1000',
  }),
  auditCheckpointIntervalSeconds: setting({
    env: 'AUDIT_CHECKPOINT_INTERVAL_SECONDS',
    description: 'Sign an audit checkpoint at least this often while entries keep arriving.',
    schema: positiveInt.max(86400),
    default: '60',
  }),
  auditSigningKeyFile: setting({
    env: 'AUDIT_SIGNING_KEY_FILE',
    description: 'Ed25519 private key (PEM) that signs audit checkpoints and exports; give auditors its public half (`<file>.pub`). Unset: a key generated once in DATA_DIR - refused in production.',
    schema: optionalString,
  }),
  auditCheckpointFile: setting({
    env: 'AUDIT_CHECKPOINT_FILE',
    description: 'JSON Lines file every new audit checkpoint is appended to, for auditors to keep. Unset: DATA_DIR/audit-checkpoints.jsonl.',
    schema: optionalString,
  }),
  // Identity and access (issue 5): compliance/identity-and-access.md.
  authJwtIssuer: setting({
    env: 'AUTH_JWT_ISSUER',
    description: '`iss` of the access tokens this API issues (checked on every token).',
    schema: z.string().trim().min(1),
    default: 'clinloop',
  }),
  authJwtAudience: setting({
    env: 'AUTH_JWT_AUDIENCE',
    description: '`aud` of the access tokens this API issues and accepts.',
    schema: z.string().trim().min(1),
    default: 'clinloop-api',
  }),
  authJwtSigningKeyFile: setting({
    env: 'AUTH_JWT_SIGNING_KEY_FILE',
    description: 'RSA private key (PEM, 2048 bits or more) that signs access tokens (RS256; `kid` = its JWK thumbprint). Unset: a key generated once in DATA_DIR/keys - refused in production.',
    schema: optionalString,
  }),
  authJwtVerifyKeyFiles: setting({
    env: 'AUTH_JWT_VERIFY_KEY_FILES',
    description: 'Comma-separated RSA public keys (PEM) still accepted for verification and published in the JWKS, for key rotation.',
    schema: z
      .string()
      .trim()
      .transform((value) => (value === '' ? [] : value.split(',').map((file) => file.trim()))),
    default: '',
  }),
  authTotpKeyFile: setting({
    env: 'AUTH_TOTP_KEY_FILE',
    description:
      'File holding the 256-bit key (base64, `openssl rand -base64 32`) that encrypts TOTP secrets at rest (AES-256-GCM); every API replica needs the same one. Unset: a key generated once in DATA_DIR/keys - refused in production. Clear secrets from before are encrypted when the API starts and on next use.',
    schema: optionalString,
  }),
  authAccessTokenTtlSeconds: setting({
    env: 'AUTH_ACCESS_TOKEN_TTL_SECONDS',
    description: 'Lifetime of an access token (user or integrator client).',
    schema: positiveInt.min(30).max(3600),
    default: '900',
  }),
  authIdleTimeoutSeconds: setting({
    env: 'AUTH_IDLE_TIMEOUT_SECONDS',
    description: 'A session with no request for this long is signed out (HIPAA automatic logoff); its refresh token stops working too.',
    schema: positiveInt.min(60).max(86400),
    default: '900',
  }),
  authSessionMaxHours: setting({
    env: 'AUTH_SESSION_MAX_HOURS',
    description: 'Absolute lifetime of a sign-in session, however active; then the user signs in again.',
    schema: positiveInt.max(720),
    default: '12',
  }),
  authLockoutThreshold: setting({
    env: 'AUTH_LOCKOUT_THRESHOLD',
    description: 'Wrong passwords or codes in a row that lock an account: at sign-in and as the current password of a password change, one count.',
    schema: positiveInt.max(100),
    default: '5',
  }),
  authLockoutMinutes: setting({
    env: 'AUTH_LOCKOUT_MINUTES',
    description: 'How long a lockout lasts: no sign-in and no password change (an admin can unlock earlier).',
    schema: positiveInt.max(10080),
    default: '15',
  }),
  authSignatureLockoutThreshold: setting({
    env: 'AUTH_SIGNATURE_LOCKOUT_THRESHOLD',
    description: 'Failed e-signature attempts in a row that lock signing for that user until an admin unlocks it.',
    schema: positiveInt.max(100),
    default: '5',
  }),
  authBreakGlassMinutes: setting({
    env: 'AUTH_BREAK_GLASS_MINUTES',
    description: 'How long a break-glass grant to a patient outside the clinician\'s care teams lasts.',
    schema: positiveInt.max(1440),
    default: '60',
  }),
  authOidcIssuer: setting({
    env: 'AUTH_OIDC_ISSUER',
    description: 'Also accept access tokens of this external OpenID Connect issuer (`iss`). Needs AUTH_OIDC_JWKS_URL, AUTH_OIDC_AUDIENCE and AUTH_OIDC_ORGANIZATION.',
    schema: optionalString,
  }),
  authOidcJwksUrl: setting({
    env: 'AUTH_OIDC_JWKS_URL',
    description: 'JWKS URL of the external issuer (its keys are fetched and cached).',
    schema: z
      .string()
      .trim()
      .refine((value) => value === '' || /^https?:\/\//.test(value), 'expected an http(s) URL')
      .transform((value) => (value === '' ? undefined : value))
      .optional(),
  }),
  authOidcAudience: setting({
    env: 'AUTH_OIDC_AUDIENCE',
    description: '`aud` the external issuer puts in tokens meant for ClinLoop.',
    schema: optionalString,
  }),
  authOidcOrganization: setting({
    env: 'AUTH_OIDC_ORGANIZATION',
    description: 'Slug of the organization whose users sign in through the external issuer; each must exist there (matched by e-mail).',
    schema: optionalString,
  }),
  authOidcEmailClaim: setting({
    env: 'AUTH_OIDC_EMAIL_CLAIM',
    description: 'Claim of the external token holding the user\'s e-mail.',
    schema: z.string().trim().min(1),
    default: 'email',
  }),
  authOidcRoleClaim: setting({
    env: 'AUTH_OIDC_ROLE_CLAIM',
    description: 'Claim of the external token holding its roles or groups (a string or a list).',
    schema: z.string().trim().min(1),
    default: 'roles',
  }),
  authOidcRoleMap: setting({
    env: 'AUTH_OIDC_ROLE_MAP',
    description: 'External role to ClinLoop role, e.g. `bp-clinicians=clinician,compliance=auditor`; a token with no mapped role, or one that differs from the user\'s role, is refused.',
    schema: z
      .string()
      .trim()
      .transform((value) => (value === '' ? [] : value.split(',').map((pair) => pair.split('=').map((part) => part.trim()))))
      .refine(
        (pairs) => pairs.every((pair) => pair.length === 2 && pair[0] !== '' && ['patient', 'clinician', 'auditor', 'admin'].includes(pair[1] ?? '')),
        'expected external=role pairs, role one of patient, clinician, auditor, admin',
      )
      .transform((pairs) => Object.fromEntries(pairs.map(([external, role]) => [external, role])) as Record<string, 'patient' | 'clinician' | 'auditor' | 'admin'>),
    default: '',
  }),
  // API hardening (issue 5).
  apiBodyLimitBytes: setting({
    env: 'API_BODY_LIMIT_BYTES',
    description: 'Largest request body the API accepts (413 above it).',
    schema: positiveInt.min(1024).max(50 * 1024 * 1024),
    default: '1048576',
  }),
  corsOrigins: setting({
    env: 'CORS_ORIGINS',
    description: 'Browser origins allowed to call the API besides the two portals on HOST and localhost (comma-separated), e.g. the portals\' public URLs.',
    schema: z
      .string()
      .trim()
      .transform((value) => (value === '' ? [] : value.split(',').map((origin) => origin.trim())))
      .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), 'expected origins like https://portal.example.org'),
    default: '',
  }),
  apiTrustProxy: setting({
    env: 'API_TRUST_PROXY',
    description:
      'Which proxies in front of the API to believe about the client address (X-Forwarded-For), for per-address rate limits and the `ip` of audit entries: `false` (none: the connecting address counts), a number of hops, or comma-separated addresses/CIDRs of the load balancers (also `loopback`, `linklocal`, `uniquelocal`). `true` believes any sender - only when nothing but the load balancer can reach the API.',
    schema: z
      .string()
      .trim()
      .transform((value): boolean | number | string[] => {
        if (value === '' || value === 'false') return false;
        if (value === 'true') return true;
        if (/^\d+$/.test(value)) return Number(value);
        return value.split(',').map((part) => part.trim());
      })
      .refine(
        (value) => typeof value !== 'object' || value.every((part) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(part)),
        'expected false, true, a number of hops, or comma-separated addresses/CIDRs',
      ),
    default: 'false',
  }),
  graphqlMaxDepth: setting({
    env: 'GRAPHQL_MAX_DEPTH',
    description: 'Deepest GraphQL selection accepted.',
    schema: positiveInt.max(50),
    default: '8',
  }),
  graphqlMaxAliases: setting({
    env: 'GRAPHQL_MAX_ALIASES',
    description: 'Most aliases accepted in one GraphQL operation.',
    schema: positiveInt.max(1000),
    default: '15',
  }),
  graphqlMaxCost: setting({
    env: 'GRAPHQL_MAX_COST',
    description: 'Highest computed cost of one GraphQL operation (graphql-armor cost model).',
    schema: positiveInt.max(1_000_000),
    default: '5000',
  }),
  graphqlMaxTokens: setting({
    env: 'GRAPHQL_MAX_TOKENS',
    description: 'Most lexical tokens in one GraphQL document (parsing stops beyond it).',
    schema: positiveInt.max(100_000),
    default: '1000',
  }),
  rateLimitWindowSeconds: setting({
    env: 'RATE_LIMIT_WINDOW_SECONDS',
    description: 'Window of the API rate limits.',
    schema: positiveInt.max(3600),
    default: '60',
  }),
  rateLimitUserMax: setting({
    env: 'RATE_LIMIT_USER_MAX',
    description: 'Requests per window for one signed-in user (then 429 with Retry-After).',
    schema: positiveInt,
    default: '300',
  }),
  rateLimitClientMax: setting({
    env: 'RATE_LIMIT_CLIENT_MAX',
    description: 'Requests per window for one integrator client.',
    schema: positiveInt,
    default: '1200',
  }),
  rateLimitAnonymousMax: setting({
    env: 'RATE_LIMIT_ANONYMOUS_MAX',
    description: 'Requests per window from one IP address without a token (sign-in, token endpoint, health).',
    schema: positiveInt,
    default: '120',
  }),
  ingestLateAfterMinutes: setting({
    env: 'INGEST_LATE_AFTER_MINUTES',
    description: 'Readings that reach ClinLoop more than this many minutes after they were measured are stored and flagged late.',
    schema: positiveInt,
    default: '1440',
  }),
  ingestFutureSkewSeconds: setting({
    env: 'INGEST_FUTURE_SKEW_SECONDS',
    description: 'How far in the future a measured-at time may lie (device clock drift) before the reading is dead-lettered as FUTURE_TIMESTAMP.',
    schema: positiveInt,
    default: '300',
  }),
  ingestConsumerGroup: setting({
    env: 'INGEST_CONSUMER_GROUP',
    description: 'Kafka consumer group of the worker\'s reading ingestion; workers sharing it split the partitions.',
    schema: z.string().trim().min(1, 'expected a consumer group id'),
    default: 'clinloop-ingestion',
  }),
  ingestConsumers: setting({
    env: 'INGEST_CONSUMERS',
    description:
      'Consumer-group members each worker process runs for reading ingestion; with more than one, database work and message decoding overlap (3 was the fastest of 1-3 on 2 cores).',
    schema: positiveInt,
    default: '3',
  }),
  ingestPartitionsConcurrently: setting({
    env: 'INGEST_PARTITIONS_CONCURRENTLY',
    description:
      'Partitions each ingestion member handles at the same time (each partition stays in order); with 2, a batch does not wait behind the other partition\'s transaction (2 was faster than 1 on 2 cores: npm run bench -- ingestion).',
    schema: positiveInt,
    default: '2',
  }),
  ingestFailpoint: setting({
    env: 'INGEST_FAILPOINT',
    description: 'Testing only: `kill-after-db-commit` makes the worker SIGKILL itself after a batch commits and before its offsets are committed.',
    schema: z
      .enum(['', 'kill-after-db-commit'], { error: 'expected kill-after-db-commit or nothing' })
      .transform((value) => (value === '' ? undefined : value))
      .optional(),
  }),
  alertWebhookUrl: setting({
    env: 'ALERT_WEBHOOK_URL',
    description:
      'Switches on the webhook channel for alert notifications (in-app only when unset): the worker POSTs each one as JSON (ids and codes, no readings), signed with ALERT_WEBHOOK_SECRET, after the alert committed; failures are retried with backoff.',
    schema: z
      .string()
      .trim()
      .refine((value) => value === '' || /^https?:\/\/\S+$/.test(value), 'expected an http:// or https:// URL')
      .transform((value) => (value === '' ? undefined : value))
      .optional(),
  }),
  alertWebhookSecret: setting({
    env: 'ALERT_WEBHOOK_SECRET',
    description:
      'HMAC-SHA256 key of the alert webhook (at least 32 characters; required with ALERT_WEBHOOK_URL). Header x-clinloop-signature is `sha256=` + hex HMAC of `<x-clinloop-timestamp>.<body>`.',
    schema: z
      .string()
      .trim()
      .refine((value) => value === '' || value.length >= 32, 'expected at least 32 characters')
      .transform((value) => (value === '' ? undefined : value))
      .optional(),
    secret: true,
  }),
  alertWebhookTimeoutMs: setting({
    env: 'ALERT_WEBHOOK_TIMEOUT_MS',
    description: 'How long one alert webhook delivery may take before it counts as failed (and is retried).',
    schema: positiveInt.max(60_000),
    default: '5000',
  }),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type AppConfig = { readonly [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };
