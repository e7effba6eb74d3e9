import type { PasswordChangeWording } from '@clinloop/portal-kit';
import type { PortalIdentity } from '@clinloop/portal-kit/session';

/** This portal is for patients; staff are signed out again at once and sent to the clinician portal. */
export const PATIENT_PORTAL: PortalIdentity = {
  cookiePrefix: 'clinloop_patient',
  signInPath: '/sign-in',
  allowedRoles: ['PATIENT'],
  changePasswordPath: '/change-password',
};

/** How the change-password form speaks to patients; the page checks with it before sending, the Server Action again. */
export const PATIENT_PASSWORD_CHANGE: PasswordChangeWording = {
  missingFields: 'Fill in all three boxes: your current password, your new password, and your new password again.',
  mismatch: 'The two new passwords are not the same. Type your new password in both boxes again.',
  wrongCurrentPassword: 'Your current password is not correct. If your care team gave you a temporary password, type it exactly as given.',
  newPasswordRules: 'Use at least 12 characters, for example three or four words you will remember. Do not use your e-mail or your name.',
};
