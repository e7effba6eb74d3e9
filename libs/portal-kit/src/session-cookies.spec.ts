import { describe, expect, it } from 'vitest';
import { allCookieNames, cookieNamesFor, decodeMeta, encodeMeta, metaFor, mustChangePasswordFirst, REFRESH_AHEAD_MS, servedOverHttps, sessionCookieOptions, sessionUpkeep, type SessionMeta } from './session-cookies';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const meta = (overrides: Partial<SessionMeta> = {}): SessionMeta => ({
  accessTokenExpiresAt: NOW + 10 * 60_000,
  idleTimeoutSeconds: 900,
  lastActivityAt: NOW - 60_000,
  sessionExpiresAt: NOW + 12 * 3_600_000,
  role: 'PATIENT',
  mustChangePassword: false,
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
    const patient = cookieNamesFor({ cookiePrefix: 'clinloop_patient', signInPath: '/sign-in', allowedRoles: ['PATIENT'], changePasswordPath: '/change-password' });
    const clinician = cookieNamesFor({ cookiePrefix: 'clinloop_clinician', signInPath: '/sign-in', allowedRoles: ['CLINICIAN'], changePasswordPath: '/change-password' });
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

  it.each<[string, Record<string, unknown>, SessionMeta | null]>([
    ['set', { ...meta(), mustChangePassword: true }, meta({ mustChangePassword: true })],
    ['cleared', { ...meta(), mustChangePassword: false }, meta()],
    ['absent (a cookie from before the flag): not set until the next refresh says so', (({ mustChangePassword: _flag, ...rest }) => rest)(meta()), meta()],
    ['not a boolean: the cookie is refused', { ...meta(), mustChangePassword: 'yes' }, null],
  ])('read the must-change-password flag: %s', (_case, stored, expected) => {
    expect(decodeMeta(Buffer.from(JSON.stringify(stored)).toString('base64url'))).toEqual(expected);
  });

  it('build the meta from the API\'s tokens', () => {
    expect(metaFor({ accessTokenExpiresAt: '2026-01-01T12:15:00Z', refreshTokenExpiresAt: '2026-01-02T00:00:00Z', idleTimeoutSeconds: 900, mustChangePassword: true }, 'CLINICIAN', NOW)).toEqual({
      accessTokenExpiresAt: Date.parse('2026-01-01T12:15:00Z'),
      idleTimeoutSeconds: 900,
      lastActivityAt: NOW,
      sessionExpiresAt: Date.parse('2026-01-02T00:00:00Z'),
      role: 'CLINICIAN',
      mustChangePassword: true,
    });
  });

  it.each<[string, boolean, string, boolean]>([
    ['must change, home page', true, '/', true],
    ['must change, another page', true, '/system', true],
    ['must change, the sign-in page', true, '/sign-in', true],
    ['must change, the change-password page itself', true, '/change-password', false],
    ['must change, a page below it is another page', true, '/change-password/x', true],
    ['no change needed, home page', false, '/', false],
    ['no change needed, the change-password page (changing by choice)', false, '/change-password', false],
  ])('change-password first: %s', (_case, mustChangePassword, pathname, expected) => {
    expect(mustChangePasswordFirst(meta({ mustChangePassword }), pathname, '/change-password')).toBe(expected);
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
