import { redirect, unstable_rethrow } from 'next/navigation';
import { generalMessage, passwordJustChanged } from '@clinloop/portal-kit';
import { problemOf } from '@clinloop/portal-kit/api';
import { currentSession, type SearchParams } from '@clinloop/portal-kit/session';
import { alertQueueOf, staffViewerOf } from '../lib/clinician-api';
import { CLINICIAN_PORTAL } from '../lib/portal';
import { AlertQueue } from './components/alert-queue';
import { IdleSignOut } from './components/idle-sign-out';
import { QueueRefresher } from './components/queue-refresher';

/** The signed-in home: the alert queue of the clinician's care teams. */
export default async function HomePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const session = await currentSession(CLINICIAN_PORTAL);
  if (!session) redirect(CLINICIAN_PORTAL.signInPath);
  let content;
  try {
    const viewer = await staffViewerOf(session);
    if (viewer.role !== 'CLINICIAN') {
      content = (
        <p className="roadmap">
          Signed in as {viewer.displayName} ({viewer.role.toLowerCase()}). The alert queue is for clinicians; your area arrives with its issue. The{' '}
          <a href="/system">system status and formulary</a> are available.
        </p>
      );
    } else {
      const queue = await alertQueueOf(session);
      content = (
        <>
          <p className="roadmap">Signed in as {viewer.displayName}. Open alerts of your care teams&apos; patients, most severe first, then oldest first.</p>
          <AlertQueue queue={queue} now={new Date()} />
          <QueueRefresher renderedAt={new Date().toISOString()} />
        </>
      );
    }
  } catch (error) {
    unstable_rethrow(error);
    content = (
      <div className="banner banner--bad" role="alert">
        <p className="banner__title">Alert queue unavailable</p>
        <p>{generalMessage(problemOf(error))}</p>
      </div>
    );
  }
  return (
    <main id="main" className="wrap">
      <IdleSignOut idleTimeoutSeconds={session.meta.idleTimeoutSeconds} signInPath={CLINICIAN_PORTAL.signInPath} />
      <h1>Alert queue</h1>
      {passwordJustChanged(await searchParams) && (
        <p className="banner banner--ok" role="status">
          Your new password is saved. Use it the next time you sign in; your other sessions have been signed out.
        </p>
      )}
      {content}
    </main>
  );
}
