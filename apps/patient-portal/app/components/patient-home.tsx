import { randomUUID } from 'node:crypto';
import { unstable_rethrow } from 'next/navigation';
import { generalMessage, toLocalInput } from '@clinloop/portal-kit';
import { problemOf } from '@clinloop/portal-kit/api';
import type { PortalSession } from '@clinloop/portal-kit/session';
import { alertsOf, crisisGuidanceOf, openAlertsMostUrgentFirst, recentReadingsOf, viewerOf } from '../../lib/patient-api';
import { PATIENT_PORTAL } from '../../lib/portal';
import { AlertsSection, CrisisBanner } from './alerts-section';
import { EmergencyCard } from './emergency-card';
import { IdleSignOut } from './idle-sign-out';
import { ProblemNote } from './problem-note';
import { ReadingForm } from './reading-form';
import { ReadingsList } from './readings-section';
import { SiteFooter } from './site-footer';
import { SiteHeader } from './site-header';

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    unstable_rethrow(error); // the session ended: the redirect to sign in must go through
    return { ok: false, message: generalMessage(problemOf(error)) };
  }
}

/**
 * The signed-in home: crisis guidance first, then alerts (most urgent first), reading entry, recent
 * readings. Right after a password change it confirms the change, below any crisis guidance.
 */
export async function PatientHome({ session, passwordChanged = false }: { session: PortalSession; passwordChanged?: boolean }) {
  const viewer = await settle(viewerOf(session));
  if (!viewer.ok || viewer.value === null) {
    return (
      <>
        <SiteHeader signedInAs="" />
        <main id="main" className="wrap">
          <h1>Your blood pressure</h1>
          <ProblemNote what="Your record" message={viewer.ok ? 'This account has no patient record.' : viewer.message} />
          <EmergencyCard />
        </main>
        <SiteFooter />
      </>
    );
  }
  const { patient } = viewer.value;
  const [alerts, crisis, readings] = await Promise.all([
    settle(alertsOf(session, patient.id)),
    settle(crisisGuidanceOf(session, patient.id)),
    settle(recentReadingsOf(session, patient.id)),
  ]);
  const now = new Date();

  return (
    <>
      <SiteHeader signedInAs={`${patient.givenName} ${patient.familyName}`} />
      <IdleSignOut idleTimeoutSeconds={session.meta.idleTimeoutSeconds} signInPath={PATIENT_PORTAL.signInPath} />
      <main id="main" className="wrap">
        <h1>Hello, {patient.givenName}</h1>
        <p className="tagline">
          ClinLoop is not an emergency service: your readings are <strong>not watched around the clock</strong>.
        </p>

        {crisis.ok && crisis.value && <CrisisBanner guidance={crisis.value} timeZone={patient.timeZone} />}
        {!crisis.ok && <ProblemNote what="Urgent guidance" message={crisis.message} />}

        {passwordChanged && (
          <p className="notice notice--ok" role="status">
            Your new password is saved. Use it the next time you sign in. If you were signed in on another phone or computer, you
            have been signed out there.
          </p>
        )}

        {alerts.ok ? (
          <AlertsSection alerts={openAlertsMostUrgentFirst(alerts.value)} timeZone={patient.timeZone} />
        ) : (
          <ProblemNote what="Your alerts" message={alerts.message} />
        )}

        <section className="card" aria-labelledby="enter-heading">
          <h2 id="enter-heading">Enter a reading</h2>
          <ReadingForm idempotencyKey={randomUUID()} defaultMeasuredAt={toLocalInput(now, patient.timeZone)} maxMeasuredAt={toLocalInput(new Date(now.getTime() + 5 * 60_000), patient.timeZone)} />
        </section>

        <section className="card" aria-labelledby="readings-heading">
          <h2 id="readings-heading">Your recent readings</h2>
          {readings.ok ? <ReadingsList readings={readings.value} timeZone={patient.timeZone} /> : <ProblemNote what="Your readings" message={readings.message} />}
        </section>

        <EmergencyCard />
      </main>
      <SiteFooter />
    </>
  );
}
