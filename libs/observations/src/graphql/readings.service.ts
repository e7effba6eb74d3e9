import type { DataSource, EntityManager } from 'typeorm';
import { auditActorFor } from '@clinloop/auth';
import { AuthzError, AuthzErrorCode, type PatientRecordSubject, type SecurityContext } from '@clinloop/authz';
import { classifyHomeMean, classifyReading, type BloodPressure, type ClinicalRules, type FeatureWindow } from '@clinloop/clinical';
import { isClinLoopError } from '@clinloop/errors';
import type { DeviceKind } from '@clinloop/patients';
import { ObservationError, ObservationErrorCode } from '../errors';
import { loadFeatureWindows } from '../feature-windows';
import type { ManualReadingsService } from '../manual-readings.service';
import type { BodyPosition, ReadingSource } from '../reading';
import type { SubmitReadingInput } from './dto/submit-reading.input';
import { patientRecordOf, readablePatientRecord } from './patient-record';
import type { BloodPressurePairModel, HomeSummaryModel } from './models/home-summary.model';
import type { ReadingFlagName, ReadingModel, SubmittedReadingModel } from './models/reading.model';

export const MAX_READINGS_PAGE = 500;

export interface ReadingsQuery {
  readonly patientId: string;
  readonly from?: Date | null;
  readonly to?: Date | null;
  readonly first: number;
}

interface ReadingRow {
  id: string;
  patient_id: string;
  measured_at: Date;
  utc_offset_minutes: number;
  received_at: Date;
  stored_at: Date;
  source: ReadingSource;
  device_id: string | null;
  device_kind: DeviceKind | null;
  sbp: number | null;
  dbp: number | null;
  heart_rate: number | null;
  steps: number | null;
  body_position: BodyPosition | null;
  original_pressure_unit: string | null;
  original_sbp: number | null;
  original_dbp: number | null;
  counts_toward_decisions: boolean;
  late: boolean;
  entered_in_error: boolean;
  entered_in_error_reason: string | null;
}

const READING_COLUMNS = `id, patient_id, measured_at, utc_offset_minutes, received_at, stored_at, source, device_id, device_kind, sbp, dbp,
  heart_rate, steps, body_position, original_pressure_unit, original_sbp, original_dbp, counts_toward_decisions, late,
  entered_in_error, entered_in_error_reason`;

/**
 * Readings and home summaries as a patient or their care team may see them, and the manual entry
 * and correction mutations behind the GraphQL edge. Every read is recorded in the request's audit
 * entries; every change is audited by ManualReadingsService in its own transaction.
 */
