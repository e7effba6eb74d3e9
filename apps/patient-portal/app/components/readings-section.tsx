import { formatInZone } from '@clinloop/portal-kit';
import { isCrisisRange, isHypotensive, type PatientReading } from '../../lib/patient-api';
import { EnteredInErrorForm } from './entered-in-error-form';

const SOURCE_LABELS: Readonly<Record<string, string>> = { MANUAL: 'typed in', DEVICE: 'from your device', FHIR: 'from your device' };

export function ReadingsList({ readings, timeZone }: { readings: readonly PatientReading[]; timeZone: string }) {
  if (readings.length === 0) return <p>No readings yet. Readings from your cuff and readings you type in appear here.</p>;
  return (
    <ol className="reading-list">
      {readings.map((reading) => {
        const when = formatInZone(new Date(reading.measuredAt), timeZone);
        const values = reading.systolic !== null && reading.diastolic !== null ? `${reading.systolic}/${reading.diastolic}` : '-';
        return (
          <li key={reading.id} className={reading.enteredInError ? 'reading reading--error' : 'reading'}>
            <div className="reading__main">
              <p className="reading__values">
                <span className="reading__bp">{values}</span> <span className="reading__unit">mmHg</span>
                {reading.heartRate !== null && <span className="reading__pulse"> · pulse {reading.heartRate}</span>}
              </p>
              <p className="reading__meta">
                {when} · {SOURCE_LABELS[reading.source] ?? reading.source}
              </p>
              {reading.enteredInError && <p className="reading__flag">Entered in error - not used</p>}
              {!reading.enteredInError && isCrisisRange(reading) && <p className="reading__flag reading__flag--danger">Very high</p>}
              {!reading.enteredInError && isHypotensive(reading) && <p className="reading__flag reading__flag--warning">Low</p>}
            </div>
            {!reading.enteredInError && <EnteredInErrorForm readingId={reading.id} label={`${values} on ${when}`} />}
          </li>
        );
      })}
    </ol>
  );
}
