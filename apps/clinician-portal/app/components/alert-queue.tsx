import { ageOf } from '@clinloop/portal-kit';
import { CONDITION_LABELS, type QueuedAlert } from '../../lib/clinician-api';
import { AcknowledgeCell } from './acknowledge-button';

const SEVERITY_MARK: Readonly<Record<string, string>> = { CRITICAL: '▲▲', HIGH: '▲', MEDIUM: '●', LOW: '○' };

function absoluteTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }) + ' UTC';
}

/** The queue as a table: severity, patient, what, how long ago, and acknowledge - all keyboard-operable. */
export function AlertQueue({ queue, now }: { queue: readonly QueuedAlert[]; now: Date }) {
  const criticalOpen = queue.filter((item) => item.alert.severity === 'CRITICAL' && !item.acknowledged).length;
  const unacknowledged = queue.filter((item) => !item.acknowledged).length;
  if (queue.length === 0) {
    return (
      <section className="panel" aria-labelledby="queue-heading">
        <h2 id="queue-heading">Open alerts</h2>
        <p className="banner banner--ok" role="status">
          No open alerts for your care teams&apos; patients.
        </p>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="queue-heading">
      <h2 id="queue-heading">Open alerts</h2>
      <p className={criticalOpen > 0 ? 'queue-summary queue-summary--critical' : 'queue-summary'} role="status">
        {queue.length} open · {unacknowledged} not acknowledged
        {criticalOpen > 0 && (
          <>
            {' · '}
            <strong>
              {criticalOpen} critical not acknowledged
            </strong>
          </>
        )}
      </p>
      <div className="table-scroll">
        <table className="data-table queue-table">
          <caption className="visually-hidden">Open alerts, most severe first, then oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Patient</th>
              <th scope="col">Alert</th>
              <th scope="col">Raised</th>
              <th scope="col">Acknowledgment</th>
            </tr>
          </thead>
          <tbody>
            {queue.map(({ alert, patientName, acknowledged }) => (
              <tr key={alert.id} className={`queue-row queue-row--${alert.severity.toLowerCase()}${acknowledged ? ' queue-row--acknowledged' : ''}`}>
                <td>
                  <span className={`severity severity--${alert.severity.toLowerCase()}`}>
                    <span aria-hidden="true">{SEVERITY_MARK[alert.severity] ?? ''} </span>
                    {alert.severity}
                  </span>
                </td>
                <th scope="row">{patientName}</th>
                <td>
                  <span className="queue-condition">{CONDITION_LABELS[alert.condition] ?? alert.condition}</span>
                  <span className="queue-message">{alert.message}</span>
                </td>
                <td className="num">
                  <span className="queue-age">{ageOf(new Date(alert.raisedAt), now)}</span>
                  <span className="queue-time">{absoluteTime(alert.raisedAt)}</span>
                </td>
                <td>
                  <AcknowledgeCell
                    alertId={alert.id}
                    patientName={patientName}
                    severity={alert.severity}
                    acknowledgedLabel={acknowledged ? `Acknowledged${alert.acknowledgedAt ? ` ${ageOf(new Date(alert.acknowledgedAt), now)}` : ''}` : null}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
