import type { Metadata } from 'next';
import { sessionEndedMessage } from '@clinloop/portal-kit';
import { signInPageState, type SearchParams } from '@clinloop/portal-kit/session';
import { CLINICIAN_PORTAL } from '../../lib/portal';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in - ClinLoop clinician portal' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { ended, organization } = await signInPageState(CLINICIAN_PORTAL, await searchParams);
  return (
    <main id="main" className="wrap wrap--narrow">
      <h1>Sign in</h1>
      {ended && (
        <p className={ended === 'signed-out' ? 'banner banner--ok' : 'banner banner--warning'} role="status">
          {sessionEndedMessage(ended)}
        </p>
      )}
      <SignInForm defaultOrganization={organization} />
      <p className="source">
        Without signing in you can see the <a href="/system">system status and the formulary</a>.
      </p>
    </main>
  );
}
