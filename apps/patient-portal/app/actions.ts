'use server';

import {
  changePasswordWithForm,
  signInWithForm,
  signOutToSignIn,
  type PasswordChangeState,
  type SignInRules,
  type SignInState,
} from '@clinloop/portal-kit/session';
import { PATIENT_PASSWORD_CHANGE, PATIENT_PORTAL } from '../lib/portal';

const PATIENT_SIGN_IN: SignInRules = {
  audience: 'patient',
  wrongPortalMessage: 'This portal is for patients. Care-team staff sign in at the ClinLoop clinician portal.',
  missingFieldsMessage: 'Enter your clinic code, e-mail and password.',
};

/** Signs in at the API; the tokens go into httpOnly cookies, never to the browser's scripts. */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  return signInWithForm(PATIENT_PORTAL, form, PATIENT_SIGN_IN);
}

/** Ends the session at the API (its tokens stop working) and clears the cookies. */
export async function signOutAction(): Promise<void> {
  await signOutToSignIn(PATIENT_PORTAL);
}

/** The API checks the current password and its policy; this session goes on and the patient's other sessions end. */
export async function changePasswordAction(_previous: PasswordChangeState, form: FormData): Promise<PasswordChangeState> {
  return changePasswordWithForm(PATIENT_PORTAL, form, PATIENT_PASSWORD_CHANGE);
}
