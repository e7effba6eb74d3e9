import type { AuthSettings } from '../auth-settings';

export type LockoutPolicy = Pick<AuthSettings, 'lockoutThreshold' | 'lockoutMinutes'>;

/** What one more wrong password (or one-time code) does to an account's lockout. */
export interface FailedAttempt {
  /** Failures in a row, this one included. */
  readonly failedAttempts: number;
  /** Set when this failure locks the account: until when. */
  readonly lockedUntil: Date | null;
  /** The count to store: it starts again once the account locks. */
  readonly failedSignInCount: number;
}

/**
 * One lockout count per account, shared by sign-in and the current password of a password change,
 * so a stolen session cannot guess the password at `changePassword` past the limit sign-in sets.
 */
export function countFailedAttempt(failedSignInCount: number, policy: LockoutPolicy, now: Date): FailedAttempt {
  const failedAttempts = failedSignInCount + 1;
  if (failedAttempts < policy.lockoutThreshold) return { failedAttempts, lockedUntil: null, failedSignInCount: failedAttempts };
  return { failedAttempts, lockedUntil: new Date(now.getTime() + policy.lockoutMinutes * 60_000), failedSignInCount: 0 };
}

export function isLockedOut<T extends { readonly lockedUntil: Date | null }>(credential: T, now: Date): credential is T & { readonly lockedUntil: Date } {
  return credential.lockedUntil !== null && credential.lockedUntil > now;
}
