import { Counter, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AlertNotificationDispatcher, AlertsService, IN_APP_NOTIFIER, WebhookAlertNotifier, type AlertNotifier } from '@clinloop/alerts';
import { AuditService } from '@clinloop/audit';
import { SYSTEM_CLOCK, type Clock } from '@clinloop/auth';
import { ConfigError, ConfigErrorCode, type AppConfig } from '@clinloop/config';
import { withTransaction } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import type { Logger } from '@clinloop/observability';
import { ReadingAlerts } from '@clinloop/observations';
import { startPollingJob, type PollingJob } from '@clinloop/scheduling';

/** How often the worker looks for CRITICAL alerts nobody acknowledged in time (the rule is 15 minutes). */
const ESCALATION_POLL_MS = 30_000;
/** How often it decides crisis episodes whose re-measure window closed (the window is 15 minutes). */
const CRISIS_SWEEP_POLL_MS = 30_000;
/** How often it hands queued notifications to the channel: the delay between an alert and its notification. */
const NOTIFICATION_POLL_MS = 2_000;

export type AlertChannelConfig = Pick<AppConfig, 'alertWebhookUrl' | 'alertWebhookSecret' | 'alertWebhookTimeoutMs'>;

export interface AlertJobsOptions {
  /** Which notification channel: the webhook when ALERT_WEBHOOK_URL is set, in-app otherwise (also when not given). */
  readonly config?: AlertChannelConfig;
  /** Where the delivery counters go (the worker's /metrics). */
  readonly metrics?: Registry;
  readonly clock?: Clock;
}

export interface AlertEscalation {
  stop(): Promise<void>;
}

/**
 * The notification channel the configuration asks for.
 * @throws ConfigError when ALERT_WEBHOOK_URL is set without ALERT_WEBHOOK_SECRET (an unsigned webhook is refused at start)
 */
export function alertNotifierFor(config: AlertChannelConfig | undefined): AlertNotifier {
  if (!config?.alertWebhookUrl) return IN_APP_NOTIFIER;
  if (!config.alertWebhookSecret) {
    throw new ConfigError(ConfigErrorCode.INVALID_SETTING, 'Invalid setting ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set (alert webhooks are always signed)', {
      variable: 'ALERT_WEBHOOK_SECRET',
    });
  }
  return new WebhookAlertNotifier({ url: config.alertWebhookUrl, secret: config.alertWebhookSecret, timeoutMs: config.alertWebhookTimeoutMs });
}

/**
 * The worker's alert jobs, each a polling job:
 * - escalation: a CRITICAL alert not acknowledged in time goes to the next care-team member
 *   (AlertsService.escalateDue decides, audits and queues the notification in one transaction per round);
 * - crisis sweep: a crisis episode with no re-measure by its due time raises its CRITICAL alert (once);
 * - notifications: queued notifications are delivered through the configured channel after commit;
 *   failures are logged, counted and retried, never undoing the alert.
 */
export function startAlertEscalation(dataSource: DataSource, logger: Logger, options: AlertJobsOptions = {}): AlertEscalation {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const service = new AlertsService(new AuditService(), clock);
  const readingAlerts = new ReadingAlerts(service);
  const notifier = alertNotifierFor(options.config);
  const registers = options.metrics ? [options.metrics] : [];
  const delivered = new Counter({ name: 'clinloop_alert_notifications_delivered_total', help: 'Alert notifications a channel accepted.', labelNames: ['channel'], registers });
  const failed = new Counter({ name: 'clinloop_alert_notifications_failed_total', help: 'Alert notification attempts that failed (retried with backoff).', labelNames: ['channel'], registers });
  const dispatcher = new AlertNotificationDispatcher(dataSource, notifier, clock, {
    onDelivered: () => delivered.inc({ channel: notifier.channel }),
    onFailed: (notification, error, gaveUp) => {
      failed.inc({ channel: notifier.channel });
      const details = { notificationId: notification.id, alertId: notification.alertId, channel: notifier.channel, gaveUp };
      if (gaveUp) logger.error(details, `alert notification ${notification.id} undeliverable, giving up: ${describeError(error)}`);
      else logger.warn(details, `alert notification ${notification.id} not delivered (retried): ${describeError(error)}`);
    },
  });
  logger.info({ channel: notifier.channel }, `alert notifications go out through the ${notifier.channel} channel`);

  const jobs: PollingJob[] = [
    startPollingJob({
      name: 'alert-escalation',
      intervalMs: ESCALATION_POLL_MS,
      run: async () => {
        const outcomes = await withTransaction(dataSource, (manager) => service.escalateDue(manager));
        for (const outcome of outcomes) logger.warn({ ...outcome }, `alert ${outcome.alertId}: ${outcome.action}`);
      },
      onError: (error) => logger.error({ err: error }, `alert escalation round failed (retried at the next poll): ${describeError(error)}`),
    }),
    startPollingJob({
      name: 'crisis-episode-sweep',
      intervalMs: CRISIS_SWEEP_POLL_MS,
      run: async () => {
        const settled = await withTransaction(dataSource, (manager) => readingAlerts.sweepDueCrisisEpisodes(manager, clock.now()));
        for (const episode of settled.filter((item) => item.raised !== null)) {
          logger.warn({ ...episode }, `crisis episode ${episode.episodeKey}: ${episode.status}, alert ${episode.raised?.toLowerCase() ?? ''}`);
        }
      },
      onError: (error) => logger.error({ err: error }, `crisis episode sweep failed (retried at the next poll): ${describeError(error)}`),
    }),
    startPollingJob({
      name: 'alert-notifications',
      intervalMs: NOTIFICATION_POLL_MS,
      run: async () => {
        await dispatcher.deliverDue();
      },
      onError: (error) => logger.error({ err: error }, `alert notification round failed (retried at the next poll): ${describeError(error)}`),
    }),
  ];
  return {
    stop: async () => {
      await Promise.all(jobs.map((job) => job.stop()));
    },
  };
}
