import { AuthError, AuthErrorCode } from '../errors';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** A few of the most common passwords of at least the minimum length (NIST SP 800-63B 5.1.1.2 blocklist). */
const BLOCKLIST = new Set([
  'password1234',
  'password12345',
  '123456789012',
  'qwertyuiop12',
  'iloveyou1234',
  'letmein12345',
  'administrator',
  'welcome12345',
  'changeme1234',
]);

/**
 * NIST SP 800-63B: length over composition rules - at least 12 characters, at most 256, not a
 * well-known password, not the user's own e-mail or name.
 */
export function assertAcceptablePassword(password: string, user: { email: string; displayName: string }): void {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (BLOCKLIST.has(lower)) problems.push('not a commonly used password');
  const localPart = user.email.split('@')[0]?.toLowerCase() ?? '';
  if ((localPart.length >= 4 && lower.includes(localPart)) || lower === user.displayName.toLowerCase()) {
    problems.push('not containing your e-mail or name');
  }
  if (problems.length > 0) {
    throw new AuthError(AuthErrorCode.WEAK_PASSWORD, `The password must be ${problems.join(', ')}.`);
  }
}
