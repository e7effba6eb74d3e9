import { AlertsErrorCode } from '@clinloop/alerts';
import { AuditErrorCode } from '@clinloop/audit';
import { AuthErrorCode, CareTeamAdminErrorCode, SignatureErrorCode } from '@clinloop/auth';
import { AuthzErrorCode } from '@clinloop/authz';
import { ClinicalErrorCode } from '@clinloop/clinical';
import { ConfigErrorCode } from '@clinloop/config';
import { DatabaseErrorCode } from '@clinloop/database';
import { FormularyErrorCode } from '@clinloop/formulary';
import { isClinLoopError } from '@clinloop/errors';
import { MessagingErrorCode } from '@clinloop/messaging';
import { ObservationErrorCode } from '@clinloop/observations';
import { PatientsErrorCode } from '@clinloop/patients';
import { SafetyBoundsErrorCode } from '@clinloop/safety-bounds';
import { ApiErrorCode } from './api-errors';

export interface ErrorMapping {
  /** GraphQL `extensions.code`. */
  readonly graphqlCode: string;
  readonly httpStatus: number;
  /** Whether the error's own message is safe and useful to show the caller. */
  readonly exposeMessage: boolean;
}

const clientError = (graphqlCode: string, httpStatus = 400): ErrorMapping => ({ graphqlCode, httpStatus, exposeMessage: true });
const serverError = (graphqlCode: string, httpStatus = 500): ErrorMapping => ({ graphqlCode, httpStatus, exposeMessage: false });

/*
 * One table per module. `Record<Enum, ErrorMapping>` makes the compiler refuse a new code that has
 * no mapping, so every coded error reaches callers with a deliberate code and status.
 */
const API: Record<ApiErrorCode, ErrorMapping> = {
  [ApiErrorCode.BAD_REQUEST]: clientError('BAD_REQUEST'),
  [ApiErrorCode.NOT_FOUND]: clientError('NOT_FOUND', 404),
  [ApiErrorCode.INTERNAL]: serverError('INTERNAL_SERVER_ERROR'),
  [ApiErrorCode.RATE_LIMITED]: clientError('RATE_LIMITED', 429),
  [ApiErrorCode.PAYLOAD_TOO_LARGE]: clientError('PAYLOAD_TOO_LARGE', 413),
  [ApiErrorCode.QUERY_TOO_DEEP]: clientError('GRAPHQL_VALIDATION_FAILED'),
  [ApiErrorCode.TOO_MANY_ALIASES]: clientError('GRAPHQL_VALIDATION_FAILED'),
  [ApiErrorCode.QUERY_TOO_COSTLY]: clientError('GRAPHQL_VALIDATION_FAILED'),
  [ApiErrorCode.TOO_MANY_TOKENS]: clientError('GRAPHQL_VALIDATION_FAILED'),
  [ApiErrorCode.INTROSPECTION_DISABLED]: clientError('GRAPHQL_VALIDATION_FAILED'),
  [ApiErrorCode.AUDIT_UNAVAILABLE]: serverError('SERVICE_UNAVAILABLE', 503),
};

/*
 * Authentication failures all answer UNAUTHENTICATED (401); `errorCode` says which, so a portal can
 * ask for the second factor or send the user to sign in again. A temporary password that must still
 * be changed is no authentication failure - the session is good and `changePassword` works with it -
 * so it answers FORBIDDEN (403), which the portals show rather than ending the session.
 */
