import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortalProxy } from './portal-proxy';
import { cookieNamesFor, decodeMeta, encodeMeta, type PortalIdentity, type SessionMeta } from './session-cookies';

/**
 * The proxy's answer to a request, for sessions it can keep without asking the API (the API address is
 * not set here, so nothing is refreshed or revoked): where a password that must change sends the person.
 */

const PORTAL: PortalIdentity = { cookiePrefix: 'clinloop_test', signInPath: '/sign-in', allowedRoles: ['PATIENT'], changePasswordPath: '/change-password' };
const NAMES = cookieNamesFor(PORTAL);
const proxy = createPortalProxy(PORTAL);

const liveMeta = (mustChangePassword: boolean): SessionMeta => {
  const now = Date.now();
  return { accessTokenExpiresAt: now + 10 * 60_000, idleTimeoutSeconds: 900, lastActivityAt: now - 60_000, sessionExpiresAt: now + 3_600_000, role: 'PATIENT', mustChangePassword };
};

function request(path: string, meta: SessionMeta | null): NextRequest {
  const cookie = meta ? `${NAMES.accessToken}=at; ${NAMES.refreshToken}=rt; ${NAMES.meta}=${encodeMeta(meta)}` : '';
  return new NextRequest(`http://127.0.0.1:3000${path}`, { headers: cookie ? { cookie } : {} });
}

describe('the proxy and a password that must change', () => {
  const apiUrl = process.env['NEXT_PUBLIC_API_URL'];
  beforeAll(() => {
    delete process.env['NEXT_PUBLIC_API_URL'];
  });
  afterAll(() => {
    if (apiUrl !== undefined) process.env['NEXT_PUBLIC_API_URL'] = apiUrl;
  });

  it.each<[string, string, SessionMeta | null, string | null]>([
    ['must change: the home page goes to the change-password page', '/', liveMeta(true), '/change-password'],
    ['must change: any other page too', '/system', liveMeta(true), '/change-password'],
    ['must change: the sign-in page too (the person is signed in)', '/sign-in', liveMeta(true), '/change-password'],
    ['must change: the change-password page itself is served', '/change-password', liveMeta(true), null],
    ['no change needed: the home page is served', '/', liveMeta(false), null],
    ['no change needed: the change-password page is served (changing by choice)', '/change-password', liveMeta(false), null],
    ['signed out: the home page is served', '/', null, null],
    // The session is being ended (signed out): the sign-in page says so, and nothing holds the person back.
    ['must change, but signing out: the sign-in page with its reason is served', '/sign-in?ended=signed-out', liveMeta(true), null],
  ])('%s', async (_case, path, meta, redirectedTo) => {
    const response = await proxy(request(path, meta));
    const location = response.headers.get('location');
    expect(location === null ? null : new URL(location).pathname).toBe(redirectedTo);
    if (redirectedTo !== null) expect(response.status).toBe(303);
    expect(response.headers.get('content-security-policy')).toContain('nonce-');
  });

  it('records the activity on the redirect, so the idle timeout counts from this request', async () => {
    const before = Date.now();
    const response = await proxy(request('/', liveMeta(true)));
    const meta = decodeMeta(response.cookies.get(NAMES.meta)?.value);
    expect(meta?.mustChangePassword).toBe(true);
    expect(meta?.lastActivityAt).toBeGreaterThanOrEqual(before);
    expect(response.cookies.get(NAMES.meta)).toMatchObject({ httpOnly: true, sameSite: 'strict', path: '/' });
  });
});
