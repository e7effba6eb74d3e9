import { createHmac } from 'node:crypto';
import type { AlertNotification, AlertNotifier } from './alert-notifier';
import { AlertsError, AlertsErrorCode } from './errors';

export interface WebhookChannelSettings {
  readonly url: string;
  /** Shared with the receiver, which recomputes the signature over `<timestamp>.<body>`. */
  readonly secret: string;
  readonly timeoutMs: number;
}

export const WEBHOOK_SIGNATURE_HEADER = 'x-clinloop-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-clinloop-timestamp';
export const WEBHOOK_DELIVERY_HEADER = 'x-clinloop-delivery';

/** The JSON a webhook receives: identifiers and codes, nothing that identifies the patient beyond the id. */
export function webhookBody(notification: AlertNotification): string {
  return JSON.stringify({
    id: notification.id,
    type: `alert.${notification.kind.toLowerCase()}`,
    alertId: notification.alertId,
    organizationId: notification.organizationId,
    patientId: notification.patientId,
    recipientUserId: notification.recipientUserId,
    condition: notification.condition,
    severity: notification.severity,
    occurredAt: notification.occurredAt.toISOString(),
  });
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the timestamp is signed so a captured request cannot be replayed later as new. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The webhook channel: POSTs each notification as JSON, signed with HMAC-SHA256, and fails on a
 * timeout or any non-2xx answer (the dispatcher then retries with backoff).
 */
export class WebhookAlertNotifier implements AlertNotifier {
  readonly channel = 'webhook';

  constructor(
    private readonly settings: WebhookChannelSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async notify(notification: AlertNotification): Promise<void> {
    const body = webhookBody(notification);
    const timestamp = String(Math.floor(this.now().getTime() / 1000));
    let status: number;
    try {
      const response = await fetch(this.settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(this.settings.secret, timestamp, body),
          [WEBHOOK_DELIVERY_HEADER]: notification.id,
        },
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        redirect: 'error',
      });
      status = response.status;
      // Drain the body so the connection is reused.
      await response.arrayBuffer();
    } catch (error) {
      throw new AlertsError(AlertsErrorCode.NOTIFICATION_FAILED, `webhook delivery failed: ${describeFetchError(error, this.settings.timeoutMs)}`, { notificationId: notification.id }, { cause: error });
    }
    if (status < 200 || status >= 300) {
      throw new AlertsError(AlertsErrorCode.NOTIFICATION_FAILED, `webhook answered HTTP ${status}`, { notificationId: notification.id, status });
    }
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