const AUTH: Record<AuthErrorCode, ErrorMapping> = {
  [AuthErrorCode.UNAUTHENTICATED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.TOKEN_EXPIRED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.TOKEN_INVALID]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.SESSION_ENDED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.INVALID_CREDENTIALS]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.ACCOUNT_LOCKED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.PASSWORD_CHANGE_REQUIRED]: clientError('FORBIDDEN', 403),
  [AuthErrorCode.MFA_REQUIRED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.MFA_NOT_ENROLLED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.REFRESH_TOKEN_INVALID]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.REFRESH_TOKEN_REUSED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.CLIENT_INVALID]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.CLIENT_REVOKED]: clientError('UNAUTHENTICATED', 401),
  [AuthErrorCode.SCOPE_INVALID]: clientError('BAD_USER_INPUT'),
  [AuthErrorCode.UNSUPPORTED_GRANT_TYPE]: clientError('BAD_USER_INPUT'),
  [AuthErrorCode.WEAK_PASSWORD]: clientError('BAD_USER_INPUT'),
  [AuthErrorCode.INVALID_ACCOUNT_REQUEST]: clientError('BAD_USER_INPUT'),
  [AuthErrorCode.NOT_FOUND]: clientError('NOT_FOUND', 404),
  [AuthErrorCode.SIGNING_KEY_UNAVAILABLE]: serverError('INTERNAL_SERVER_ERROR'),
  [AuthErrorCode.EXTERNAL_ISSUER_UNAVAILABLE]: serverError('SERVICE_UNAVAILABLE', 503),
  [AuthErrorCode.TOTP_KEY_UNAVAILABLE]: serverError('INTERNAL_SERVER_ERROR'),
  [AuthErrorCode.TOTP_SECRET_UNREADABLE]: serverError('INTERNAL_SERVER_ERROR'),
  // Download links: unknown is not found; spent or stale is gone (ask for a new one); someone else's is forbidden.
  [AuthErrorCode.TICKET_INVALID]: clientError('NOT_FOUND', 404),
  [AuthErrorCode.TICKET_EXPIRED]: clientError('GONE', 410),
  [AuthErrorCode.TICKET_USED]: clientError('GONE', 410),
  [AuthErrorCode.TICKET_NOT_YOURS]: clientError('FORBIDDEN', 403),
};

const CARE_TEAM: Record<CareTeamAdminErrorCode, ErrorMapping> = {
  [CareTeamAdminErrorCode.NOT_FOUND]: clientError('NOT_FOUND', 404),
  [CareTeamAdminErrorCode.INVALID_MEMBER]: clientError('BAD_USER_INPUT'),
  [CareTeamAdminErrorCode.ALREADY_ON_TEAM]: clientError('CONFLICT', 409),
  [CareTeamAdminErrorCode.NOT_ON_TEAM]: clientError('CONFLICT', 409),
  [CareTeamAdminErrorCode.LAST_CLINICIAN]: clientError('CONFLICT', 409),
};

const FORMULARY: Record<FormularyErrorCode, ErrorMapping> = {
  [FormularyErrorCode.UNKNOWN_DRUG]: clientError('NOT_FOUND', 404),
  [FormularyErrorCode.INVALID_CHANGE]: clientError('BAD_USER_INPUT'),
};

const AUTHZ: Record<AuthzErrorCode, ErrorMapping> = {
  [AuthzErrorCode.FORBIDDEN]: clientError('FORBIDDEN', 403),
  [AuthzErrorCode.FIELD_FORBIDDEN]: clientError('FORBIDDEN', 403),
  [AuthzErrorCode.NO_ABILITY_DECLARED]: clientError('FORBIDDEN', 403),
  // Only reachable if a service returned an object it should have filtered: answered as absent.
  [AuthzErrorCode.OBJECT_NOT_VISIBLE]: clientError('NOT_FOUND', 404),
  [AuthzErrorCode.BREAK_GLASS_REASON_REQUIRED]: clientError('BAD_USER_INPUT'),
};

const ESIGN: Record<SignatureErrorCode, ErrorMapping> = {
  [SignatureErrorCode.INVALID_CREDENTIALS]: clientError('FORBIDDEN', 403),
  [SignatureErrorCode.SIGNING_LOCKED]: clientError('FORBIDDEN', 403),
  [SignatureErrorCode.NOT_BOUND]: clientError('CONFLICT', 409),
  [SignatureErrorCode.RECORD_CHANGED]: clientError('CONFLICT', 409),
  [SignatureErrorCode.NOT_FOUND]: clientError('NOT_FOUND', 404),
  [SignatureErrorCode.UNSUPPORTED]: clientError('BAD_USER_INPUT'),
};

