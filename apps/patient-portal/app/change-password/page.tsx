import type { Metadata } from 'next';
import { unstable_rethrow } from 'next/navigation';
import { requireSession } from '@clinloop/portal-kit/session';
import { viewerOf, type SignedInPatient } from '../../lib/patient-api';
import { PATIENT_PORTAL } from '../../lib/portal';
import { EmergencyCard } from '../components/emergency-card';
import { IdleSignOut } from '../components/idle-sign-out';
import { SiteFooter } from '../components/site-footer';
import { SiteHeader } from '../components/site-header';
import { ChangePasswordForm } from './change-password-form';

export const metadata: Metadata = { title: 'Change your password - ClinLoop' };

/**
 * Changing one's password. A patient whose password the care team issued is held here by the proxy
 * until they have chosen their own, so the emergency guidance is here too; anyone signed in reaches it
 * by choice from the header.
 */
export default async function ChangePasswordPage() {
  const session = await requireSession(PATIENT_PORTAL);
  const required = session.meta.mustChangePassword;
  let viewer: SignedInPatient | null = null;
  try {
    viewer = await viewerOf(session);
  } catch (error) {
    // Only names the person and the account for password managers: the change itself reports any outage.
    unstable_rethrow(error);
  }
  return (
    <>
      <SiteHeader signedInAs={viewer ? `${viewer.patient.givenName} ${viewer.patient.familyName}` : ''} offerPasswordChange={false} />
      <IdleSignOut idleTimeoutSeconds={session.meta.idleTimeoutSeconds} signInPath={PATIENT_PORTAL.signInPath} />
      <main id="main" className="wrap">
        <h1>{required ? 'Choose a new password' : 'Change your password'}</h1>
        {required ? (
          <p>
            You signed in with a temporary password from your care team. Now choose your own password, one that only you know. You
            will use it the next time you sign in.
          </p>
        ) : (
          <p>Choose a new password. If you are signed in on another phone or computer, you will be signed out there.</p>
        )}
        <p className="tagline">
          Feeling unwell? Do not change your password first: read <a href="#emergency-heading">what to do in an emergency</a>.
        </p>
        <ChangePasswordForm email={viewer?.email ?? ''} temporary={required} />
        {!required && (
          <p>
            <a href="/">Back to your home page</a>
          </p>
        )}
        <EmergencyCard />
      </main>
      <SiteFooter />
    </>
  );
}
