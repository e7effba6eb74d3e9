import { describe, expect, it } from 'vitest';
import { ageOf, formatOffset, localInputToRfc3339, offsetMinutesAt, toLocalInput } from './local-time';

describe('local time in the patient\'s zone', () => {
  it.each([
    ['2026-01-15T08:30', 'America/New_York', '2026-01-15T08:30:00-05:00'],
    ['2026-07-15T08:30', 'America/New_York', '2026-07-15T08:30:00-04:00'],
    ['2026-07-15T08:30', 'Europe/Berlin', '2026-07-15T08:30:00+02:00'],
    ['2026-01-15T23:59', 'UTC', '2026-01-15T23:59:00Z'],
    ['2026-03-01T07:00', 'Asia/Kolkata', '2026-03-01T07:00:00+05:30'],
    // Autumn fall-back: 01:30 happens twice in New York; the first (daylight time) is taken.
    ['2026-11-01T01:30', 'America/New_York', '2026-11-01T01:30:00-04:00'],
  ])('%s in %s is %s', (local, zone, expected) => {
    expect(localInputToRfc3339(local, zone)).toBe(expected);
  });

  it.each([
    ['2026-03-08T02:30', 'America/New_York'], // spring-forward gap: that wall time does not exist
    ['2026-02-30T08:00', 'UTC'],
    ['2026-01-15 08:30', 'UTC'],
    ['', 'UTC'],
  ])('%s in %s is refused', (local, zone) => {
    expect(localInputToRfc3339(local, zone)).toBeNull();
  });

  it('round-trips an instant through the input format', () => {
    const instant = new Date('2026-07-15T06:30:00Z');
    expect(toLocalInput(instant, 'Europe/Berlin')).toBe('2026-07-15T08:30');
    expect(offsetMinutesAt(instant, 'Europe/Berlin')).toBe(120);
    expect(formatOffset(-330)).toBe('-05:30');
  });

  it.each([
    [0, 'just now'],
    [59_000, 'just now'],
    [60_000, '1 min ago'],
    [59 * 60_000, '59 min ago'],
    [60 * 60_000, '1 h ago'],
    [125 * 60_000, '2 h 5 min ago'],
    [3 * 24 * 60 * 60_000, '3 days ago'],
  ])('age of %i ms is "%s"', (ms, expected) => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(ageOf(new Date(now.getTime() - ms), now)).toBe(expected);
  });
});
