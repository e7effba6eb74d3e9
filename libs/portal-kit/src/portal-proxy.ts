import { NextResponse, type NextRequest } from 'next/server';
import { problemOf } from './api-client';
import { apiBaseUrl } from './runtime-env';
import { contentSecurityPolicy } from './security-headers';
import { refreshSessionOnce, signOutOfApi, type SessionTokens } from './session-api';
import {
  allCookieNames,
  cookieNamesFor,
  decodeMeta,
  encodeMeta,
  metaFor,
  mustChangePasswordFirst,
  servedOverHttps,
  sessionCookieOptions,
  sessionUpkeep,
  type PortalIdentity,
  type SessionCookieNames,
  type SessionMeta,
} from './session-cookies';
import { sessionEndReasonOf, type SessionEndReason } from './session-end';

/**
 * The proxy both portals run before every page and Server Action:
 * - a per-request Content-Security-Policy with a fresh script nonce (Next.js applies it to its scripts);
 * - session upkeep: a session idle for longer than the API's idle timeout ends (the sign-in page says
 *   so); an access token about to expire is traded for new tokens with the refresh token (rotation:
 *   both cookies replaced, and the request that triggered it already sees the new ones); otherwise the
 *   activity is recorded;
 * - a password that must change (the API issued it, e.g. an administrator's temporary password): every
 *   page but the change-password page sends the person there, until they have chosen their own.
 * The API stays the authority: every page still presents the token and handles a refusal.
 */
export function createPortalProxy(portal: PortalIdentity): (request: NextRequest) => Promise<NextResponse> {
  const names = cookieNamesFor(portal);

  return async function portalProxy(request: NextRequest): Promise<NextResponse> {
    const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
    const api = apiBaseUrl();
    const policy = contentSecurityPolicy({ nonce, apiOrigin: api?.origin ?? null, development: process.env.NODE_ENV === 'development' });
    const secure = servedOverHttps(request.nextUrl.protocol, request.headers.get('x-forwarded-proto'));
    const now = Date.now();

    const accessToken = request.cookies.get(names.accessToken)?.value;
    const refreshToken = request.cookies.get(names.refreshToken)?.value;
    const meta = decodeMeta(request.cookies.get(names.meta)?.value);
    const hasSession = accessToken !== undefined || refreshToken !== undefined || meta !== null;

    const onSignInPage = request.nextUrl.pathname === portal.signInPath;
    const ended = onSignInPage ? sessionEndReasonOf(request.nextUrl.searchParams.get('ended')) : null;

    let tokens: SessionTokens | null = null;
    let endReason: SessionEndReason | null = ended;
    let touched: SessionMeta | null = null;
    if (hasSession && endReason === null) {
      if (accessToken === undefined || refreshToken === undefined || meta === null) endReason = 'session';
      else {
        const upkeep = sessionUpkeep(meta, now);
        if (upkeep === 'idle') endReason = 'idle';
        else if (upkeep === 'refresh' && api) {
          try {
            tokens = await refreshSessionOnce(api.url, refreshToken, now);
          } catch (error) {
            // No answer: the page tries with what it has and reports the outage; a refusal ends the session.
            if (problemOf(error).kind === 'api') endReason = 'session';
          }
        } else touched = { ...meta, lastActivityAt: now };
      }
    }

    if (endReason !== null && hasSession) {
      // Revoke at the API too; an idle or ended session refuses, which is fine.
      if (api && accessToken && endReason !== 'session') await signOutOfApi(api.url, accessToken).catch(() => undefined);
      for (const name of allCookieNames(names)) request.cookies.delete(name);
      if (!onSignInPage || ended === null) {
        const target = new URL(portal.signInPath, request.url);
        target.searchParams.set('ended', endReason);
        const redirect = NextResponse.redirect(target, 303);
        clearCookies(redirect, names, secure);
        redirect.headers.set('Content-Security-Policy', policy);
        return redirect;
      }
    }

    const metaAfter: SessionMeta | null = tokens && meta ? metaFor(tokens, meta.role, now) : touched;
    if (tokens) {
      request.cookies.set(names.accessToken, tokens.accessToken);
      request.cookies.set(names.refreshToken, tokens.refreshToken);
    }
    if (metaAfter) request.cookies.set(names.meta, encodeMeta(metaAfter));

    const liveMeta = hasSession && endReason === null ? (metaAfter ?? meta) : null;
    if (liveMeta && mustChangePasswordFirst(liveMeta, request.nextUrl.pathname, portal.changePasswordPath)) {
      const redirect = NextResponse.redirect(new URL(portal.changePasswordPath, request.url), 303);
      redirect.headers.set('Content-Security-Policy', policy);
      // A rotation above used the old refresh token: the new tokens must reach the browser with the redirect.
      setSessionCookies(redirect, names, secure, tokens, metaAfter);
      return redirect;
    }

    const requestHeaders = new Headers(request.headers);
    requestHeaders.set('x-nonce', nonce);
    requestHeaders.set('Content-Security-Policy', policy);
    const response = NextResponse.next({ request: { headers: requestHeaders } });
    response.headers.set('Content-Security-Policy', policy);
    if (endReason !== null && hasSession) clearCookies(response, names, secure);
    setSessionCookies(response, names, secure, tokens, metaAfter);
    return response;
  };
}

function setSessionCookies(response: NextResponse, names: SessionCookieNames, secure: boolean, tokens: SessionTokens | null, meta: SessionMeta | null): void {
  if (!meta) return;
  const options = sessionCookieOptions(secure, new Date(meta.sessionExpiresAt));
  if (tokens) {
    response.cookies.set(names.accessToken, tokens.accessToken, options);
    response.cookies.set(names.refreshToken, tokens.refreshToken, options);
  }
  response.cookies.set(names.meta, encodeMeta(meta), options);
}

function clearCookies(response: NextResponse, names: SessionCookieNames, secure: boolean): void {
  for (const name of allCookieNames(names)) response.cookies.set(name, '', { ...sessionCookieOptions(secure, new Date(0)), maxAge: 0 });
}
