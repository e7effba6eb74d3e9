'use client';

import { useActionState, useEffect, useRef, type ReactNode } from 'react';
import { initialSignInState, type SignInState } from './sign-in-input';

export interface SignInFormProps {
  /** The portal's Server Action; it calls `signInWithForm` with the portal's rules. */
  readonly action: (previous: SignInState, form: FormData) => Promise<SignInState>;
  readonly defaultOrganization: string;
  /** What this portal calls the organization ("Organization", "Clinic code") and how it explains it. */
  readonly organizationLabel: string;
  readonly organizationHint: ReactNode;
  /** Show the hint between the label and the field, so it is read before typing rather than after. */
  readonly organizationHintFirst?: boolean;
  /** The portal's own design. */
  readonly classNames: { readonly form: string; readonly error: string; readonly submit: string };
  /** Fields after the password, e.g. the clinician portal's authenticator code. */
  readonly children?: ReactNode;
}

/**
 * The sign-in form both portals show. A refusal comes back from the Server Action with its message,
 * which takes the focus so a screen reader announces it and the keyboard starts there; what was typed
 * stays, except the password and the extra fields.
 */
export function SignInForm({
  action,
  defaultOrganization,
  organizationLabel,
  organizationHint,
  organizationHintFirst = false,
  classNames,
  children,
}: SignInFormProps) {
  const [state, formAction, pending] = useActionState<SignInState, FormData>(
    action,
    initialSignInState(defaultOrganization),
  );
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.message) errorRef.current?.focus();
  }, [state]);

  const hint = (
    <p className="hint" id="organization-hint">
      {organizationHint}
    </p>
  );
  return (
    <form
      action={formAction}
      className={classNames.form}
      aria-describedby={state.message ? 'sign-in-error' : undefined}
      noValidate
    >
      {state.message && (
        <div id="sign-in-error" className={classNames.error} role="alert" tabIndex={-1} ref={errorRef}>
          <p>{state.message}</p>
        </div>
      )}
      <div className="field">
        <label htmlFor="organization">{organizationLabel}</label>
        {organizationHintFirst && hint}
        {/* React resets a form after its action; the key makes the field show the value the action sent back. */}
        <input
          id="organization"
          name="organization"
          type="text"
          autoComplete="organization"
          autoCapitalize="none"
          spellCheck={false}
          required
          aria-describedby="organization-hint"
          defaultValue={state.organization}
          key={`organization-${state.organization}`}
        />
        {!organizationHintFirst && hint}
      </div>
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.email}
          key={`email-${state.email}`}
        />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      {children}
      <button type="submit" className={classNames.submit} disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
