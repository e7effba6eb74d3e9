'use server';

import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import { generalMessage } from '@clinloop/portal-kit';
import { problemOf } from '@clinloop/portal-kit/api';
import { requireSession, signIn, signOut } from '@clinloop/portal-kit/session';
import { acknowledgeAlert } from '../lib/clinician-api';
import { CLINICIAN_PORTAL } from '../lib/portal';

export interface SignInState {
  readonly message: string | null;
  readonly organization: string;
  readonly email: string;
}

const field = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/** Password and authenticator code, checked by the API; the tokens go into httpOnly cookies. */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const organization = field(form, 'organization').trim();
  const email = field(form, 'email').trim();
  const password = field(form, 'password');
  const totpCode = field(form, 'totpCode').replace(/\s+/g, '');
  if (organization === '' || email === '' || password === '') return { message: 'Enter your organization, e-mail and password.', organization, email };
  if (!/^\d{6}$/.test(totpCode)) return { message: 'Enter the 6-digit code from your authenticator app.', organization, email };
  const outcome = await signIn(
    CLINICIAN_PORTAL,
    { organization, email, password, totpCode },
    'staff',
    'This portal is for clinical staff. Patients sign in at the ClinLoop patient portal.',
  );
  if (!outcome.ok) return { message: outcome.message, organization, email };
  redirect('/');
}

export async function signOutAction(): Promise<void> {
  await signOut(CLINICIAN_PORTAL);
  redirect(`${CLINICIAN_PORTAL.signInPath}?ended=signed-out`);
}

export interface AcknowledgeState {
  readonly status: 'idle' | 'done' | 'error';
  readonly message: string | null;
}

export async function acknowledgeAction(_previous: AcknowledgeState, form: FormData): Promise<AcknowledgeState> {
  const alertId = field(form, 'alertId');
  const session = await requireSession(CLINICIAN_PORTAL);
  try {
    await acknowledgeAlert(session, alertId);
    revalidatePath('/');
    return { status: 'done', message: 'Acknowledged' };
  } catch (error) {
    unstable_rethrow(error);
    return { status: 'error', message: generalMessage(problemOf(error)) };
  }
}
