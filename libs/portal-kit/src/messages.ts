/**
 * What a person reads when the API refuses something. The API's coded errors (`extensions.errorCode`)
 * pick the message; a stack trace or an internal message never reaches the page.
 */

/** A failed call to the API, reduced to what the portals need. */
export interface ApiProblem {
  /** `api`: the API answered with an error; `unreachable`/`timeout`: no answer; `malformed`: an answer we cannot read. */
  readonly kind: 'api' | 'unreachable' | 'timeout' | 'malformed';
  /** GraphQL `extensions.code` (e.g. UNAUTHENTICATED, BAD_USER_INPUT). */
  readonly code: string | null;
  /** ClinLoop's own code (e.g. AUTH_ACCOUNT_LOCKED). */
  readonly errorCode: string | null;
  /** The API's message; shown only when the code says it is meant for the caller. */
  readonly message: string;
  readonly requestId: string | null;
}

/** Codes whose API message is written for the person at the keyboard (input errors, conflicts). */
const CALLER_FACING_CODES = new Set(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND', 'FORBIDDEN']);

export type SignInAudience = 'patient' | 'staff';

/** The message for a refused sign-in. The API deliberately does not say which of e-mail, password or code was wrong. */
export function signInMessage(problem: ApiProblem, audience: SignInAudience): string {
  switch (problem.errorCode) {
    case 'AUTH_INVALID_CREDENTIALS':
      return audience === 'staff'
        ? 'The clinic code, e-mail, password or 6-digit code is not correct. Codes change every 30 seconds: enter the one your authenticator app shows now.'
        : 'The clinic code, e-mail or password is not correct. Check them and try again.';
    case 'AUTH_ACCOUNT_LOCKED':
      return audience === 'staff'
        ? 'Your account is locked after too many failed sign-ins. Try again later, or ask an administrator to unlock it.'
        : 'Your account is locked after too many failed sign-ins. Try again later, or contact your care team to unlock it.';
    case 'AUTH_MFA_REQUIRED':
    case 'AUTH_MFA_NOT_ENROLLED':
      // Only staff accounts need a second factor, and the patient portal never asks for one.
      if (audience === 'patient') return 'This portal is for patients. Care-team staff sign in at the ClinLoop clinician portal.';
      return problem.errorCode === 'AUTH_MFA_REQUIRED'
        ? 'Enter the 6-digit code from your authenticator app.'
        : 'Your account has no authenticator app set up yet. Ask an administrator to set one up for you.';
    case 'RATE_LIMITED':
      return 'Too many attempts in a short time. Wait a minute, then try again.';
    default:
      return generalMessage(problem);
  }
}

/** The message for any other refused or failed request. */
export function generalMessage(problem: ApiProblem): string {
  if (problem.kind === 'unreachable') return 'ClinLoop cannot be reached right now. Check your connection and try again in a moment.';
  if (problem.kind === 'timeout') return 'ClinLoop did not answer in time. Try again in a moment.';
  if (problem.errorCode === 'RATE_LIMITED') return 'Too many requests in a short time. Wait a minute, then try again.';
  if (problem.kind === 'api' && problem.code !== null && CALLER_FACING_CODES.has(problem.code) && problem.message.trim() !== '') return problem.message;
  const reference = problem.requestId ? ` (reference ${problem.requestId})` : '';
  return `Something went wrong on our side${reference}. Please try again; if it keeps happening, contact support.`;
}

/** Whether the problem means the session is over and the person must sign in again. */
export function endsSession(problem: ApiProblem): boolean {
  return problem.kind === 'api' && problem.code === 'UNAUTHENTICATED';
}

/** What the sign-in page says about how the last session ended. */
export function sessionEndedMessage(reason: 'idle' | 'signed-out' | 'session'): string {
  switch (reason) {
    case 'idle':
      return 'You were signed out after a period of inactivity, to protect your health information. Sign in again to continue.';
    case 'signed-out':
      return 'You have signed out.';
    case 'session':
      return 'Your session has ended (it expired or was signed out elsewhere). Sign in again to continue.';
  }
}
