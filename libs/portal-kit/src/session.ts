import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { ApiCallError, callGraphql, problemOf } from './api-client';
import { endsSession, signInMessage, type SignInAudience } from './messages';
import { apiBaseUrl } from './runtime-env';
import { passwordChangeRefusal, PASSWORD_CHANGED_HOME, readPasswordChangeForm, type PasswordChangeState, type PasswordChangeWording } from './password-change';
import { changePasswordAtApi, fetchViewer, signInToApi, signOutOfApi, type SignInCredentials } from './session-api';
import { allCookieNames, cookieNamesFor, decodeMeta, encodeMeta, metaFor, servedOverHttps, sessionCookieOptions, type PortalIdentity, type SessionMeta } from './session-cookies';
import { sessionEndedPath, sessionEndReasonOf, type SessionEndReason } from './session-end';
import { readSignInForm, type SignInRules, type SignInState } from './sign-in-input';

export type { PortalIdentity, SessionMeta } from './session-cookies';
export type { SessionEndReason } from './session-end';
export type { Viewer } from './session-api';
export type { SignInRules, SignInState } from './sign-in-input';
export type { PasswordChangeState, PasswordChangeWording } from './password-change';

/**
 * Session handling for Server Components and Server Actions. Only Server Actions (and the proxy) may
 * write cookies, so signing in and out live here as functions those actions call.
 */

export interface PortalSession {
  readonly accessToken: string;
  readonly meta: SessionMeta;
}

export type SignInOutcome = { readonly ok: true; readonly mustChangePassword: boolean } | { readonly ok: false; readonly message: string };

function requireApiUrl(): string {
  const api = apiBaseUrl();
  if (!api) throw new ApiCallError({ kind: 'unreachable', code: null, errorCode: null, message: 'NEXT_PUBLIC_API_URL is not set.', requestId: null });
  return api.url;
}

/** The session the proxy let through, or null when signed out. */
export async function currentSession(portal: PortalIdentity): Promise<PortalSession | null> {
  const jar = await cookies();
  const names = cookieNamesFor(portal);
  const accessToken = jar.get(names.accessToken)?.value;
  const meta = decodeMeta(jar.get(names.meta)?.value);
  if (!accessToken || !meta || !jar.get(names.refreshToken)?.value) return null;
  return { accessToken, meta };
}

export function sessionEndedRedirect(portal: PortalIdentity, reason: SessionEndReason): never {
  redirect(sessionEndedPath(portal.signInPath, reason));
}

/** The signed-in session, or a redirect to the sign-in page. */
export async function requireSession(portal: PortalIdentity): Promise<PortalSession> {
  const session = await currentSession(portal);
  if (!session) redirect(portal.signInPath);
  return session;
}

/**
 * One GraphQL operation as the signed-in user. A refusal that means the session is over (signed out
 * elsewhere, timed out, revoked) sends the person to sign in again.
 * @throws ApiCallError for any other failure
 */
export async function callAsUser<T>(portal: PortalIdentity, session: PortalSession, query: string, variables: Readonly<Record<string, unknown>> = {}): Promise<T> {
  try {
    return await callGraphql<T>({ apiUrl: requireApiUrl(), query, variables, accessToken: session.accessToken });
  } catch (error) {
    if (error instanceof ApiCallError && endsSession(error.problem)) sessionEndedRedirect(portal, 'session');
    throw error;
  }
}

async function isHttps(): Promise<boolean> {
  const incoming = await headers();
  return servedOverHttps(null, incoming.get('x-forwarded-proto'));
}

/**
 * Signs in at the API and keeps the tokens in this portal's httpOnly cookies. Someone whose role this
 * portal is not for is signed out again at once and told where to go.
 */
