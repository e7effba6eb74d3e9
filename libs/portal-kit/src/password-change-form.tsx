'use client';

import { useActionState, useEffect, useRef, useState, type ReactNode, type SubmitEvent } from 'react';
import {
  INITIAL_PASSWORD_CHANGE_STATE,
  readPasswordChangeForm,
  type PasswordChangeState,
  type PasswordChangeWording,
  type PasswordField,
} from './password-change';

export interface PasswordChangeFormProps {
  /** The portal's Server Action; it calls `changePasswordWithForm` with the same wording. */
  readonly action: (previous: PasswordChangeState, form: FormData) => Promise<PasswordChangeState>;
  readonly wording: PasswordChangeWording;
  /** The account's sign-in e-mail, so a password manager files the new password under it. */
  readonly email: string;
  /** Said under "Current password", e.g. that a temporary password goes there. */
  readonly currentPasswordHint?: ReactNode;
  readonly submitLabel: string;
  /** The portal's own design. */
  readonly classNames: { readonly form: string; readonly error: string; readonly submit: string };
}

const ERROR_ID = 'password-change-error';

/**
 * The change-password form both portals show: current (or temporary) password, new password and its
 * confirmation. A mismatch or an empty field is caught here before anything is sent; the Server Action
 * checks the same again and reports the API's refusals. Either way the message takes the focus, so a
 * screen reader announces it and the keyboard starts there, and the field it is about is marked invalid
 * and described by it. After a round trip the fields are empty again: they hold only passwords.
 */
export function PasswordChangeForm({ action, wording, email, currentPasswordHint, submitLabel, classNames }: PasswordChangeFormProps) {
  const [serverState, formAction, pending] = useActionState<PasswordChangeState, FormData>(action, INITIAL_PASSWORD_CHANGE_STATE);
  // The page's own check of the last submit, shown until the server answers a later one.
  const [pageCheck, setPageCheck] = useState<{ readonly state: PasswordChangeState; readonly shownOver: PasswordChangeState } | null>(null);
  const state = pageCheck && pageCheck.shownOver === serverState ? pageCheck.state : serverState;
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.message) errorRef.current?.focus();
  }, [state]);

  const checkBeforeSending = (event: SubmitEvent<HTMLFormElement>): void => {
    const input = readPasswordChangeForm(new FormData(event.currentTarget), wording);
    // Sent: the last answer's message goes while the new one is awaited.
    setPageCheck({ state: input.ok ? INITIAL_PASSWORD_CHANGE_STATE : input.state, shownOver: serverState });
    // A prevented submit does not run the form's action.
    if (!input.ok) event.preventDefault();
  };

  const describedBy = (field: PasswordField, hintId?: string): string | undefined =>
    [hintId, state.field === field ? ERROR_ID : undefined].filter(Boolean).join(' ') || undefined;
  const invalid = (field: PasswordField): true | undefined => (state.field === field ? true : undefined);

  return (
    <form action={formAction} onSubmit={checkBeforeSending} className={classNames.form} aria-describedby={state.message ? ERROR_ID : undefined} noValidate>
      {state.message && (
        <div id={ERROR_ID} className={classNames.error} role="alert" tabIndex={-1} ref={errorRef}>
          <p>{state.message}</p>
        </div>
      )}
      {email !== '' && <input type="email" autoComplete="username" value={email} readOnly hidden />}
      <div className="field">
        <label htmlFor="currentPassword">Current password</label>
        {currentPasswordHint && (
          <p className="hint" id="current-password-hint">
            {currentPasswordHint}
          </p>
        )}
        <input
          id="currentPassword"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={invalid('currentPassword')}
          aria-describedby={describedBy('currentPassword', currentPasswordHint ? 'current-password-hint' : undefined)}
        />
      </div>
      <div className="field">
        <label htmlFor="newPassword">New password</label>
        <p className="hint" id="new-password-hint">
          {wording.newPasswordRules}
        </p>
        <input
          id="newPassword"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={invalid('newPassword')}
          aria-describedby={describedBy('newPassword', 'new-password-hint')}
        />
      </div>
      <div className="field">
        <label htmlFor="confirmPassword">Confirm new password</label>
        <input
          id="confirmPassword"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={invalid('confirmPassword')}
          aria-describedby={describedBy('confirmPassword')}
        />
      </div>
      <button type="submit" className={classNames.submit} disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
