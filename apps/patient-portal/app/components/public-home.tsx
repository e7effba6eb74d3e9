import { HOME_MEASUREMENT } from '../../lib/guidance';
import { EmergencyCard, NotWatchedCard } from './emergency-card';
import { SiteFooter } from './site-footer';
import { SiteHeader } from './site-header';

/** The first page for visitors who are not signed in: emergency guidance first, then how to measure. */
export function PublicHome() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="wrap">
        <h1>Blood pressure care at home, with your care team</h1>
        <p className="tagline">
          ClinLoop is not an emergency service: your readings are <strong>not watched around the clock</strong>.
        </p>

        <EmergencyCard />
        <NotWatchedCard />

        <section className="card" aria-labelledby="sign-in-heading">
          <h2 id="sign-in-heading">Sign in</h2>
          <p>See your readings, enter a new one, and read any alerts from ClinLoop.</p>
          <p>
            <a className="button button--primary" href="/sign-in">
              Sign in to ClinLoop
            </a>
          </p>
        </section>

        <section className="card" aria-labelledby="what-heading">
          <h2 id="what-heading">What ClinLoop does for you</h2>
          <ul className="plain-list">
            <li>You measure your blood pressure at home, and the readings go to your care team.</li>
            <li>Your clinician sets safe limits for your blood pressure medicine and signs them.</li>
            <li>
              Within those limits, ClinLoop may suggest a small change to your dose. Anything larger is checked
              by a clinician before you see it.
            </li>
            <li>ClinLoop supports your care team. It does not replace them.</li>
          </ul>
        </section>

        <section className="card" aria-labelledby="measure-heading">
          <h2 id="measure-heading">How to measure at home</h2>
          <h3>Before you start</h3>
          <ul className="plain-list">
            {HOME_MEASUREMENT.before.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <h3>How to sit</h3>
          <ul className="plain-list">
            {HOME_MEASUREMENT.position.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <h3>When and how often</h3>
          <ul className="plain-list">
            {HOME_MEASUREMENT.routine.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p className="source">Source: {HOME_MEASUREMENT.source}.</p>
        </section>
      </main>
      <SiteFooter />
    </>
  );
}
