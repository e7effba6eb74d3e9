'use server';

import { redirect } from 'next/navigation';
import { signIn, signOut } from '@clinloop/portal-kit/session';
import { PATIENT_PORTAL } from '../lib/portal';

export interface SignInState {
  readonly message: string | null;
  readonly organization: string;
  readonly email: string;
}

const field = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/** Signs in at the API; the tokens go into httpOnly cookies, never to the browser's scripts. */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const organization = field(form, 'organization').trim();
  const email = field(form, 'email').trim();
  const password = field(form, 'password');
  if (organization === '' || email === '' || password === '') {
    return { message: 'Enter your clinic code, e-mail and password.', organization, email };
  }
  const outcome = await signIn(
    PATIENT_PORTAL,
    { organization, email, password },
    'patient',
    'This portal is for patients. Care-team staff sign in at the ClinLoop clinician portal.',
  );
  if (!outcome.ok) return { message: outcome.message, organization, email };
  redirect('/');
}

/** Ends the session at the API (its tokens stop working) and clears the cookies. */
export async function signOutAction(): Promise<void> {
  await signOut(PATIENT_PORTAL);
  redirect(`${PATIENT_PORTAL.signInPath}?ended=signed-out`);
}
