import type { UserRole } from '@clinloop/organizations';
import type { IntegratorScope } from './scopes';

/** Whoever sent the request: nobody yet, a signed-in person, or an integrator's client. */
export type Principal = AnonymousPrincipal | UserPrincipal | ClientPrincipal;

export interface AnonymousPrincipal {
  readonly kind: 'anonymous';
}

export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  readonly organizationId: string;
  readonly role: UserRole;
  readonly email: string;
  readonly displayName: string;
  /** The session the access token belongs to; absent for tokens of an external OpenID Connect issuer. */
  readonly sessionId: string | null;
  /** For the patient role: the one record they may see. */
  readonly patientId: string | null;
  /**
   * Clinicians: the care teams they are members of. Patients: the care teams of their own record (so
   * they can see who looks after them).
   */
  readonly careTeamIds: readonly string[];
  /** Patients this clinician opened through break-glass and whose grant has not expired. */
  readonly breakGlassPatientIds: readonly string[];
  readonly formularyPermission: boolean;
  /**
   * The password was issued by an administrator and not yet changed: until it is, the principal
   * reaches only its own account (`ACCOUNT_SUBJECTS`), never clinical data.
   */
  readonly passwordChangeRequired: boolean;
}

export interface ClientPrincipal {
  readonly kind: 'client';
  /** Row id of the integrator client. */
  readonly clientId: string;
  /** The public `client_id` the integrator authenticates with. */
  readonly publicClientId: string;
  readonly organizationId: string;
  readonly scopes: readonly IntegratorScope[];
}

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous' });

/** Role name used in the audit trail and the access matrix. */
export function principalRole(principal: Principal): string {
  switch (principal.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'user':
      return principal.role;
    case 'client':
      return 'integrator';
  }
}

export function principalOrganizationId(principal: Principal): string | null {
  return principal.kind === 'anonymous' ? null : principal.organizationId;
}
