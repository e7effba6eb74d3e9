import { EMERGENCY_GUIDANCE, HOME_MEASUREMENT } from '../lib/guidance';

export default function HomePage() {
  const g = EMERGENCY_GUIDANCE;
  return (
    <>
      <header className="site-header">
        <div className="wrap site-header__inner">
          <svg className="logo" viewBox="0 0 512 512" aria-hidden="true" focusable="false">
            <rect width="512" height="512" rx="112" fill="currentColor" />
            <path
              d="M104 268h84l32-76 48 152 36-108 22 32h82"
              fill="none"
              stroke="#fff"
              strokeWidth="32"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <p className="site-header__name">ClinLoop</p>
        </div>
      </header>

      <main id="main" className="wrap">
        <h1>Blood pressure care at home, with your care team</h1>
        <p className="tagline">
          ClinLoop is not an emergency service: your readings are{' '}
          <strong>not watched around the clock</strong>.
        </p>

        <section className="card card--emergency" aria-labelledby="emergency-heading">
          <h2 id="emergency-heading">In an emergency</h2>
          <p className="lead">
            If you have <strong>any</strong> of these symptoms, <strong>call emergency services now</strong> (
            {g.emergencyNumberExample}). Do not wait for ClinLoop or your care team.
          </p>
          <ul className="symptoms">
            {g.symptoms.map((symptom) => (
              <li key={symptom}>{symptom}</li>
            ))}
          </ul>
          <h3>A very high reading, but you feel fine?</h3>
          <p>
            Very high means the top number is above {g.crisisSystolicAbove} or the bottom number is above{' '}
            {g.crisisDiastolicAbove}. If you have none of the symptoms above:
          </p>
          <ol className="steps">
            <li>Sit quietly and rest for {g.remeasureAfterMinutes} minutes.</li>
            <li>Measure again.</li>
            <li>If it is still that high, contact your care team straight away.</li>
          </ol>
          <p>If any of the symptoms start, call emergency services at once.</p>
        </section>

        <section className="card card--notice" aria-labelledby="not-watched-heading">
          <h2 id="not-watched-heading">Your readings are not watched around the clock</h2>
          <p>
            ClinLoop is not an emergency service. Nobody watches your readings as they arrive, and your care
            team may not see a reading until later. If you feel unwell, act on the advice above yourself -
            never wait for a message from ClinLoop.
          </p>
        </section>

        <section className="card" aria-labelledby="what-heading">
          <h2 id="what-heading">What ClinLoop does for you</h2>
          <ul className="plain-list">
            <li>You measure your blood pressure at home, and the readings go to your care team.</li>
            <li>Your clinician sets safe limits for your blood pressure medicine and signs them.</li>
            <li>
              Within those limits, ClinLoop may suggest a small change to your dose. Anything larger is
              checked by a clinician before you see it.
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

        <section className="card" aria-labelledby="sign-in-heading">
          <h2 id="sign-in-heading">Sign in</h2>
          <p>
            <strong>Sign-in is not available yet in this version of ClinLoop.</strong> When it is, you will
            see your readings and your care team&apos;s instructions here.
          </p>
          <p>Until then, contact your care team directly about your treatment.</p>
        </section>
      </main>

      <footer className="site-footer">
        <div className="wrap">
          <p>Emergency guidance: {g.source}.</p>
          <p>ClinLoop supports your care team. It does not replace medical care.</p>
        </div>
      </footer>
    </>
  );
}
