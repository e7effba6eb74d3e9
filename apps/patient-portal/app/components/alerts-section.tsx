import { formatInZone } from '@clinloop/portal-kit';
import { CONDITION_TITLES, SEVERITY_LABELS, type CrisisGuidance, type PatientAlert } from '../../lib/patient-api';
import { EMERGENCY_GUIDANCE } from '../../lib/guidance';

/** Shown first while a crisis-range reading awaits its re-measure: what to do right now. */
export function CrisisBanner({ guidance, timeZone }: { guidance: CrisisGuidance; timeZone: string }) {
  return (
    <section className="crisis" role="alert" aria-labelledby="crisis-heading">
      <h2 id="crisis-heading">Your blood pressure is very high</h2>
      <p className="crisis__lead">
        <strong>Call emergency services now</strong> ({EMERGENCY_GUIDANCE.emergencyNumberExample}) if you have any of these:
      </p>
      <ul className="symptoms symptoms--on-danger">
        {guidance.emergencySymptoms.map((symptom) => (
          <li key={symptom}>{symptom}</li>
        ))}
      </ul>
      <p>{guidance.message}</p>
      {guidance.remeasureAt && (
        <p className="crisis__remeasure">
          No symptoms? Rest quietly, then measure again at <strong>{formatInZone(new Date(guidance.remeasureAt), timeZone)}</strong>.
        </p>
      )}
      <p className="crisis__notice">{guidance.monitoringNotice}</p>
    </section>
  );
}

export function AlertsSection({ alerts, timeZone }: { alerts: readonly PatientAlert[]; timeZone: string }) {
  return (
    <section className="card" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      {alerts.length === 0 ? (
        <p>You have no open alerts.</p>
      ) : (
        <ul className="alert-list">
          {alerts.map((alert) => (
            <li key={alert.id} className={`alert alert--${alert.severity.toLowerCase()}`}>
              <article aria-labelledby={`alert-${alert.id}`}>
                <p className="alert__severity">{SEVERITY_LABELS[alert.severity] ?? alert.severity}</p>
                <h3 id={`alert-${alert.id}`} className="alert__title">
                  {CONDITION_TITLES[alert.condition] ?? alert.condition}
                </h3>
                <p className="alert__guidance">{alert.guidance}</p>
                <p className="alert__notice">{alert.monitoringNotice}</p>
                <p className="alert__meta">
                  Raised {formatInZone(new Date(alert.raisedAt), timeZone)}.{' '}
                  {alert.acknowledgedAt ? 'Your care team has seen this alert.' : 'Your care team has not seen this alert yet.'}
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
