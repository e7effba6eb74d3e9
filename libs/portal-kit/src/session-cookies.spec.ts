import { describe, expect, it } from 'vitest';
import { allCookieNames, cookieNamesFor, decodeMeta, encodeMeta, metaFor, REFRESH_AHEAD_MS, servedOverHttps, sessionCookieOptions, sessionUpkeep, type SessionMeta } from './session-cookies';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const meta = (overrides: Partial<SessionMeta> = {}): SessionMeta => ({
  accessTokenExpiresAt: NOW + 10 * 60_000,
  idleTimeoutSeconds: 900,
  lastActivityAt: NOW - 60_000,
  sessionExpiresAt: NOW + 12 * 3_600_000,
  role: 'PATIENT',
  ...overrides,
});

describe('session cookies', () => {
  it('are httpOnly, SameSite=Strict, path /, Secure only over https', () => {
    const expires = new Date(NOW);
    expect(sessionCookieOptions(false, expires)).toEqual({ httpOnly: true, sameSite: 'strict', secure: false, path: '/', expires });
    expect(sessionCookieOptions(true, expires).secure).toBe(true);
  });

  it.each([
    ['https:', null, true],
    ['http:', 'https', true],
    ['http:', 'https, http', true],
    ['http:', 'http', false],
    ['http:', null, false],
    [null, null, false],
  ])('protocol %s, x-forwarded-proto %s -> https %s', (protocol, forwarded, expected) => {
    expect(servedOverHttps(protocol, forwarded)).toBe(expected);
  });

  it('name each portal\'s cookies apart (browsers share cookies across ports)', () => {
    const patient = cookieNamesFor({ cookiePrefix: 'clinloop_patient', signInPath: '/sign-in', allowedRoles: ['PATIENT'] });
    const clinician = cookieNamesFor({ cookiePrefix: 'clinloop_clinician', signInPath: '/sign-in', allowedRoles: ['CLINICIAN'] });
    const all = [...allCookieNames(patient), ...allCookieNames(clinician)];
    expect(new Set(all).size).toBe(6);
  });

  it('round-trip the meta cookie and refuse anything else', () => {
    expect(decodeMeta(encodeMeta(meta()))).toEqual(meta());
    expect(decodeMeta(undefined)).toBeNull();
    expect(decodeMeta('not base64 json')).toBeNull();
    expect(decodeMeta(Buffer.from(JSON.stringify({ ...meta(), role: 7 })).toString('base64url'))).toBeNull();
    expect(decodeMeta(Buffer.from(JSON.stringify({ ...meta(), lastActivityAt: 'yesterday' })).toString('base64url'))).toBeNull();
  });

  it('build the meta from the API\'s tokens', () => {
    expect(metaFor({ accessTokenExpiresAt: '2026-01-01T12:15:00Z', refreshTokenExpiresAt: '2026-01-02T00:00:00Z', idleTimeoutSeconds: 900 }, 'CLINICIAN', NOW)).toEqual({
      accessTokenExpiresAt: Date.parse('2026-01-01T12:15:00Z'),
      idleTimeoutSeconds: 900,
      lastActivityAt: NOW,
      sessionExpiresAt: Date.parse('2026-01-02T00:00:00Z'),
      role: 'CLINICIAN',
    });
  });

  it.each([
    ['active, token fresh', meta(), 'touch'],
    ['idle exactly the timeout', meta({ lastActivityAt: NOW - 900_000 }), 'touch'],
    ['idle one second longer than the timeout', meta({ lastActivityAt: NOW - 901_000 }), 'idle'],
    ['idle wins over an expiring token', meta({ lastActivityAt: NOW - 901_000, accessTokenExpiresAt: NOW - 1 }), 'idle'],
    ['token expires within the refresh margin', meta({ accessTokenExpiresAt: NOW + REFRESH_AHEAD_MS }), 'refresh'],
    ['token just outside the refresh margin', meta({ accessTokenExpiresAt: NOW + REFRESH_AHEAD_MS + 1 }), 'touch'],
    ['token already expired', meta({ accessTokenExpiresAt: NOW - 5_000 }), 'refresh'],
  ])('upkeep: %s -> %s', (_case, value, expected) => {
    expect(sessionUpkeep(value, NOW)).toBe(expected);
  });
});
