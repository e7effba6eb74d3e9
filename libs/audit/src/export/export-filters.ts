import { isUuid } from '../audit-entry';
import { isAuditTimestamp, toAuditTimestamp } from '../canonical-encoding';
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
  /** Organization UUID: entries its actors wrote or about its patients. */
  readonly organization?: string;
}

/** Command-line filter options as the export's filters, in the forms the hash and the table use. */
export function parseExportFilters(options: ExportFilterOptions): ExportFilters {
  return exportFilters({
    from: parseTime(options.from, '--from'),
    to: parseTime(options.to, '--to'),
    patientId: uuidOption(options.patient, '--patient', 'a patient UUID'),
    actorId: nonEmpty(options.actor, '--actor'),
    action: nonEmpty(options.action, '--action'),
    organizationId: uuidOption(options.organization, '--organization', 'an organization UUID'),
  });
}

/**
 * Filters from code (the auditor API, tests): the ones given, the rest null, checked as the command
 * line's are. Times must already be in the entry time format; UUIDs are lowercased.
 */
export function exportFilters(given: Partial<ExportFilters>): ExportFilters {
  const uuid = (value: string | null | undefined, name: string): string | null => {
    if (value === undefined || value === null) return null;
    const lower = value.toLowerCase();
    if (!isUuid(lower)) throw invalid(`${name} must be a UUID, not ${JSON.stringify(value)}`);
    return lower;
  };
  const time = (value: string | null | undefined, name: string): string | null => {
    if (value === undefined || value === null) return null;
    if (!isAuditTimestamp(value)) throw invalid(`${name} must be a UTC time YYYY-MM-DDTHH:MM:SS.ffffffZ, not ${JSON.stringify(value)}`);
    return value;
  };
  const text = (value: string | null | undefined, name: string): string | null => {
    if (value === undefined || value === null) return null;
    if (value.trim() === '') throw invalid(`${name} must not be empty`);
    return value;
  };
  const filters: ExportFilters = {
    from: time(given.from, 'from'),
    to: time(given.to, 'to'),
    patientId: uuid(given.patientId, 'patientId'),
    actorId: text(given.actorId, 'actorId'),
    action: text(given.action, 'action'),
    organizationId: uuid(given.organizationId, 'organizationId'),
  };
  if (filters.from !== null && filters.to !== null && filters.from >= filters.to) throw invalid('from must be before to');
  return filters;
}

function parseTime(value: string | undefined, option: string): string | null {
  if (value === undefined) return null;
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw invalid(`${option} must be an ISO 8601 date or time, not ${JSON.stringify(value)}`);
  return toAuditTimestamp(date);
}

function uuidOption(value: string | undefined, option: string, what: string): string | null {
  if (value === undefined) return null;
  const lower = value.toLowerCase();
  if (!isUuid(lower)) throw invalid(`${option} must be ${what}, not ${JSON.stringify(value)}`);
  return lower;
}

function nonEmpty(value: string | undefined, option: string): string | null {
  if (value === undefined) return null;
  if (value.trim() === '') throw invalid(`${option} must not be empty`);
  return value;
}

function invalid(message: string): AuditError {
  return new AuditError(AuditErrorCode.INVALID_EXPORT_REQUEST, message);
}
