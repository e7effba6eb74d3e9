'use server';

import { revalidatePath } from 'next/cache';
import { unstable_rethrow } from 'next/navigation';
import { formText, generalMessage } from '@clinloop/portal-kit';
import { problemOf } from '@clinloop/portal-kit/api';
import {
  changePasswordWithForm,
  requireSession,
  signInWithForm,
  signOutToSignIn,
  type PasswordChangeState,
  type SignInRules,
  type SignInState,
} from '@clinloop/portal-kit/session';
import { acknowledgeAlert } from '../lib/clinician-api';
import { CLINICIAN_PASSWORD_CHANGE, CLINICIAN_PORTAL } from '../lib/portal';

const CLINICIAN_SIGN_IN: SignInRules = {
  audience: 'staff',
  wrongPortalMessage: 'This portal is for clinical staff. Patients sign in at the ClinLoop patient portal.',
  missingFieldsMessage: 'Enter your organization, e-mail and password.',
  totpCode: { invalidMessage: 'Enter the 6-digit code from your authenticator app.' },
};

/** Password and authenticator code, checked by the API; the tokens go into httpOnly cookies. */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  return signInWithForm(CLINICIAN_PORTAL, form, CLINICIAN_SIGN_IN);
}

export async function signOutAction(): Promise<void> {
  await signOutToSignIn(CLINICIAN_PORTAL);
}

/** The API checks the current password and its policy; this session goes on and the person's other sessions end. */
export async function changePasswordAction(_previous: PasswordChangeState, form: FormData): Promise<PasswordChangeState> {
  return changePasswordWithForm(CLINICIAN_PORTAL, form, CLINICIAN_PASSWORD_CHANGE);
}

export interface AcknowledgeState {
  readonly status: 'idle' | 'done' | 'error';
  readonly message: string | null;
}

export async function acknowledgeAction(_previous: AcknowledgeState, form: FormData): Promise<AcknowledgeState> {
  const alertId = formText(form, 'alertId');
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
