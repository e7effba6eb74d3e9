import type { AlertCondition, AlertSeverity } from '@clinloop/clinical';

/** Why a notification goes out. */
export type AlertNotificationKind = 'RAISED' | 'WORSENED' | 'ESCALATED';

export interface AlertNotification {
  readonly kind: AlertNotificationKind;
  readonly alertId: string;
  readonly organizationId: string;
  readonly patientId: string;
  readonly recipientUserId: string;
  readonly condition: AlertCondition;
  readonly severity: AlertSeverity;
  readonly message: string;
}

/**
 * Where alert notifications go: in-app now; e-mail, SMS or webhook channels implement the same
 * interface. Called after the alert change is stored, inside the same transaction, so a channel
 * that only queues (an outbox) stays consistent with the alert.
 */
export interface AlertNotifier {
  notify(notification: AlertNotification): Promise<void>;
}

export const ALERT_NOTIFIER = Symbol('ALERT_NOTIFIER');
