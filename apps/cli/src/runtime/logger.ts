import { createLogger, Logger } from '@clinloop/observability';
import type { AppConfig } from '@clinloop/config';

/** CLI commands log JSON to stderr-compatible stdout only when asked; humans get plain lines. */
export function cliLogger(config: AppConfig, component: string): Logger {
  return createLogger({ level: config.logLevel, component });
}
