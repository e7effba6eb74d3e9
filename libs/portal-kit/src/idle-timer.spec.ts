import { describe, expect, it } from 'vitest';
import { idleSchedule, inputRestartsIdleClock, type IdleSchedule } from './idle-timer';

describe('idle sign-out timing', () => {
  it.each<[string, number, IdleSchedule]>([
    ['the API default, 15 minutes', 900, { warnAfterMs: 840_000, signOutAfterMs: 900_000 }],
    ['one second longer than the warning lead', 61, { warnAfterMs: 1_000, signOutAfterMs: 61_000 }],
    ['exactly the warning lead: warn at once', 60, { warnAfterMs: 0, signOutAfterMs: 60_000 }],
    ['shorter than the warning lead: warn at once', 30, { warnAfterMs: 0, signOutAfterMs: 30_000 }],
  ])('%s (%i s)', (_case, idleTimeoutSeconds, expected) => {
    expect(idleSchedule(idleTimeoutSeconds)).toEqual(expected);
  });

  const RESTARTED_AT = Date.parse('2026-01-01T12:00:00Z');
  it.each<[string, number, boolean]>([
    ['at the same moment', 0, false],
    ['a second later (typing)', 1_000, false],
    ['exactly the restart interval later', 5_000, false],
    ['just past the restart interval', 5_001, true],
    ['minutes later', 300_000, true],
  ])('input %s restarts the clock: %s', (_case, afterMs, expected) => {
    expect(inputRestartsIdleClock(RESTARTED_AT, RESTARTED_AT + afterMs)).toBe(expected);
  });
});
