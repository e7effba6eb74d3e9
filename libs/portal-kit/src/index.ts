/**
 * @clinloop/portal-kit - what the patient and clinician portals share. Import the parts by their
 * subpath (`@clinloop/portal-kit/session`, `/proxy`, ...): the server-only parts must not reach a
 * client bundle through a barrel, and the client parts (`/sign-in-form`, `/password-change-form`,
 * `/idle-sign-out`) carry 'use client'. This entry holds only what is safe anywhere.
 */
export * from './messages';
export * from './local-time';
export * from './sign-in-input';
export * from './password-change';
export * from './idle-timer';
export * from './session-end';