export class ReadingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly manual: ManualReadingsService,
    private readonly rules: ClinicalRules,
  ) {}

  /** The patient's readings, newest first, entered-in-error ones included and flagged. */
  async readings(security: SecurityContext, query: ReadingsQuery): Promise<ReadingModel[]> {
    const subject = await readablePatientRecord(this.dataSource.manager, security, query.patientId, 'Observation');
    const rows = await this.dataSource.query<ReadingRow[]>(
      `SELECT ${READING_COLUMNS} FROM observations_current
        WHERE patient_id = $1 AND measured_at >= coalesce($2::timestamptz, '-infinity') AND measured_at < coalesce($3::timestamptz, 'infinity')
        ORDER BY measured_at DESC, id LIMIT $4`,
      [subject.patientId, query.from?.toISOString() ?? null, query.to?.toISOString() ?? null, Math.min(Math.max(query.first, 0), MAX_READINGS_PAGE)],
    );
    security.audit.record({
      action: 'observations.read',
      resource: { type: 'Observation', id: null },
      patientId: subject.patientId,
      outcome: 'success',
      payload: { count: rows.length },
    });
    return rows.map((row) => this.toModel(row, subject)).filter((model) => security.ability.can('read', model.authzSubject));
  }

  /** A reading typed in for a patient (their own, or by their care team): same validation and storing path as devices. */
  async submitReading(security: SecurityContext, input: SubmitReadingInput): Promise<SubmittedReadingModel> {
    const subject = await readablePatientRecord(this.dataSource.manager, security, input.patientId, 'Observation');
    if (!security.ability.can('create', subject)) {
      throw new AuthzError(AuthzErrorCode.FORBIDDEN, 'You may not enter readings for this patient.');
    }
    try {
      const result = await this.manual.submitManualReading(auditActorFor(security.principal), {
        patientId: subject.patientId,
        idempotencyKey: input.idempotencyKey,
        measuredAt: input.measuredAt,
        systolic: { value: input.systolic.value, unit: input.systolic.unit },
        diastolic: { value: input.diastolic.value, unit: input.diastolic.unit },
        heartRate: input.heartRate ? { value: input.heartRate.value, unit: input.heartRate.unit } : null,
        bodyPosition: input.bodyPosition ?? null,
      });
      const reading = await this.reading(this.dataSource.manager, result.observationId, subject);
      return { reading, replayed: result.replayed, authzSubject: reading.authzSubject };
    } catch (error) {
      // Refused input is recorded with the request: who tried to enter what kind of wrong reading.
      if (isClinLoopError(error)) {
        security.audit.record({
          action: 'observation.submit',
          resource: { type: 'Observation', id: null },
          patientId: subject.patientId,
          outcome: 'failure',
          reason: error.code,
        });
      }
      throw error;
    }
  }

  /** Marks a reading entered in error (the patient's own, or a care-team patient's): kept, audited, out of every decision. */
  async markEnteredInError(security: SecurityContext, readingId: string, reason: string): Promise<ReadingModel> {
    const principal = security.principal;
    if (principal.kind === 'anonymous') throw new ObservationError(ObservationErrorCode.READING_NOT_FOUND, 'No such reading.');
    const checked: { subject: PatientRecordSubject | null } = { subject: null };
    await this.manual.markEnteredInError(auditActorFor(principal), {
      observationId: readingId,
      reason,
      mayCorrect: async (patientId) => {
        checked.subject = await patientRecordOf(this.dataSource.manager, principal.organizationId, patientId, 'Observation');
        return checked.subject !== null && security.ability.can('update', checked.subject);
      },
    });
    if (checked.subject === null) throw new ObservationError(ObservationErrorCode.READING_NOT_FOUND, 'No such reading.');
    return this.reading(this.dataSource.manager, readingId, checked.subject);
  }

  /** The current 7/14/30-day windows; null before the patient's first decision reading. */
  async homeSummary(security: SecurityContext, patientId: string): Promise<HomeSummaryModel | null> {
    const subject = await readablePatientRecord(this.dataSource.manager, security, patientId, 'Observation');
    const stored = await loadFeatureWindows(this.dataSource.manager, subject.patientId);
    security.audit.record({
      action: 'feature-windows.read',
      resource: { type: 'Observation', id: null },
      patientId: subject.patientId,
      outcome: 'success',
    });
    if (!stored) return null;
    return {
      patientId: stored.patientId,
      asOfDay: stored.asOfDay,
      timeZone: stored.timeZone,
      updatedAt: stored.updatedAt,
      windows: stored.windows.map((window) => ({
        days: window.days,
        readings: window.readings,
        sessions: window.sessions,
        sessionMean: pair(window.sessionMean),
        sessionMeanSd: pair(window.sessionMeanSd),
        readingMean: pair(window.readingMean),
        morningMean: pair(window.morningMean),
        morningSessions: window.morningSessions,
        eveningMean: pair(window.eveningMean),
        eveningSessions: window.eveningSessions,
        slopePerWeek: pair(window.slopePerWeek),
        adherence: window.adherence,
        daysWithSessions: window.daysWithSessions,
        category: categoryOf(window, this.rules),
      })),
      authzSubject: { ...subject, id: subject.patientId },
    };
  }

  private async reading(manager: EntityManager, id: string, subject: PatientRecordSubject): Promise<ReadingModel> {
    const [row] = await manager.query<ReadingRow[]>(`SELECT ${READING_COLUMNS} FROM observations_current WHERE id = $1 AND patient_id = $2`, [
      id,
      subject.patientId,
    ]);
    if (!row) throw new ObservationError(ObservationErrorCode.READING_NOT_FOUND, 'No such reading.');
    return this.toModel(row, subject);
  }

  private toModel(row: ReadingRow, subject: PatientRecordSubject): ReadingModel {
    const classification = row.sbp !== null && row.dbp !== null ? classifyReading({ sbp: row.sbp, dbp: row.dbp }, this.rules) : null;
    const flags: ReadingFlagName[] = [...(classification?.flags ?? [])];
    if (row.late) flags.push('LATE');
    if (row.entered_in_error) flags.push('ENTERED_IN_ERROR');
    if (!row.counts_toward_decisions) flags.push('SUPPORTING_DATA');
    return {
      id: row.id,
      patientId: row.patient_id,
      measuredAt: new Date(row.measured_at),
      utcOffsetMinutes: row.utc_offset_minutes,
      receivedAt: new Date(row.received_at),
      storedAt: new Date(row.stored_at),
      source: row.source,
      deviceId: row.device_id,
      deviceKind: row.device_kind,
      systolic: row.sbp,
      diastolic: row.dbp,
      heartRate: row.heart_rate,
      steps: row.steps,
      bodyPosition: row.body_position,
      originalPressureUnit: row.original_pressure_unit,
      originalSystolic: row.original_sbp,
      originalDiastolic: row.original_dbp,
      // The stored flag is about the device; a correction takes the reading out of decisions too.
      countsTowardDecisions: row.counts_toward_decisions && !row.entered_in_error,
      late: row.late,
      enteredInError: row.entered_in_error,
      enteredInErrorReason: row.entered_in_error_reason,
      category: classification?.category ?? null,
      flags,
      authzSubject: { ...subject, id: row.id },
    };
  }
}

function pair(value: BloodPressure | null): BloodPressurePairModel | null {
  return value ? { systolic: value.sbp, diastolic: value.dbp } : null;
}

function categoryOf(window: Omit<FeatureWindow, 'category'>, rules: ClinicalRules): FeatureWindow['category'] {
  return window.sessionMean ? classifyHomeMean(window.sessionMean, rules) : null;
}
