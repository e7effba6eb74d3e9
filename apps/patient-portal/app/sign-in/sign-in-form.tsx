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
    <form action={formAction} className="card form" aria-describedby={state.message ? 'sign-in-error' : undefined} noValidate>
      {state.message && (
        <div id="sign-in-error" className="form-error" role="alert" tabIndex={-1} ref={errorRef}>
          <p>{state.message}</p>
        </div>
      )}
      <div className="field">
        <label htmlFor="organization">Clinic code</label>
        <p className="hint" id="organization-hint">
          Your care team gave you this code, for example demo-clinic.
        </p>
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
      </div>
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.email} key={`email-${state.email}`} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <button type="submit" className="button button--primary button--wide" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
