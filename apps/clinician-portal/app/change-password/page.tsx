import type { Metadata } from 'next';
import { unstable_rethrow } from 'next/navigation';
import { requireSession } from '@clinloop/portal-kit/session';
import { staffViewerOf, type StaffViewer } from '../../lib/clinician-api';
import { CLINICIAN_PORTAL } from '../../lib/portal';
import { IdleSignOut } from '../components/idle-sign-out';
import { ChangePasswordForm } from './change-password-form';

export const metadata: Metadata = { title: 'Change password - ClinLoop clinician portal' };

/**
 * Changing one's password. The proxy holds a person whose password an administrator issued here until
 * they have chosen their own; anyone signed in reaches it by choice from the header.
 */
export default async function ChangePasswordPage() {
  const session = await requireSession(CLINICIAN_PORTAL);
  const required = session.meta.mustChangePassword;
  let viewer: StaffViewer | null = null;
  try {
    viewer = await staffViewerOf(session);
  } catch (error) {
    // Only names the account on the page and for password managers: the change itself reports any outage.
    unstable_rethrow(error);
  }
  return (
    <main id="main" className="wrap wrap--narrow">
      <IdleSignOut idleTimeoutSeconds={session.meta.idleTimeoutSeconds} signInPath={CLINICIAN_PORTAL.signInPath} />
      <h1>{required ? 'Choose a new password' : 'Change password'}</h1>
      {required ? (
        <p className="roadmap">
          Your account has a temporary password from an administrator. Choose your own password before you continue; it replaces the
          temporary one at once.
        </p>
      ) : (
        <p className="roadmap">Choose a new password. You stay signed in here; your other sessions are signed out.</p>
      )}
      {viewer && (
        <p className="account-line">
          Signed in as <strong>{viewer.displayName}</strong> ({viewer.email})
        </p>
      )}
      <ChangePasswordForm email={viewer?.email ?? ''} temporary={required} />
      {!required && (
        <p className="source">
          <a href="/">Back to the alert queue</a>
        </p>
      )}
    </main>
  );
}
