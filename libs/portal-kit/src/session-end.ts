/**
 * Why a session ended, carried to the sign-in page as `?ended=<why>` so it can say so. Apart from the
 * cookies on purpose: the browser's idle sign-out builds the same address, and session-cookies.ts uses
 * Node's Buffer, which would pull a Buffer polyfill into the browser bundle.
 */

export type SessionEndReason = 'idle' | 'signed-out' | 'session';

export const SESSION_END_REASONS: readonly SessionEndReason[] = ['idle', 'signed-out', 'session'];

export function sessionEndReasonOf(value: string | null | undefined): SessionEndReason | null {
  return SESSION_END_REASONS.find((reason) => reason === value) ?? null;
}

/** The sign-in page that explains why the session ended. */
export function sessionEndedPath(signInPath: string, reason: SessionEndReason): string {
  return `${signInPath}?ended=${reason}`;
}
