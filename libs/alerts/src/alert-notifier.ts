import type { AlertCondition, AlertSeverity } from '@clinloop/clinical';

/** Why a notification goes out. */
export type AlertNotificationKind = 'RAISED' | 'WORSENED' | 'ESCALATED';

/**
 * One notification of one care-team member about one alert. Identifiers and codes only: no readings,
 * no names, no free text - a channel may leave the building (webhook, e-mail, SMS).
 */
export interface AlertNotification {
  /** The delivery id: stable across retries, so a receiver can drop a repeat. */
  readonly id: string;
  readonly kind: AlertNotificationKind;
  readonly alertId: string;
  readonly organizationId: string;
  readonly patientId: string;
  readonly recipientUserId: string;
  readonly condition: AlertCondition;
  readonly severity: AlertSeverity;
  readonly occurredAt: Date;
}

/**
 * A notification channel: in-app by default; a webhook channel (WebhookAlertNotifier) can be switched
 * on by configuration, and e-mail or SMS channels implement the same interface. Called by the
 * AlertNotificationDispatcher after the alert's transaction committed (the notification outbox), never
 * inside it; a channel that throws is retried later and never undoes the alert.
 */
export interface AlertNotifier {
  /** Names the channel in the outbox row that records the delivery. */
  readonly channel: string;
  notify(notification: AlertNotification): Promise<void>;
}

/**
 * The in-app channel: the alert itself is what the portals list (`alerts`, `alertQueue`), so there is
 * nothing more to send; the outbox row is marked delivered.
 */
export const IN_APP_NOTIFIER: AlertNotifier = { channel: 'in-app', notify: () => Promise.resolve() };
