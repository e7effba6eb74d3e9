import { createHash } from 'node:crypto';
import { callGraphql } from './api-client';

/** The API's SessionTokens, as the portals keep them. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: string;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: string;
  readonly idleTimeoutSeconds: number;
  readonly mustChangePassword: boolean;
}

export interface Viewer {
  readonly id: string;
  readonly role: string;
  readonly displayName: string;
  readonly email: string;
  readonly patient: { readonly id: string; readonly givenName: string; readonly familyName: string; readonly timeZone: string } | null;
}

export interface SignInCredentials {
  readonly organization: string;
  readonly email: string;
  readonly password: string;
  readonly totpCode?: string | null;
}

const TOKEN_FIELDS = 'accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt idleTimeoutSeconds mustChangePassword';

export async function signInToApi(apiUrl: string, credentials: SignInCredentials, forwardedFor: string | null): Promise<SessionTokens> {
  const data = await callGraphql<{ signIn: SessionTokens }>({
    apiUrl,
    query: `mutation PortalSignIn($input: SignInInput!) { signIn(input: $input) { ${TOKEN_FIELDS} } }`,
    variables: { input: { ...credentials, totpCode: credentials.totpCode ?? null } },
    forwardedFor,
  });
  return data.signIn;
}

export async function fetchViewer(apiUrl: string, accessToken: string): Promise<Viewer> {
  const data = await callGraphql<{ me: Viewer }>({
    apiUrl,
    query: '{ me { id role displayName email patient { id givenName familyName timeZone } } }',
    accessToken,
  });
  return data.me;
}

/** Ends the session at the API: its access and refresh tokens stop working. */
export async function signOutOfApi(apiUrl: string, accessToken: string): Promise<void> {
  await callGraphql<{ signOut: boolean }>({ apiUrl, query: 'mutation PortalSignOut { signOut }', accessToken });
}

/**
 * Changes the signed-in user's password. The API keeps this session and ends their others; it answers
 * `true` or a coded error (wrong current password, a new password its policy refuses, an ended session).
 */
export async function changePasswordAtApi(apiUrl: string, accessToken: string, currentPassword: string, newPassword: string): Promise<void> {
  await callGraphql<{ changePassword: boolean }>({
    apiUrl,
    query: 'mutation PortalChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) }',
    variables: { input: { currentPassword, newPassword } },
    accessToken,
  });
}

async function rotate(apiUrl: string, refreshToken: string): Promise<SessionTokens> {
  const data = await callGraphql<{ refreshSession: SessionTokens }>({
    apiUrl,
    query: `mutation PortalRefresh($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { ${TOKEN_FIELDS} } }`,
    variables: { refreshToken },
  });
  return data.refreshSession;
}

/**
 * How long a rotation's outcome is handed to other requests that present the same (now used) refresh
 * token: a page and its Server Action, or two tabs, often arrive together. Without this the second
 * would present a used token, which the API rightly treats as theft and ends the whole session.
 */
const SHARED_ROTATION_MS = 15_000;

interface Rotation {
  readonly result: Promise<SessionTokens>;
  readonly startedAt: number;
}

/** Per portal process; a portal scaled to several processes needs sticky sessions for the same guarantee. */
const rotations = new Map<string, Rotation>();

/** Trades the refresh token for new tokens once, however many concurrent requests ask. */
export function refreshSessionOnce(apiUrl: string, refreshToken: string, now: number = Date.now()): Promise<SessionTokens> {
  for (const [key, rotation] of rotations) if (now - rotation.startedAt > SHARED_ROTATION_MS) rotations.delete(key);
  const key = createHash('sha256').update(refreshToken).digest('base64url');
  const existing = rotations.get(key);
  if (existing) return existing.result;
  const result = rotate(apiUrl, refreshToken);
  rotations.set(key, { result, startedAt: now });
  // A failure is not shared: the next request may try again (the API decides whether the token still works).
  result.catch(() => rotations.delete(key));
  return result;
}
