import { describe, expect, it } from 'vitest';
import { countFailedAttempt, isLockedOut } from './lockout';

const NOW = new Date('2026-11-23T08:00:00Z');
const POLICY = { lockoutThreshold: 3, lockoutMinutes: 15 };

describe('countFailedAttempt', () => {
  it.each([
    ['the first failure counts', 0, { failedAttempts: 1, lockedUntil: null, failedSignInCount: 1 }],
    ['below the threshold nothing locks', 1, { failedAttempts: 2, lockedUntil: null, failedSignInCount: 2 }],
    ['the threshold-th failure locks for the lockout period and starts the count again', 2, { failedAttempts: 3, lockedUntil: new Date('2026-11-23T08:15:00Z'), failedSignInCount: 0 }],
    ['a count stored above the threshold (a lowered setting) locks at once', 7, { failedAttempts: 8, lockedUntil: new Date('2026-11-23T08:15:00Z'), failedSignInCount: 0 }],
  ])('%s', (_name, stored, expected) => {
    expect(countFailedAttempt(stored, POLICY, NOW)).toEqual(expected);
  });
});

describe('isLockedOut', () => {
  it.each([
    ['never locked', null, false],
    ['locked until later', new Date('2026-11-23T08:00:01Z'), true],
    ['the lock ends at its time', NOW, false],
    ['a lock that has passed', new Date('2026-11-23T07:00:00Z'), false],
  ])('%s', (_name, lockedUntil, locked) => {
    expect(isLockedOut({ lockedUntil }, NOW)).toBe(locked);
  });
});
