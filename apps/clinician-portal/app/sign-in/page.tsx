import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { sessionEndedMessage } from '@clinloop/portal-kit';
import { currentSession } from '@clinloop/portal-kit/session';
import { sessionEndReasonOf } from '@clinloop/portal-kit/session-cookies';
import { CLINICIAN_PORTAL } from '../../lib/portal';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in - ClinLoop clinician portal' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
  const ended = sessionEndReasonOf(single(params['ended']));
  if (!ended && (await currentSession(CLINICIAN_PORTAL))) redirect('/');
  return (
    <main id="main" className="wrap wrap--narrow">
      <h1>Sign in</h1>
      {ended && (
        <p className={ended === 'signed-out' ? 'banner banner--ok' : 'banner banner--warning'} role="status">
          {sessionEndedMessage(ended)}
        </p>
      )}
      <SignInForm defaultOrganization={single(params['organization']) ?? ''} />
      <p className="source">
        Without signing in you can see the <a href="/system">system status and the formulary</a>.
      </p>
    </main>
  );
}