const PATIENTS: Record<PatientsErrorCode, ErrorMapping> = {
  [PatientsErrorCode.NOT_FOUND]: clientError('NOT_FOUND', 404),
};

const AUDIT: Record<AuditErrorCode, ErrorMapping> = {
  [AuditErrorCode.INVALID_ENTRY]: serverError('INTERNAL_SERVER_ERROR'),
  [AuditErrorCode.NOT_IN_TRANSACTION]: serverError('INTERNAL_SERVER_ERROR'),
  [AuditErrorCode.CHAIN_BROKEN]: serverError('INTERNAL_SERVER_ERROR'),
  [AuditErrorCode.TREE_STATE_CORRUPT]: serverError('INTERNAL_SERVER_ERROR'),
  [AuditErrorCode.SIGNING_KEY_UNAVAILABLE]: serverError('INTERNAL_SERVER_ERROR'),
  [AuditErrorCode.INVALID_KEY]: serverError('INTERNAL_SERVER_ERROR'),
  [AuditErrorCode.CHECKPOINT_PUBLISH_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
  [AuditErrorCode.INVALID_EXPORT_REQUEST]: clientError('BAD_USER_INPUT'),
  [AuditErrorCode.INVALID_TRUSTED_CHECKPOINTS]: clientError('BAD_USER_INPUT'),
  [AuditErrorCode.NO_CHECKPOINT]: clientError('NOT_FOUND', 404),
  [AuditErrorCode.VERIFIER_THREAD_FAILED]: serverError('INTERNAL_SERVER_ERROR'),
};

const CLINICAL: Record<ClinicalErrorCode, ErrorMapping> = {
  [ClinicalErrorCode.IMPLAUSIBLE_READING]: clientError('BAD_USER_INPUT'),
  [ClinicalErrorCode.UNKNOWN_UNIT]: clientError('BAD_USER_INPUT'),
  [ClinicalErrorCode.BOUNDS_OUTSIDE_FORMULARY]: clientError('BAD_USER_INPUT'),
  [ClinicalErrorCode.UNKNOWN_DRUG]: clientError('BAD_USER_INPUT'),
  [ClinicalErrorCode.INVALID_INPUT]: clientError('BAD_USER_INPUT'),
};

const SAFETY_BOUNDS: Record<SafetyBoundsErrorCode, ErrorMapping> = {
  [SafetyBoundsErrorCode.OUTSIDE_FORMULARY]: clientError('BAD_USER_INPUT'),
  [SafetyBoundsErrorCode.INVALID]: clientError('BAD_USER_INPUT'),
};

const ALERTS: Record<AlertsErrorCode, ErrorMapping> = {
  [AlertsErrorCode.NOT_FOUND]: clientError('NOT_FOUND', 404),
  [AlertsErrorCode.ALREADY_RESOLVED]: clientError('CONFLICT', 409),
  [AlertsErrorCode.REASON_REQUIRED]: clientError('BAD_USER_INPUT'),
  // Raised by a notification channel inside the worker's dispatcher; never reaches an API caller.
  [AlertsErrorCode.NOTIFICATION_FAILED]: serverError('INTERNAL_SERVER_ERROR', 502),
};

const MESSAGING: Record<MessagingErrorCode, ErrorMapping> = {
  [MessagingErrorCode.BROKER_UNREACHABLE]: serverError('SERVICE_UNAVAILABLE', 503),
  [MessagingErrorCode.TOPIC_SETUP_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
  [MessagingErrorCode.UNKNOWN_TOPIC]: serverError('INTERNAL_SERVER_ERROR'),
  [MessagingErrorCode.PRODUCE_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
  [MessagingErrorCode.SUBSCRIBE_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
  [MessagingErrorCode.TRANSPORT_CLOSED]: serverError('SERVICE_UNAVAILABLE', 503),
  [MessagingErrorCode.INVALID_TOPIC_NAME]: serverError('INTERNAL_SERVER_ERROR'),
};

const OBSERVATIONS: Record<ObservationErrorCode, ErrorMapping> = {
  [ObservationErrorCode.UNPARSEABLE]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.SCHEMA_INVALID]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.IMPLAUSIBLE]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.WRONG_UNIT]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.UNKNOWN_DEVICE]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.FUTURE_TIMESTAMP]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.KEY_MISMATCH]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.READING_NOT_FOUND]: clientError('NOT_FOUND', 404),
  [ObservationErrorCode.REASON_REQUIRED]: clientError('BAD_USER_INPUT'),
  [ObservationErrorCode.ALREADY_ENTERED_IN_ERROR]: clientError('CONFLICT', 409),
  [ObservationErrorCode.DEVICE_ALREADY_REGISTERED]: clientError('CONFLICT', 409),
  [ObservationErrorCode.DEVICE_ALREADY_BOUND]: clientError('CONFLICT', 409),
  [ObservationErrorCode.DEVICE_NOT_BOUND]: clientError('CONFLICT', 409),
  [ObservationErrorCode.DEVICE_NOT_FOUND]: clientError('NOT_FOUND', 404),
  [ObservationErrorCode.IDEMPOTENCY_KEY_REUSED]: clientError('CONFLICT', 409),
};

