import { callAsUser, type PortalSession, type Viewer } from '@clinloop/portal-kit/session';
import { PATIENT_PORTAL } from './portal';

/** The GraphQL the patient portal uses, with the shapes it reads. */

export interface PatientAlert {
  readonly id: string;
  readonly condition: string;
  readonly severity: string;
  readonly guidance: string;
  readonly monitoringNotice: string;
  readonly raisedAt: string;
  readonly acknowledgedAt: string | null;
  readonly resolvedAt: string | null;
}

export interface CrisisGuidance {
  readonly triggeredAt: string;
  readonly status: string;
  readonly message: string;
  readonly emergencySymptoms: readonly string[];
  readonly remeasureAt: string | null;
  readonly confirmBy: string;
  readonly monitoringNotice: string;
}

export type SignedInPatient = Viewer & { readonly patient: NonNullable<Viewer['patient']> };

const call = <T>(session: PortalSession, query: string, variables: Record<string, unknown> = {}) => callAsUser<T>(PATIENT_PORTAL, session, query, variables);

export async function viewerOf(session: PortalSession): Promise<SignedInPatient | null> {
  const { me } = await call<{ me: Viewer }>(session, '{ me { id role displayName email patient { id givenName familyName timeZone } } }');
  return me.patient ? { ...me, patient: me.patient } : null;
}

export async function alertsOf(session: PortalSession, patientId: string): Promise<PatientAlert[]> {
  const { alerts } = await call<{ alerts: PatientAlert[] }>(
    session,
    'query PatientAlerts($patientId: ID!) { alerts(patientId: $patientId) { id condition severity guidance monitoringNotice raisedAt acknowledgedAt resolvedAt } }',
    { patientId },
  );
  return alerts;
}

export async function crisisGuidanceOf(session: PortalSession, patientId: string): Promise<CrisisGuidance | null> {
  const { crisisGuidance } = await call<{ crisisGuidance: CrisisGuidance | null }>(
    session,
    'query CrisisGuidance($patientId: ID!) { crisisGuidance(patientId: $patientId) { triggeredAt status message emergencySymptoms remeasureAt confirmBy monitoringNotice } }',
    { patientId },
  );
  return crisisGuidance;
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

/** Open alerts, most urgent first, then newest first. */
export function openAlertsMostUrgentFirst(alerts: readonly PatientAlert[]): PatientAlert[] {
  return alerts
    .filter((alert) => alert.resolvedAt === null)
    .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
}

/** What each alert is about, in the patient's words. */
export const CONDITION_TITLES: Readonly<Record<string, string>> = {
  HYPERTENSIVE_CRISIS: 'Very high blood pressure',
  PERSISTENT_HYPOTENSION: 'Low blood pressure',
  PERSISTENT_UNCONTROLLED: 'Blood pressure above your target',
  PREGNANCY_ON_ACE_OR_ARB: 'A medicine to stop during pregnancy',
};

export const SEVERITY_LABELS: Readonly<Record<string, string>> = {
  CRITICAL: 'Urgent',
  HIGH: 'Important',
  MEDIUM: 'Please read',
  LOW: 'For your information',
};

export interface PatientReading {
  readonly id: string;
  readonly measuredAt: string;
  readonly systolic: number | null;
  readonly diastolic: number | null;
  readonly heartRate: number | null;
  /** DEVICE, FHIR or MANUAL. */
  readonly source: string;
  readonly enteredInError: boolean;
  /** CRISIS_RANGE, HYPOTENSIVE_SYSTOLIC, HYPOTENSIVE_DIASTOLIC, LATE, ENTERED_IN_ERROR, SUPPORTING_DATA. */
  readonly flags: readonly string[];
}

export const isCrisisRange = (reading: PatientReading): boolean => reading.flags.includes('CRISIS_RANGE');
export const isHypotensive = (reading: PatientReading): boolean => reading.flags.some((flag) => flag.startsWith('HYPOTENSIVE_'));

/** How many recent readings the home page lists. */
export const RECENT_READINGS = 20;

const READING_FIELDS = 'id measuredAt systolic diastolic heartRate source enteredInError flags';

export async function recentReadingsOf(session: PortalSession, patientId: string): Promise<PatientReading[]> {
  const { readings } = await call<{ readings: PatientReading[] }>(
    session,
    `query RecentReadings($patientId: ID!, $first: Int!) { readings(patientId: $patientId, first: $first) { ${READING_FIELDS} } }`,
    { patientId, first: RECENT_READINGS },
  );
  return readings;
}

export interface ReadingSubmission {
  readonly patientId: string;
  readonly idempotencyKey: string;
  /** RFC 3339 with the patient's UTC offset. */
  readonly measuredAt: string;
  readonly systolic: number;
  readonly diastolic: number;
  readonly heartRate: number | null;
}

/** Stores a typed-in reading; a retry with the same idempotency key returns the first one (`replayed`). */
export async function submitReading(session: PortalSession, submission: ReadingSubmission): Promise<{ reading: PatientReading; replayed: boolean }> {
  const mmHg = (value: number) => ({ value, unit: 'mm[Hg]' });
  const { submitReading: result } = await call<{ submitReading: { reading: PatientReading; replayed: boolean } }>(
    session,
    `mutation SubmitReading($input: SubmitReadingInput!) { submitReading(input: $input) { replayed reading { ${READING_FIELDS} } } }`,
    {
      input: {
        patientId: submission.patientId,
        idempotencyKey: submission.idempotencyKey,
        measuredAt: submission.measuredAt,
        systolic: mmHg(submission.systolic),
        diastolic: mmHg(submission.diastolic),
        heartRate: submission.heartRate === null ? null : { value: submission.heartRate, unit: '/min' },
      },
    },
  );
  return result;
}

export async function markReadingEnteredInError(session: PortalSession, readingId: string, reason: string): Promise<void> {
  await call<unknown>(
    session,
    'mutation MarkEnteredInError($readingId: ID!, $reason: String!) { markReadingEnteredInError(readingId: $readingId, reason: $reason) { id enteredInError } }',
    { readingId, reason },
  );
}
