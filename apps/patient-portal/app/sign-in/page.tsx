import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { sessionEndedMessage } from '@clinloop/portal-kit';
import { currentSession } from '@clinloop/portal-kit/session';
import { sessionEndReasonOf } from '@clinloop/portal-kit/session-cookies';
import { PATIENT_PORTAL } from '../../lib/portal';
import { EmergencyCard } from '../components/emergency-card';
import { SiteFooter } from '../components/site-footer';
import { SiteHeader } from '../components/site-header';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in - ClinLoop' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
  const ended = sessionEndReasonOf(single(params['ended']));
  if (!ended && (await currentSession(PATIENT_PORTAL))) redirect('/');
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
        <SignInForm defaultOrganization={single(params['organization']) ?? ''} />
        <p className="tagline">
          Feeling unwell? Do not sign in first: read <a href="#emergency-heading">what to do in an emergency</a>.
        </p>
        <EmergencyCard />
      </main>
      <SiteFooter />
    </>
  );
}