export async function signIn(portal: PortalIdentity, credentials: SignInCredentials, audience: SignInAudience, wrongPortalMessage: string): Promise<SignInOutcome> {
  const forwardedFor = (await headers()).get('x-forwarded-for');
  let apiUrl: string;
  try {
    apiUrl = requireApiUrl();
    const tokens = await signInToApi(apiUrl, credentials, forwardedFor);
    const viewer = await fetchViewer(apiUrl, tokens.accessToken);
    if (!portal.allowedRoles.includes(viewer.role)) {
      await signOutOfApi(apiUrl, tokens.accessToken).catch(() => undefined);
      return { ok: false, message: wrongPortalMessage };
    }
    const jar = await cookies();
    const names = cookieNamesFor(portal);
    const meta = metaFor(tokens, viewer.role, Date.now());
    const options = sessionCookieOptions(await isHttps(), new Date(meta.sessionExpiresAt));
    jar.set(names.accessToken, tokens.accessToken, options);
    jar.set(names.refreshToken, tokens.refreshToken, options);
    jar.set(names.meta, encodeMeta(meta), options);
    return { ok: true, mustChangePassword: tokens.mustChangePassword };
  } catch (error) {
    return { ok: false, message: signInMessage(problemOf(error), audience) };
  }
}

/** Ends the session at the API (its tokens stop working) and removes this portal's cookies. */
export async function signOut(portal: PortalIdentity): Promise<void> {
  const session = await currentSession(portal);
  const api = apiBaseUrl();
  if (session && api) await signOutOfApi(api.url, session.accessToken).catch(() => undefined);
  const jar = await cookies();
  const expired = { ...sessionCookieOptions(await isHttps(), new Date(0)), maxAge: 0 };
  for (const name of allCookieNames(cookieNamesFor(portal))) jar.set(name, '', expired);
}

/**
 * What the sign-in form's Server Action does with this portal's rules: a refusal comes back to the
 * form with its message; a signed-in person goes to the portal's home page, or first to choose their
 * own password when the API says it must change.
 */
export async function signInWithForm(portal: PortalIdentity, form: FormData, rules: SignInRules): Promise<SignInState> {
  const input = readSignInForm(form, rules);
  if (!input.ok) return input.state;
  const { organization, email } = input.credentials;
  const outcome = await signIn(portal, input.credentials, rules.audience, rules.wrongPortalMessage);
  if (!outcome.ok) return { message: outcome.message, organization, email };
  redirect(outcome.mustChangePassword ? portal.changePasswordPath : '/');
}

/**
 * What the change-password form's Server Action does with this portal's wording. A refusal comes back
 * to the form with its message; a session that is over goes to sign in again (which says so). On
 * success the API has kept this session (and ended the person's others), so it goes on, no longer held
 * to the change-password page, and lands on the home page, which confirms the change.
 */
export async function changePasswordWithForm(portal: PortalIdentity, form: FormData, wording: PasswordChangeWording): Promise<PasswordChangeState> {
  const input = readPasswordChangeForm(form, wording);
  if (!input.ok) return input.state;
  const session = await currentSession(portal);
  if (!session) sessionEndedRedirect(portal, 'session');
  try {
    await changePasswordAtApi(requireApiUrl(), session.accessToken, input.currentPassword, input.newPassword);
  } catch (error) {
    const refusal = passwordChangeRefusal(problemOf(error), wording);
    if (refusal.sessionEnded) sessionEndedRedirect(portal, 'session');
    return refusal.state;
  }
  const jar = await cookies();
  const options = sessionCookieOptions(await isHttps(), new Date(session.meta.sessionExpiresAt));
  jar.set(cookieNamesFor(portal).meta, encodeMeta({ ...session.meta, mustChangePassword: false }), options);
  redirect(PASSWORD_CHANGED_HOME);
}

/** What the sign-out button's Server Action does: end the session, then the sign-in page says so. */
export async function signOutToSignIn(portal: PortalIdentity): Promise<never> {
  await signOut(portal);
  sessionEndedRedirect(portal, 'signed-out');
}

export type SearchParams = Readonly<Record<string, string | string[] | undefined>>;

export interface SignInPageState {
  /** Why the last session ended (`?ended=`), for the page to explain. */
  readonly ended: SessionEndReason | null;
  /** The organization to fill in beforehand (`?organization=`). */
  readonly organization: string;
}

/**
 * What the sign-in page shows. Someone already signed in goes home instead - unless a session has
 * just ended, when the reason must show (the proxy has ended that session already).
 */
export async function signInPageState(portal: PortalIdentity, searchParams: SearchParams): Promise<SignInPageState> {
  const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
  const ended = sessionEndReasonOf(single(searchParams['ended']));
  if (!ended && (await currentSession(portal))) redirect('/');
  return { ended, organization: single(searchParams['organization']) ?? '' };
}
