import type { PortalIdentity } from '@clinloop/portal-kit/session';

/** This portal is for patients; staff are signed out again at once and sent to the clinician portal. */
export const PATIENT_PORTAL: PortalIdentity = {
  cookiePrefix: 'clinloop_patient',
  signInPath: '/sign-in',
  allowedRoles: ['PATIENT'],
};
