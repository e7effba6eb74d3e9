import type { Metadata } from 'next';
import { sessionEndedMessage } from '@clinloop/portal-kit';
import { signInPageState, type SearchParams } from '@clinloop/portal-kit/session';
import { PATIENT_PORTAL } from '../../lib/portal';
import { EmergencyCard } from '../components/emergency-card';
import { SiteFooter } from '../components/site-footer';
import { SiteHeader } from '../components/site-header';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in - ClinLoop' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { ended, organization } = await signInPageState(PATIENT_PORTAL, await searchParams);
  return (
    <>
      <SiteHeader />
      <main id="main" className="wrap">
        <h1>Sign in</h1>
        {ended && (
          <p className={ended === 'signed-out' ? 'notice notice--info' : 'notice notice--warning'} role="status">
            {sessionEndedMessage(ended)}
          </p>
        )}
        <SignInForm defaultOrganization={organization} />
        <p className="tagline">
          Feeling unwell? Do not sign in first: read <a href="#emergency-heading">what to do in an emergency</a>.
        </p>
        <EmergencyCard />
      </main>
      <SiteFooter />
    </>
  );
}
