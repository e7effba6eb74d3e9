import { AlertsService, IN_APP_NOTIFIER } from '@clinloop/alerts';
import { AuditService } from '@clinloop/audit';
import { SYSTEM_CLOCK } from '@clinloop/auth';
import { withTransaction } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import type { Logger } from '@clinloop/observability';
import { startPollingJob } from '@clinloop/scheduling';
import { DataSource } from 'typeorm';

/** How often the worker looks for CRITICAL alerts nobody acknowledged in time (the rule is 15 minutes). */
const ESCALATION_POLL_MS = 30_000;

export interface AlertEscalation {
  stop(): Promise<void>;
}

/**
 * The scheduled escalation job: a CRITICAL alert not acknowledged in time goes to the next care-team
 * member (AlertsService.escalateDue decides, audits and notifies in one transaction per round).
 */
export function startAlertEscalation(dataSource: DataSource, logger: Logger): AlertEscalation {
  const service = new AlertsService(new AuditService(), IN_APP_NOTIFIER, SYSTEM_CLOCK);
  return startPollingJob({
    name: 'alert-escalation',
    intervalMs: ESCALATION_POLL_MS,
    run: async () => {
      const outcomes = await withTransaction(dataSource, (manager) => service.escalateDue(manager));
      for (const outcome of outcomes) logger.warn({ ...outcome }, `alert ${outcome.alertId}: ${outcome.action}`);
    },
    onError: (error) => logger.error({ err: error }, `alert escalation round failed (retried at the next poll): ${describeError(error)}`),
  });
}
