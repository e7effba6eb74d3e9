import { DataSource } from 'typeorm';
import { AuditService } from '@clinloop/audit';
import { ObservationIngestService, type IngestPolicy } from '@clinloop/observations';

/** The production defaults (INGEST_FUTURE_SKEW_SECONDS=300, INGEST_LATE_AFTER_MINUTES=1440). Free of vitest: child processes import it. */
export const TEST_POLICY: IngestPolicy = { futureSkewMs: 5 * 60_000, lateAfterMs: 24 * 3_600_000 };

export function ingestService(dataSource: DataSource): ObservationIngestService {
  return new ObservationIngestService(dataSource, new AuditService(), {
    component: 'worker.ingestion',
    policy: TEST_POLICY,
  });
}
