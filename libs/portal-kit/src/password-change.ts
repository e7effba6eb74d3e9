import { endsSession, generalMessage, type ApiProblem } from './messages';
import { formText } from './sign-in-input';

/**
 * The change-password form's rules, as pure decisions: what the form refuses before anything goes to
 * the API, and what the API's refusals mean to the person. Safe in the Server Action and in the browser
 * bundle alike, so a mismatched confirmation is caught on the page and again on the server (a form sent
 * before the page's script ran, or by another client, gets the same answer).
 */

export type PasswordField = 'currentPassword' | 'newPassword' | 'confirmPassword';

/** What the form shows after a refused attempt. Only password fields, so nothing typed is kept. */
export interface PasswordChangeState {
  readonly message: string | null;
  /** The field the message is about (marked invalid and described by the message), or null for the whole form. */
  readonly field: PasswordField | null;
}

export const INITIAL_PASSWORD_CHANGE_STATE: PasswordChangeState = { message: null, field: null };

/** One portal's wording of the form's own refusals and of the password rules. */
export interface PasswordChangeWording {
  /** A field is empty; names the fields as the form does. */
  readonly missingFields: string;
  /** The new password and its confirmation differ. */
  readonly mismatch: string;
  /** The API did not accept the current (or temporary) password. */
  readonly wrongCurrentPassword: string;
  /**
   * The API's password policy in this portal's words: the new password's hint, and the message should the
   * API refuse a new password without saying why.
   */
  readonly newPasswordRules: string;
}

export type PasswordChangeInput =
  | { readonly ok: true; readonly currentPassword: string; readonly newPassword: string }
  | { readonly ok: false; readonly state: PasswordChangeState };

const FIELDS_IN_ORDER: readonly PasswordField[] = ['currentPassword', 'newPassword', 'confirmPassword'];

export function readPasswordChangeForm(form: FormData, wording: PasswordChangeWording): PasswordChangeInput {
  const refused = (message: string, field: PasswordField): PasswordChangeInput => ({ ok: false, state: { message, field } });
  // Passwords are taken exactly as typed: spaces may be part of them.
  const empty = FIELDS_IN_ORDER.find((field) => formText(form, field) === '');
  if (empty) return refused(wording.missingFields, empty);
  const newPassword = formText(form, 'newPassword');
  if (newPassword !== formText(form, 'confirmPassword')) return refused(wording.mismatch, 'confirmPassword');
  return { ok: true, currentPassword: formText(form, 'currentPassword'), newPassword };
}

export type PasswordChangeRefusal =
  | { readonly sessionEnded: true }
  | { readonly sessionEnded: false; readonly state: PasswordChangeState };

/** What an API refusal of `changePassword` means: a message on the form, or a session that is over. */
export function passwordChangeRefusal(problem: ApiProblem, wording: PasswordChangeWording): PasswordChangeRefusal {
  const refused = (message: string, field: PasswordField | null): PasswordChangeRefusal => ({ sessionEnded: false, state: { message, field } });
  switch (problem.errorCode) {
    // The API answers a wrong current password as UNAUTHENTICATED too, but the session goes on.
    case 'AUTH_INVALID_CREDENTIALS':
      return refused(wording.wrongCurrentPassword, 'currentPassword');
    // The API's policy message names what the new password lacks ("at least 12 characters", "differ from the current one").
    case 'AUTH_WEAK_PASSWORD':
      return refused(problem.message.trim() === '' ? wording.newPasswordRules : problem.message, 'newPassword');
  }
  if (endsSession(problem)) return { sessionEnded: true };
  return refused(generalMessage(problem), null);
}

/** Where a changed password lands: the portal's home, which confirms the change. */
export const PASSWORD_CHANGED_HOME = '/?changed=password';

/** Whether the home page was reached from a password change (`?changed=password`). */
export function passwordJustChanged(searchParams: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const changed = searchParams['changed'];
  return (Array.isArray(changed) ? changed[0] : changed) === 'password';
}
