import { isUuid } from '../audit-entry';
import { toAuditTimestamp } from '../canonical-encoding';
import { AuditError, AuditErrorCode } from '../errors';
import { ExportFilters } from './export-records';

export interface ExportFilterOptions {
  /** ISO 8601 date or date-time; inclusive. A date without a zone is taken as UTC. */
  readonly from?: string;
  /** Exclusive. */
  readonly to?: string;
  readonly patient?: string;
  readonly actor?: string;
  readonly action?: string;
}

/** Command-line filter options as the export's filters, in the forms the hash and the table use. */
export function parseExportFilters(options: ExportFilterOptions): ExportFilters {
  const patient = options.patient?.toLowerCase();
  if (patient !== undefined && !isUuid(patient)) throw invalid(`--patient must be a patient UUID, not ${JSON.stringify(options.patient)}`);
  const filters: ExportFilters = {
    from: parseTime(options.from, '--from'),
    to: parseTime(options.to, '--to'),
    patientId: patient ?? null,
    actorId: nonEmpty(options.actor, '--actor'),
    action: nonEmpty(options.action, '--action'),
  };
  if (filters.from !== null && filters.to !== null && filters.from >= filters.to) throw invalid('--from must be before --to');
  return filters;
}

function parseTime(value: string | undefined, option: string): string | null {
  if (value === undefined) return null;
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw invalid(`${option} must be an ISO 8601 date or time, not ${JSON.stringify(value)}`);
  return toAuditTimestamp(date);
}

function nonEmpty(value: string | undefined, option: string): string | null {
  if (value === undefined) return null;
  if (value.trim() === '') throw invalid(`${option} must not be empty`);
  return value;
}

function invalid(message: string): AuditError {
  return new AuditError(AuditErrorCode.INVALID_EXPORT_REQUEST, message);
}
