import { EMERGENCY_GUIDANCE } from '../../lib/guidance';

/** What to do in an emergency: on the first page for everyone, and on the signed-in home. */
export function EmergencyCard() {
  const g = EMERGENCY_GUIDANCE;
  return (
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
  );
}

export function NotWatchedCard() {
  return (
    <section className="card card--notice" aria-labelledby="not-watched-heading">
      <h2 id="not-watched-heading">Your readings are not watched around the clock</h2>
      <p>
        ClinLoop is not an emergency service. Nobody watches your readings as they arrive, and your care team
        may not see a reading until later. If you feel unwell, act on the advice above yourself - never wait
        for a message from ClinLoop.
      </p>
    </section>
  );
}
