import { callAsUser, type PortalSession } from '@clinloop/portal-kit/session';
import { CLINICIAN_PORTAL } from './portal';

export interface QueuedAlert {
  readonly patientName: string;
  readonly acknowledged: boolean;
  readonly alert: {
    readonly id: string;
    readonly patientId: string;
    readonly condition: string;
    readonly severity: string;
    readonly message: string;
    readonly raisedAt: string;
    readonly acknowledgedAt: string | null;
  };
}

export interface StaffViewer {
  readonly id: string;
  readonly role: string;
  readonly displayName: string;
  readonly email: string;
}

const call = <T>(session: PortalSession, query: string, variables: Record<string, unknown> = {}) => callAsUser<T>(CLINICIAN_PORTAL, session, query, variables);

export async function staffViewerOf(session: PortalSession): Promise<StaffViewer> {
  const { me } = await call<{ me: StaffViewer }>(session, '{ me { id role displayName email } }');
  return me;
}

/** Open alerts of the clinician's care teams, as the API orders them: CRITICAL first, then oldest first. */
export async function alertQueueOf(session: PortalSession): Promise<QueuedAlert[]> {
  const { alertQueue } = await call<{ alertQueue: QueuedAlert[] }>(
    session,
    '{ alertQueue(limit: 200) { patientName acknowledged alert { id patientId condition severity message raisedAt acknowledgedAt } } }',
  );
  return alertQueue;
}

export async function acknowledgeAlert(session: PortalSession, alertId: string): Promise<void> {
  await call<unknown>(session, 'mutation Acknowledge($alertId: ID!) { acknowledgeAlert(alertId: $alertId) { id acknowledgedAt } }', { alertId });
}

export const CONDITION_LABELS: Readonly<Record<string, string>> = {
  HYPERTENSIVE_CRISIS: 'Hypertensive crisis',
  PERSISTENT_HYPOTENSION: 'Persistent hypotension',
  PERSISTENT_UNCONTROLLED: 'Persistently above target',
  PREGNANCY_ON_ACE_OR_ARB: 'Pregnancy on ACE inhibitor / ARB',
};
