import type { SignInAudience } from './messages';
import type { SignInCredentials } from './session-api';

/**
 * The sign-in form's fields, read and checked before anything goes to the API. Both portals ask for
 * organization, e-mail and password; the clinician portal also for the authenticator's code. Pure, so
 * it is safe in the Server Action and in the browser bundle alike.
 */

/** What the form shows after a refused attempt: why, and what the person typed (never the password). */
export interface SignInState {
  readonly message: string | null;
  readonly organization: string;
  readonly email: string;
}

/** How one portal's sign-in differs: who it is for, what else it asks, and its wording. */
export interface SignInRules {
  readonly audience: SignInAudience;
  /** Shown to someone whose role this portal is not for (they are signed out again at once). */
  readonly wrongPortalMessage: string;
  /** Shown when organization, e-mail or password is empty; names the fields as this portal's form does. */
  readonly missingFieldsMessage: string;
  /** Present where the form asks for the authenticator's 6-digit code. */
  readonly totpCode?: { readonly invalidMessage: string };
}

export type SignInInput =
  | { readonly ok: true; readonly credentials: SignInCredentials }
  | { readonly ok: false; readonly state: SignInState };

export function initialSignInState(defaultOrganization: string): SignInState {
  return { message: null, organization: defaultOrganization, email: '' };
}

/** A text field of a submitted form; a missing field or a file reads as empty. */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function readSignInForm(form: FormData, rules: SignInRules): SignInInput {
  const organization = formText(form, 'organization').trim();
  const email = formText(form, 'email').trim();
  // A password is taken exactly as typed: spaces may be part of it.
  const password = formText(form, 'password');
  const refused = (message: string): SignInInput => ({ ok: false, state: { message, organization, email } });
  if (organization === '' || email === '' || password === '') return refused(rules.missingFieldsMessage);
  if (!rules.totpCode) return { ok: true, credentials: { organization, email, password } };
  // Authenticator apps show the code as "123 456"; people type it that way.
  const totpCode = formText(form, 'totpCode').replace(/\s+/g, '');
  if (!/^\d{6}$/.test(totpCode)) return refused(rules.totpCode.invalidMessage);
  return { ok: true, credentials: { organization, email, password, totpCode } };
}
