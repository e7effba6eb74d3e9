import { ClinLoopError } from '@clinloop/errors';

export enum AuthErrorCode {
  /** No credentials were presented for something that needs them. */
  UNAUTHENTICATED = 'AUTH_UNAUTHENTICATED',
  /** The access token's `exp` has passed. */
  TOKEN_EXPIRED = 'AUTH_TOKEN_EXPIRED',
  /** Bad signature, unknown key, wrong algorithm (`none` included), issuer or audience, or malformed. */
  TOKEN_INVALID = 'AUTH_TOKEN_INVALID',
  /** The session behind the token was signed out, revoked, timed out for inactivity or reached its maximum age. */
  SESSION_ENDED = 'AUTH_SESSION_ENDED',
  /** Unknown user, wrong password or wrong one-time code: deliberately not told apart. */
  INVALID_CREDENTIALS = 'AUTH_INVALID_CREDENTIALS',
  /** Too many wrong passwords (or codes) in a row, at sign-in or as the current password of a password change. */
  ACCOUNT_LOCKED = 'AUTH_ACCOUNT_LOCKED',
  /** Signed in with a password an administrator issued: only the account itself works until it is changed (changePassword). */
  PASSWORD_CHANGE_REQUIRED = 'AUTH_PASSWORD_CHANGE_REQUIRED',
  /** Password accepted; this role needs the one-time code from the authenticator app as well. */
  MFA_REQUIRED = 'AUTH_MFA_REQUIRED',
  /** This role needs a second factor and the user has none enrolled: an admin must issue one. */
  MFA_NOT_ENROLLED = 'AUTH_MFA_NOT_ENROLLED',
  /** Unknown, expired or revoked refresh token. */
  REFRESH_TOKEN_INVALID = 'AUTH_REFRESH_TOKEN_INVALID',
  /** A refresh token was used twice: the whole session is revoked. */
  REFRESH_TOKEN_REUSED = 'AUTH_REFRESH_TOKEN_REUSED',
  /** Unknown client or wrong client secret (OAuth2 `invalid_client`). */
  CLIENT_INVALID = 'AUTH_CLIENT_INVALID',
  /** The integrator client was revoked by an admin. */
  CLIENT_REVOKED = 'AUTH_CLIENT_REVOKED',
  /** A scope was asked for that the client was not granted, or that does not exist. */
  SCOPE_INVALID = 'AUTH_SCOPE_INVALID',
  /** Only `client_credentials` is supported at the token endpoint. */
  UNSUPPORTED_GRANT_TYPE = 'AUTH_UNSUPPORTED_GRANT_TYPE',
  /** A new password does not meet the policy. */
  WEAK_PASSWORD = 'AUTH_WEAK_PASSWORD',
  /** Bad input to an account operation (unknown role for the link, missing patient, duplicate e-mail). */
  INVALID_ACCOUNT_REQUEST = 'AUTH_INVALID_ACCOUNT_REQUEST',
  /** No such user or client in the caller's organization. */
  NOT_FOUND = 'AUTH_NOT_FOUND',
  /** The token-signing key could not be read (or may not be generated here). */
  SIGNING_KEY_UNAVAILABLE = 'AUTH_SIGNING_KEY_UNAVAILABLE',
  /** The external OpenID Connect issuer's keys could not be fetched. */
  EXTERNAL_ISSUER_UNAVAILABLE = 'AUTH_EXTERNAL_ISSUER_UNAVAILABLE',
  /** The key that encrypts TOTP secrets at rest could not be read (or may not be generated here). */
  TOTP_KEY_UNAVAILABLE = 'AUTH_TOTP_KEY_UNAVAILABLE',
  /** A stored TOTP secret does not decrypt with this server's key (another key, another user's row, altered). */
  TOTP_SECRET_UNREADABLE = 'AUTH_TOTP_SECRET_UNREADABLE',
  /** No such download ticket (never issued, or mistyped). */
  TICKET_INVALID = 'AUTH_TICKET_INVALID',
  /** The download ticket's few minutes have passed. */
  TICKET_EXPIRED = 'AUTH_TICKET_EXPIRED',
  /** The download ticket was already used: each works once. */
  TICKET_USED = 'AUTH_TICKET_USED',
  /** The download ticket was issued to someone else than the signed-in caller presenting it. */
  TICKET_NOT_YOURS = 'AUTH_TICKET_NOT_YOURS',
}

export class AuthError extends ClinLoopError<AuthErrorCode> {
  readonly module = 'auth';
}

export enum SignatureErrorCode {
  /** The re-entered identification code or password is wrong (counts toward the signing lock). */
  INVALID_CREDENTIALS = 'ESIGN_INVALID_CREDENTIALS',
  /** Too many failed signing attempts: signing is locked until an admin unlocks it. */
  SIGNING_LOCKED = 'ESIGN_SIGNING_LOCKED',
  /** The signature was made for another record (21 CFR 11.70: it cannot be copied). */
  NOT_BOUND = 'ESIGN_NOT_BOUND',
  /** The record changed after it was signed: the signed hash no longer matches. */
  RECORD_CHANGED = 'ESIGN_RECORD_CHANGED',
  /** No such signature, or no such record to sign, visible to the caller. */
  NOT_FOUND = 'ESIGN_NOT_FOUND',
  /** This kind of record cannot be signed with this meaning. */
  UNSUPPORTED = 'ESIGN_UNSUPPORTED',
}

export class SignatureError extends ClinLoopError<SignatureErrorCode> {
  readonly module = 'esign';
}

export enum CareTeamAdminErrorCode {
  /** No such care team, user or patient in the admin's organization (other organizations look the same). */
  NOT_FOUND = 'CARE_TEAM_NOT_FOUND',
  /** Only active clinicians can be care-team members; escalation orders are whole numbers from 1, unique in a team. */
  INVALID_MEMBER = 'CARE_TEAM_INVALID_MEMBER',
  /** The clinician or patient is already on that team. */
  ALREADY_ON_TEAM = 'CARE_TEAM_ALREADY_ON_TEAM',
  /** The clinician or patient is not on that team. */
  NOT_ON_TEAM = 'CARE_TEAM_NOT_ON_TEAM',
  /** Removing the last clinician would leave the team's patients with nobody to escalate alerts to. */
  LAST_CLINICIAN = 'CARE_TEAM_LAST_CLINICIAN',
}

export class CareTeamAdminError extends ClinLoopError<CareTeamAdminErrorCode> {
  readonly module = 'care-team';
}
