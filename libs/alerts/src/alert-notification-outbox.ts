import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '@clinloop/auth';
import type { AlertCondition, AlertSeverity } from '@clinloop/clinical';
import { describeError } from '@clinloop/errors';
import type { AlertNotification, AlertNotificationKind, AlertNotifier } from './alert-notifier';

/** What the outbox needs to know about the alert a notification is about. */
export interface NotifiedAlert {
  readonly id: string;
  readonly organizationId: string;
  readonly patientId: string;
  readonly condition: AlertCondition;
  readonly severity: AlertSeverity;
}

/**
 * Queues one notification per recipient in the caller's transaction: it exists exactly when the
 * alert change it announces committed, and is delivered afterwards by AlertNotificationDispatcher.
 */
export async function queueAlertNotifications(
  manager: EntityManager,
  alert: NotifiedAlert,
  kind: AlertNotificationKind,
  recipientUserIds: readonly string[],
  now: Date,
): Promise<void> {
  if (recipientUserIds.length === 0) return;
  await manager.query(
    `INSERT INTO alert_notifications (alert_id, kind, organization_id, patient_id, recipient_user_id, condition, severity, created_at, next_attempt_at)
     SELECT $1, $2, $3, $4, recipient, $5, $6, $7, $7 FROM unnest($8::uuid[]) WITH ORDINALITY AS r(recipient, position) ORDER BY position`,
    [alert.id, kind, alert.organizationId, alert.patientId, alert.condition, alert.severity, now.toISOString(), recipientUserIds],
  );
}

export interface DispatchOptions {
  /** Notifications handed to the channel per round. */
  readonly batchSize?: number;
  /** After this many failed attempts a notification stays undelivered (its last error kept) and is logged as given up. */
  readonly maxAttempts?: number;
  /** First retry delay; doubled per attempt, capped at 15 minutes. */
  readonly retryAfterMs?: number;
  /** How long a claimed notification is held before another round may claim it again (a crashed round). */
  readonly claimMs?: number;
  readonly onDelivered?: (notification: AlertNotification) => void;
  readonly onFailed?: (notification: AlertNotification, error: unknown, gaveUp: boolean) => void;
}

export interface DispatchRound {
  readonly delivered: number;
  readonly failed: number;
}

interface OutboxRow {
  id: string;
  kind: AlertNotificationKind;
  alert_id: string;
  organization_id: string;
  patient_id: string;
  recipient_user_id: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  created_at: Date;
  attempts: number;
}

const MAX_RETRY_MS = 15 * 60_000;

/**
 * Delivers queued alert notifications through one channel, after their transaction committed. A round
 * claims due notifications in a short transaction (SKIP LOCKED, so several workers share the work),
 * calls the channel outside any transaction, and records each result: delivered, or the error and the
 * next attempt (exponential backoff). A channel failure is logged and counted; the alert stays as it is.
 * Delivery is at least once: the notification id lets a receiver drop a repeat.
 */
export class AlertNotificationDispatcher {
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly retryAfterMs: number;
  private readonly claimMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: AlertNotifier,
    private readonly clock: Clock,
    private readonly options: DispatchOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.retryAfterMs = options.retryAfterMs ?? 10_000;
    this.claimMs = options.claimMs ?? 5 * 60_000;
  }

  async deliverDue(): Promise<DispatchRound> {
    const now = this.clock.now();
    // A CTE, so the driver returns the rows (a bare UPDATE comes back as [rows, count]).
    const claimed = await this.dataSource.query<OutboxRow[]>(
      `WITH claimed AS (
         UPDATE alert_notifications n SET attempts = n.attempts + 1, next_attempt_at = $2
          WHERE n.id IN (SELECT id FROM alert_notifications
                          WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND attempts < $3
                          ORDER BY next_attempt_at, created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
          RETURNING n.id, n.kind, n.alert_id, n.organization_id, n.patient_id, n.recipient_user_id, n.condition, n.severity, n.created_at, n.attempts
       )
       SELECT id::text AS id, kind, alert_id::text AS alert_id, organization_id::text AS organization_id, patient_id::text AS patient_id,
              recipient_user_id::text AS recipient_user_id, condition, severity, created_at, attempts
         FROM claimed ORDER BY created_at, id`,
      [now.toISOString(), new Date(now.getTime() + this.claimMs).toISOString(), this.maxAttempts, this.batchSize],
    );
    let delivered = 0;
    let failed = 0;
    for (const row of claimed) {
      const notification: AlertNotification = {
        id: row.id,
        kind: row.kind,
        alertId: row.alert_id,
        organizationId: row.organization_id,
        patientId: row.patient_id,
        recipientUserId: row.recipient_user_id,
        condition: row.condition,
        severity: row.severity,
        occurredAt: new Date(row.created_at),
      };
      try {
        await this.notifier.notify(notification);
        await this.dataSource.query(`UPDATE alert_notifications SET delivered_at = $2, channel = $3, last_error = NULL WHERE id = $1`, [row.id, this.clock.now().toISOString(), this.notifier.channel]);
        delivered++;
        this.options.onDelivered?.(notification);
      } catch (error) {
        const gaveUp = row.attempts >= this.maxAttempts;
        const retryIn = Math.min(MAX_RETRY_MS, this.retryAfterMs * 2 ** (row.attempts - 1));
        await this.dataSource.query(`UPDATE alert_notifications SET last_error = $2, next_attempt_at = $3, channel = $4 WHERE id = $1`, [
          row.id,
          describeError(error).slice(0, 1000),
          new Date(this.clock.now().getTime() + retryIn).toISOString(),
          this.notifier.channel,
        ]);
        failed++;
        this.options.onFailed?.(notification, error, gaveUp);
      }
    }
    return { delivered, failed };
  }
}
