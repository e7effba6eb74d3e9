import type { PortalIdentity } from '@clinloop/portal-kit/session';

/** This portal is for clinical staff (clinicians; auditors and admins for their areas); patients are sent to theirs. */
export const CLINICIAN_PORTAL: PortalIdentity = {
  cookiePrefix: 'clinloop_clinician',
  signInPath: '/sign-in',
  allowedRoles: ['CLINICIAN', 'AUDITOR', 'ADMIN'],
};