const CONFIG: Record<ConfigErrorCode, ErrorMapping> = {
  [ConfigErrorCode.INVALID_SETTING]: serverError('INTERNAL_SERVER_ERROR'),
};

const DATABASE: Record<DatabaseErrorCode, ErrorMapping> = {
  [DatabaseErrorCode.UNAVAILABLE]: serverError('SERVICE_UNAVAILABLE', 503),
  [DatabaseErrorCode.EMBEDDED_START_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
  [DatabaseErrorCode.MIGRATION_FAILED]: serverError('SERVICE_UNAVAILABLE', 503),
  [DatabaseErrorCode.INVALID_PARAMETER]: serverError('INTERNAL_SERVER_ERROR'),
};

const MODULE_TABLES: readonly Readonly<Record<string, ErrorMapping>>[] = [API, CONFIG, DATABASE, AUTH, CARE_TEAM, AUTHZ, ESIGN, FORMULARY, PATIENTS, AUDIT, CLINICAL, OBSERVATIONS, SAFETY_BOUNDS, ALERTS, MESSAGING];

const BY_CODE: ReadonlyMap<string, ErrorMapping> = new Map(MODULE_TABLES.flatMap((table) => Object.entries(table)));

export const INTERNAL_ERROR: ErrorMapping = API[ApiErrorCode.INTERNAL];

/** Fastify refuses some requests before any handler runs; those are the caller's fault, not ours. */
const FRAMEWORK_CODES: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ApiErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ApiErrorCode.BAD_REQUEST,
  FST_ERR_CTP_EMPTY_JSON_BODY: ApiErrorCode.BAD_REQUEST,
  FST_ERR_CTP_INVALID_JSON_BODY: ApiErrorCode.BAD_REQUEST,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ApiErrorCode.BAD_REQUEST,
};

/** Mapping of a coded error; an uncoded throw is an internal error whose detail stays in the logs. */
export function mappingFor(error: unknown): ErrorMapping & { code: string } {
  if (isClinLoopError(error)) {
    const mapping = BY_CODE.get(error.code);
    if (mapping) return { ...mapping, code: error.code };
  }
  const frameworkCode = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const translated = typeof frameworkCode === 'string' ? FRAMEWORK_CODES[frameworkCode] : undefined;
  if (translated) return { ...API[translated], code: translated };
  return { ...INTERNAL_ERROR, code: ApiErrorCode.INTERNAL };
}

/** The mapping of one code (the formatter tags GraphQL validation refusals with API codes). */
export function mappingForCode(code: ApiErrorCode): ErrorMapping & { code: string } {
  return { ...API[code], code };
}

/** Every mapped code, for the test that checks the table. */
export function mappedCodes(): string[] {
  return [...BY_CODE.keys()];
}
