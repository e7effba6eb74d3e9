import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { expect } from 'vitest';
import { DataSource } from 'typeorm';
import { createApi } from '@clinloop/api';
import { currentTotp, generateKeyRing, type Clock, type TokenKeyRing } from '@clinloop/auth';
import type { UserPrincipal } from '@clinloop/authz';
import { loadConfig, type AppConfig } from '@clinloop/config';
import { DEMO_PASSWORD, DEMO_STAFF, DEMO_TOTP_SECRET, seedDemo } from '@clinloop/demo';
import { InProcessStreamTransport } from '@clinloop/messaging';
import { createLogger, createMetricsRegistry } from '@clinloop/observability';
import type { TestDatabase } from './database';

/** A clock the test moves: tokens, sessions, lockouts and TOTP steps all follow it. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface SecureApi {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly keys: TokenKeyRing;
  readonly clock: TestClock;
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** Settings tests start from: generous rate limits, so only the rate-limit test meets one. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_USER_MAX: '100000',
  RATE_LIMIT_CLIENT_MAX: '100000',
  RATE_LIMIT_ANONYMOUS_MAX: '100000',
};

/** The API over a test database, with fresh token keys and a movable clock. */
export async function startSecureApi(database: TestDatabase, env: Readonly<Record<string, string>> = {}): Promise<SecureApi> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const keys = generateKeyRing();
  const clock = new TestClock();
  const transport = new InProcessStreamTransport();
  const app = await createApi({
    config,
    dataSource: database.dataSource,
    transport,
    logger: createLogger({ level: 'silent', component: 'security-test' }),
    metrics: createMetricsRegistry('api'),
    runtime: { version: 'test', environment: 'test', database: 'external', stream: 'in-process', startedAt: new Date(0) },
    tokenKeys: keys,
    clock,
  });
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    keys,
    clock,
    dataSource: database.dataSource,
    close: async () => {
      await app.close();
      await transport.close();
    },
  };
}

export interface GraphqlError {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions: { readonly code: string; readonly errorCode?: string; readonly requestId: string };
}

export interface GraphqlResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly data: T | null;
  readonly errors: readonly GraphqlError[];
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** POSTs a GraphQL operation, with a bearer token when given. */
export async function gql<T = Record<string, unknown>>(
  api: SecureApi,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> } = {},
): Promise<GraphqlResponse<T>> {
  let call = request(api.app.getHttpServer()).post('/graphql');
  if (options.token) call = call.set('authorization', `Bearer ${options.token}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) call = call.set(name, value);
  const response = await call.send({ query, variables: options.variables ?? {} });
  const body = response.body as { data?: T | null; errors?: GraphqlError[] };
  return {
    status: response.status,
    data: body.data ?? null,
    errors: body.errors ?? [],
    requestId: String(response.headers['x-request-id']),
    headers: response.headers,
  };
}

/** `expect.objectContaining` typed as what it is to the compiler: a value to compare with, not `any`. */
export function containing(shape: Record<string, unknown>): unknown {
  return expect.objectContaining(shape) as unknown;
}

/** The coded error of a response: its single error's `errorCode`, or undefined. */
export function errorCodeOf(response: GraphqlResponse<unknown>): string | undefined {
  return response.errors[0]?.extensions.errorCode ?? response.errors[0]?.extensions.code;
}

const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { accessToken refreshToken expiresIn idleTimeoutSeconds mustChangePassword }
}`;

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/**
 * Signs a demo user in with the demo password (and, for staff, the authenticator code of the demo
 * TOTP secret at the test clock's time). A TOTP code works once: to sign the same staff member in
 * again, advance the clock by 30 s first.
 */
export async function signIn(api: SecureApi, email: string, options: { password?: string; totp?: boolean; organization?: string } = {}): Promise<Tokens> {
  const response = await signInResponse(api, email, options);
  const tokens = (response.data as { signIn?: Tokens } | null)?.signIn;
  if (!tokens) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(response.errors)}`);
  return tokens;
}

export function signInResponse(api: SecureApi, email: string, options: { password?: string; totp?: boolean; totpCode?: string; organization?: string } = {}) {
  const staff = DEMO_STAFF.some((member) => member.email === email);
  const totpCode = options.totpCode ?? ((options.totp ?? staff) ? currentTotp(DEMO_TOTP_SECRET, api.clock.now()) : null);
  return gql<{ signIn: Tokens }>(api, SIGN_IN, {
    variables: { input: { organization: options.organization ?? 'demo-clinic', email, password: options.password ?? DEMO_PASSWORD, totpCode } },
  });
}

/** Seeds the demo organization (with its sign-ins) into the test database. */
export async function seedDemoOrganization(dataSource: DataSource): Promise<string> {
  return (await seedDemo(dataSource, new Date())).organizationId;
}

export interface AuditRow {
  readonly action: string;
  readonly outcome: string;
  readonly reason: string | null;
  readonly actor_id: string;
  readonly actor_role: string | null;
  readonly resource_type: string;
  readonly resource_id: string | null;
  readonly patient_id: string | null;
  readonly payload: Record<string, unknown>;
}

/** The audit entries one request wrote (by its x-request-id). */
export async function auditEntriesOf(dataSource: DataSource, requestId: string): Promise<AuditRow[]> {
  return dataSource.query<AuditRow[]>(
    `SELECT action, outcome, reason, actor_id, actor_role, resource_type, resource_id, patient_id::text AS patient_id, payload
       FROM audit_entries WHERE request_id = $1 ORDER BY seq`,
    [requestId],
  );
}

/** Ids the demo seed gave people and records, by e-mail and MRN. */
export async function demoIds(dataSource: DataSource): Promise<{ users: Record<string, string>; patients: Record<string, string>; teams: Record<string, string> }> {
  const users = await dataSource.query<{ email: string; id: string }[]>('SELECT email, id FROM users');
  const patients = await dataSource.query<{ mrn: string; id: string }[]>('SELECT mrn, id FROM patients');
  const teams = await dataSource.query<{ name: string; id: string }[]>('SELECT name, id FROM care_teams');
  return {
    users: Object.fromEntries(users.map((row) => [row.email, row.id])),
    patients: Object.fromEntries(patients.map((row) => [row.mrn, row.id])),
    teams: Object.fromEntries(teams.map((row) => [row.name, row.id])),
  };
}

/**
 * A demo clinician as the guard would resolve them (care teams and formulary permission from the
 * database), for tests that call services directly rather than through the API.
 */
export async function clinicianPrincipal(dataSource: DataSource, email: string): Promise<UserPrincipal> {
  const [user] = await dataSource.query<{ id: string; organization_id: string; display_name: string; formulary_permission: boolean }[]>(
    'SELECT id, organization_id, display_name, formulary_permission FROM users WHERE email = $1',
    [email],
  );
  const teams = await dataSource.query<{ care_team_id: string }[]>('SELECT care_team_id::text FROM care_team_members WHERE user_id = $1', [user?.id]);
  return {
    kind: 'user',
    userId: user?.id ?? '',
    organizationId: user?.organization_id ?? '',
    role: 'clinician',
    email,
    displayName: user?.display_name ?? '',
    sessionId: 'test',
    patientId: null,
    careTeamIds: teams.map((team) => team.care_team_id),
    breakGlassPatientIds: [],
    formularyPermission: user?.formulary_permission ?? false,
    passwordChangeRequired: false,
  };
}
