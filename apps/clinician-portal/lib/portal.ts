import type { PasswordChangeWording } from '@clinloop/portal-kit';
import type { PortalIdentity } from '@clinloop/portal-kit/session';

/** This portal is for clinical staff (clinicians; auditors and admins for their areas); patients are sent to theirs. */
export const CLINICIAN_PORTAL: PortalIdentity = {
  cookiePrefix: 'clinloop_clinician',
  signInPath: '/sign-in',
  allowedRoles: ['CLINICIAN', 'AUDITOR', 'ADMIN'],
  changePasswordPath: '/change-password',
};

/** How the change-password form speaks to staff; the page checks with it before sending, the Server Action again. */
export const CLINICIAN_PASSWORD_CHANGE: PasswordChangeWording = {
  missingFields: 'Enter your current password, a new password and the new password again.',
  mismatch: 'The new password and its confirmation do not match. Type the same new password in both fields.',
  wrongCurrentPassword: 'The current password is not correct. If an administrator gave you a temporary password, enter it exactly as given.',
  newPasswordRules: 'At least 12 characters, not a commonly used password, and not your e-mail or name. A passphrase of several words works well.',
};
