/**
 * The session cookies of one portal: the API's access token, its one-use refresh token, and what the
 * portal needs to know without asking the API (when the access token expires, the idle timeout, the
 * last activity, the role). All three are httpOnly and SameSite=Strict - no script ever reads a token -
 * and Secure when the portal is served over https.
 *
 * Each portal has its own cookie names: browsers do not separate cookies by port, and both portals run
 * on one host in development (127.0.0.1:3000 and :3001).
 */

export interface PortalIdentity {
  /** Prefix of this portal's cookie names, e.g. `clinloop_patient`. */
  readonly cookiePrefix: string;
  /** Where people sign in; the proxy sends ended sessions there with `?ended=<why>`. */
  readonly signInPath: string;
  /** The API roles this portal is for (e.g. PATIENT); anyone else is signed out again at once. */
  readonly allowedRoles: readonly string[];
  /**
   * Where people choose a new password. While the API says the password must change (an administrator
   * issued it), the proxy sends every other page here.
   */
  readonly changePasswordPath: string;
}

export interface SessionMeta {
  /** Epoch milliseconds. */
  readonly accessTokenExpiresAt: number;
  readonly idleTimeoutSeconds: number;
  /** Epoch milliseconds of the last request this portal served for the session. */
  readonly lastActivityAt: number;
  /** Epoch milliseconds: the refresh token's (and so the session's) expiry; the cookies expire with it. */
  readonly sessionExpiresAt: number;
  readonly role: string;
  /** The API's `mustChangePassword` at sign-in or the last refresh, cleared by a password change here. */
  readonly mustChangePassword: boolean;
}

export interface SessionCookieNames {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly meta: string;
}

export function cookieNamesFor(portal: PortalIdentity): SessionCookieNames {
  return {
    accessToken: `${portal.cookiePrefix}_at`,
    refreshToken: `${portal.cookiePrefix}_rt`,
    meta: `${portal.cookiePrefix}_meta`,
  };
}

export function allCookieNames(names: SessionCookieNames): string[] {
  return [names.accessToken, names.refreshToken, names.meta];
}

export interface SessionCookieOptions {
  readonly httpOnly: true;
  readonly sameSite: 'strict';
  readonly secure: boolean;
  readonly path: '/';
  readonly expires: Date;
}

/** Cookie attributes for a session that lasts until `expires` (the refresh token's expiry). */
export function sessionCookieOptions(secure: boolean, expires: Date): SessionCookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure, path: '/', expires };
}

/** Whether the request reached the portal over https (directly or through a TLS-terminating proxy). */
export function servedOverHttps(protocol: string | null | undefined, forwardedProto: string | null | undefined): boolean {
  if (protocol === 'https:' || protocol === 'https') return true;
  return (forwardedProto ?? '').split(',')[0]?.trim().toLowerCase() === 'https';
}

export function encodeMeta(meta: SessionMeta): string {
  return Buffer.from(JSON.stringify(meta), 'utf8').toString('base64url');
}

export function decodeMeta(value: string | undefined): SessionMeta | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const record = parsed as Record<string, unknown>;
    const { accessTokenExpiresAt, idleTimeoutSeconds, lastActivityAt, sessionExpiresAt, role, mustChangePassword } = record;
    const numbers = [accessTokenExpiresAt, idleTimeoutSeconds, lastActivityAt, sessionExpiresAt];
    if (!numbers.every((value) => typeof value === 'number' && Number.isFinite(value)) || typeof role !== 'string') return null;
    // A cookie written before the flag existed has none: the next refresh brings the API's value.
    const passwordFlag = mustChangePassword ?? false;
    if (typeof passwordFlag !== 'boolean') return null;
    return {
      accessTokenExpiresAt: accessTokenExpiresAt as number,
      idleTimeoutSeconds: idleTimeoutSeconds as number,
      lastActivityAt: lastActivityAt as number,
      sessionExpiresAt: sessionExpiresAt as number,
      role,
      mustChangePassword: passwordFlag,
    };
  } catch {
    return null;
  }
}

/** Refresh this long before the access token expires, so a page render never starts with a dying token. */
export const REFRESH_AHEAD_MS = 60_000;

/** What the proxy must do with a live session before the request goes on. */
export type SessionUpkeep = 'idle' | 'refresh' | 'touch';

/**
 * Pure decision for the proxy. `idle`: nothing was served for the session within the API's idle
 * timeout, so it has ended (the API ends it on the same rule); `refresh`: the access token is about to
 * expire; `touch`: record the activity.
 */
export function sessionUpkeep(meta: SessionMeta, now: number): SessionUpkeep {
  if (now - meta.lastActivityAt > meta.idleTimeoutSeconds * 1000) return 'idle';
  if (meta.accessTokenExpiresAt - now <= REFRESH_AHEAD_MS) return 'refresh';
  return 'touch';
}

/**
 * Whether the proxy sends this request to the change-password page instead: the API says the password
 * must change, and the request is for any other page (sign-in included; signing out is a Server Action
 * posted to the page it is on, so it still works from the change-password page).
 */
export function mustChangePasswordFirst(meta: SessionMeta, pathname: string, changePasswordPath: string): boolean {
  return meta.mustChangePassword && pathname !== changePasswordPath;
}

/** The meta cookie for freshly issued tokens. */
export function metaFor(
  tokens: {
    readonly accessTokenExpiresAt: string;
    readonly refreshTokenExpiresAt: string;
    readonly idleTimeoutSeconds: number;
    readonly mustChangePassword: boolean;
  },
  role: string,
  now: number,
): SessionMeta {
  return {
    accessTokenExpiresAt: Date.parse(tokens.accessTokenExpiresAt),
    idleTimeoutSeconds: tokens.idleTimeoutSeconds,
    lastActivityAt: now,
    sessionExpiresAt: Date.parse(tokens.refreshTokenExpiresAt),
    role,
    mustChangePassword: tokens.mustChangePassword,
  };
}
