'use client';

import { useActionState, useEffect, useRef } from 'react';
import { signInAction, type SignInState } from '../actions';

export function SignInForm({ defaultOrganization }: { defaultOrganization: string }) {
  const [state, formAction, pending] = useActionState<SignInState, FormData>(signInAction, {
    message: null,
    organization: defaultOrganization,
    email: '',
  });
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.message) errorRef.current?.focus();
  }, [state]);

  return (
    <form action={formAction} className="panel form" noValidate>
      {state.message && (
        <div id="sign-in-error" className="banner banner--bad" role="alert" tabIndex={-1} ref={errorRef}>
          <p>{state.message}</p>
        </div>
      )}
      <div className="field">
        <label htmlFor="organization">Organization</label>
        <input id="organization" name="organization" type="text" autoComplete="organization" autoCapitalize="none" spellCheck={false} required defaultValue={state.organization} aria-describedby="organization-hint" />
        <p className="hint" id="organization-hint">
          Your organization&apos;s handle, for example demo-clinic.
        </p>
      </div>
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.email} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <div className="field">
        <label htmlFor="totpCode">Authenticator code</label>
        <input id="totpCode" name="totpCode" type="text" inputMode="numeric" pattern="[0-9]{6}" maxLength={7} autoComplete="one-time-code" required aria-describedby="totp-hint" />
        <p className="hint" id="totp-hint">
          The 6-digit code your authenticator app shows now.
        </p>
      </div>
      <button type="submit" className="button button--primary" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
