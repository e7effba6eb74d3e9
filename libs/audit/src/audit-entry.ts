import { AuditError, AuditErrorCode } from './errors';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
/** `denied` = refused by authorization; `failure` = attempted and failed (validation, safety envelope, error). */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_ACTOR_TYPES = ['user', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** A signed-in person acting through the API or a portal. */
export interface UserActor {
  readonly type: 'user';
  readonly userId: string;
  readonly role: string;
  readonly organizationId: string | null;
}

/** A process acting on its own (worker consumer, scheduled job, CLI seed), named by its component. */
export interface SystemActor {
  readonly type: 'system';
  readonly component: string;
  /** The organization whose data the component is working on, when there is one. */
  readonly organizationId?: string | null;
}

export type AuditActor = UserActor | SystemActor;

/**
 * What a feature hands to `AuditService.append`. High-volume sources (an ingestion batch, a query
 * that read many records) write ONE entry and list what it covers in `payload`, e.g.
 * `{ readingIds: [...], count: 500 }`, instead of one entry per record.
 */
export interface AuditEntryInput {
  readonly actor: AuditActor;
  /** Dotted verb phrase, e.g. `recommendation.approve`, `patient.read`, `bounds.update`. */
  readonly action: string;
  readonly resource: { readonly type: string; readonly id?: string | null };
  /** Set whenever the action touched one patient's PHI: the HIPAA access report filters on it. */
  readonly patientId?: string | null;
  readonly outcome: AuditOutcome;
  /** Why: the clinician's review reason, the refusal reason, the error code. */
  readonly reason?: string | null;
  /** Correlates the entry with logs and traces of the same request or message. */
  readonly requestId?: string | null;
  /** Further detail; canonical JSON (RFC 8785) is what gets hashed, so it must be plain JSON. */
  readonly payload?: JsonObject;
}

/**
 * The recorded content of an entry: exactly the fields the canonical encoding covers, in its order
 * (compliance/audit-export-format.md). Flat on purpose: the same shape is a table row, a CSV row and
 * the input of the hash.
 */
export interface AuditEntryContent {
  readonly seq: number;
  /** UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`: exactly what PostgreSQL stores. */
  readonly recordedAt: string;
  readonly actorType: AuditActorType;
  readonly actorId: string;
  readonly actorRole: string | null;
  readonly actorOrganizationId: string | null;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string | null;
  readonly patientId: string | null;
  readonly outcome: AuditOutcome;
  readonly reason: string | null;
  readonly requestId: string | null;
  readonly payload: JsonObject;
}

/**
 * How an entry's hash input is built (compliance/audit-export-format.md): 1 = the binary field
 * encoding, 2 = RFC 8785 canonical JSON of the entry and its `prevHash`, which a JSON Lines export
 * carries verbatim. Each has its own tag in the hash input, so a changed encoding cannot verify.
 * New entries are written as 2; entries written as 1 stay 1 (the trail is append-only).
 */
export const ENTRY_ENCODINGS = [1, 2] as const;
export type EntryEncoding = (typeof ENTRY_ENCODINGS)[number];
export const CURRENT_ENTRY_ENCODING: EntryEncoding = 2;

/** An entry as stored and exported: its content, its encoding and the chain hashes (lowercase hex, 64 characters). */
export interface AuditEntry extends AuditEntryContent {
  readonly encoding: EntryEncoding;
  readonly prevHash: string;
  readonly hash: string;
}

/** An entry's content before the chain gives it a sequence number and a time. */
export type AuditEntryDraft = Omit<AuditEntryContent, 'seq' | 'recordedAt'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_NAME_LENGTH = 200;

/**
 * Checks an input and brings it to the flat content shape. UUIDs are lowercased here because
 * PostgreSQL's uuid type would lowercase them on the way in, and the hash must cover what is stored.
 */
export function toEntryDraft(input: AuditEntryInput): AuditEntryDraft {
  const actor = input.actor;
  const actorFields =
    actor.type === 'user'
      ? {
          actorType: 'user' as const,
          actorId: requireName(actor.userId, 'actor.userId'),
          actorRole: requireName(actor.role, 'actor.role'),
          actorOrganizationId: optionalUuid(actor.organizationId, 'actor.organizationId'),
        }
      : {
          actorType: 'system' as const,
          actorId: requireName(actor.component, 'actor.component'),
          actorRole: null,
          actorOrganizationId: optionalUuid(actor.organizationId, 'actor.organizationId'),
        };
  if (!(AUDIT_OUTCOMES as readonly string[]).includes(input.outcome)) {
    throw invalid(`outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`, 'outcome');
  }
  return {
    ...actorFields,
    action: requireName(input.action, 'action'),
    resourceType: requireName(input.resource.type, 'resource.type'),
    resourceId: optionalText(input.resource.id, 'resource.id'),
    patientId: optionalUuid(input.patientId, 'patientId'),
    outcome: input.outcome,
    reason: optionalText(input.reason, 'reason'),
    requestId: optionalText(input.requestId, 'requestId'),
    payload: input.payload ?? {},
  };
}

function requireName(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field} must be a non-empty string`, field);
  if (value.length > MAX_NAME_LENGTH) throw invalid(`${field} is longer than ${MAX_NAME_LENGTH} characters`, field);
  return value;
}

function optionalText(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${field} must be a string or null`, field);
  return value;
}

function optionalUuid(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if (!UUID.test(lower)) throw invalid(`${field} must be a UUID`, field);
  return lower;
}

function invalid(message: string, field: string): AuditError {
  return new AuditError(AuditErrorCode.INVALID_ENTRY, `Invalid audit entry: ${message}`, { field });
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
