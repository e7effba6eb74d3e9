import { AlertsService, IN_APP_NOTIFIER } from '@clinloop/alerts';
import { AuditService } from '@clinloop/audit';
import { SYSTEM_CLOCK } from '@clinloop/auth';
import { withTransaction } from '@clinloop/database';
import { describeError } from '@clinloop/errors';
import type { Logger } from '@clinloop/observability';
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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const round = async (): Promise<void> => {
    try {
      const outcomes = await withTransaction(dataSource, (manager) => service.escalateDue(manager));
      for (const outcome of outcomes) logger.warn({ ...outcome }, `alert ${outcome.alertId}: ${outcome.action}`);
    } catch (error) {
      logger.error({ err: error }, `alert escalation round failed (retried at the next poll): ${describeError(error)}`);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = round().finally(schedule);
    }, ESCALATION_POLL_MS);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
