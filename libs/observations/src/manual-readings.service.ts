import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuditActor } from '@clinloop/audit';
import { DEFAULT_RULES, type ClinicalRules, type Quantity } from '@clinloop/clinical';
import { withTransaction } from '@clinloop/database';
import type { AuditTrail } from './audit-trail';
import { ObservationError, ObservationErrorCode } from './errors';
import { updateFeatureWindows } from './feature-windows';
import type { ObservationIngestService } from './observation-ingest.service';
import { utcOffsetMinutesOf, type BodyPosition, type ReadingClaim } from './reading';
import { validateClaim, type IngestPolicy } from './reading-validation';

const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const MAX_REASON_LENGTH = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ManualReadingInput {
  readonly patientId: string;
  /** Chosen by the client per submission; a retry with the same key returns the first result. */
  readonly idempotencyKey: string;
  /** RFC 3339 with offset, as the patient's device showed it. */
  readonly measuredAt: string;
  readonly systolic: Quantity;
  readonly diastolic: Quantity;
  readonly heartRate?: Quantity | null;
  readonly bodyPosition?: BodyPosition | null;
}

export interface ManualReadingResult {
  readonly observationId: string;
  readonly measuredAt: Date;
  /** True when this key was seen before and the earlier reading is returned. */
  readonly replayed: boolean;
}

/**
 * Manual entry and corrections. A typed-in reading goes through the same validation and the same
 * storing transaction as a device reading; it is supporting data only (no device memory proves it),
 * so it never counts toward decisions. Corrections never change a reading: they append a mark.
 */
export class ManualReadingsService {
  private readonly rules: ClinicalRules;
  private readonly clock: () => Date;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly ingest: ObservationIngestService,
    private readonly policy: IngestPolicy,
    options: { readonly rules?: ClinicalRules; readonly clock?: () => Date } = {},
  ) {
    this.rules = options.rules ?? DEFAULT_RULES;
    this.clock = options.clock ?? (() => new Date());
  }

  async submitManualReading(actor: AuditActor, input: ManualReadingInput): Promise<ManualReadingResult> {
    const key = input.idempotencyKey.trim();
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new ObservationError(
        ObservationErrorCode.SCHEMA_INVALID,
        `idempotency key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      );
    }
    if (!RFC3339_WITH_OFFSET.test(input.measuredAt) || Number.isNaN(Date.parse(input.measuredAt))) {
      throw new ObservationError(
        ObservationErrorCode.SCHEMA_INVALID,
        'measuredAt must be an RFC 3339 time with a UTC offset',
      );
    }
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([
          input.measuredAt,
          input.systolic,
          input.diastolic,
          input.heartRate ?? null,
          input.bodyPosition ?? null,
        ]),
      )
      .digest('hex');
    const claim: ReadingClaim = {
      source: 'manual',
      deviceId: null,
      sequence: null,
      patientId: input.patientId,
      measuredAt: new Date(input.measuredAt),
      utcOffsetMinutes: utcOffsetMinutesOf(input.measuredAt),
      systolic: input.systolic,
      diastolic: input.diastolic,
      heartRate: input.heartRate ?? null,
      steps: null,
      bodyPosition: input.bodyPosition ?? null,
      firmware: null,
    };
    const now = this.clock();
    const validation = validateClaim(claim, null, { now, receivedAt: now }, this.policy, this.rules);
    if (!validation.ok)
      throw new ObservationError(validation.rejection.code, validation.rejection.reason, {
        patientId: input.patientId,
      });

    return withTransaction(this.dataSource, async (manager) => {
      // Two concurrent retries of one submission: the second waits here, then finds the first's row.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `manual-reading:${input.patientId}:${key}`,
      ]);
      const [previous] = await manager.query<
        { request_hash: string; observation_id: string; observation_measured_at: Date }[]
      >(
        'SELECT request_hash, observation_id, observation_measured_at FROM manual_reading_submissions WHERE patient_id = $1 AND idempotency_key = $2',
        [input.patientId, key],
      );
      if (previous) {
        if (previous.request_hash !== requestHash) {
          throw new ObservationError(
            ObservationErrorCode.IDEMPOTENCY_KEY_REUSED,
            'this idempotency key was used for a different reading',
            {
              patientId: input.patientId,
            },
          );
        }
        return {
          observationId: previous.observation_id,
          measuredAt: new Date(previous.observation_measured_at),
          replayed: true,
        };
      }
      const { stored } = await this.ingest.store(manager, [validation.reading], new Map(), {
        id: `manual:${input.patientId}:${key}`,
        actor,
      });
      const row = stored[0];
      if (!row) throw new Error('manual reading insert returned no row');
      await manager.query(
        `INSERT INTO manual_reading_submissions (patient_id, idempotency_key, request_hash, observation_id, observation_measured_at, submitted_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [input.patientId, key, requestHash, row.id, row.measuredAt.toISOString(), actorName(actor)],
      );
      return { observationId: row.id, measuredAt: row.measuredAt, replayed: false };
    });
  }

  /**
   * Marks a reading entered in error (never deletes it). Its contribution is taken out of the daily
   * aggregates and the patient's feature windows in the same transaction, with the audit entry.
   * `patientId`, when given, must be the reading's patient; `mayCorrect`, when given, is asked about
   * the reading's patient once it is locked (the GraphQL edge checks the caller's ability there).
   * Either refusing answers "not found", like a reading that does not exist.
   */
  async markEnteredInError(
    actor: AuditActor,
    input: {
      readonly observationId: string;
      readonly patientId?: string;
      readonly reason: string;
      readonly mayCorrect?: (patientId: string) => Promise<boolean>;
    },
  ): Promise<void> {
    if (!UUID.test(input.observationId)) {
      throw new ObservationError(ObservationErrorCode.READING_NOT_FOUND, 'no such reading');
    }
    const reason = input.reason.trim();
    if (reason.length === 0)
      throw new ObservationError(
        ObservationErrorCode.REASON_REQUIRED,
        'a reason is required to mark a reading entered in error',
      );
    if (reason.length > MAX_REASON_LENGTH)
      throw new ObservationError(
        ObservationErrorCode.REASON_REQUIRED,
        `the reason is limited to ${MAX_REASON_LENGTH} characters`,
      );
    await withTransaction(this.dataSource, async (manager) => {
      const [reading] = await manager.query<
        {
          id: string;
          patient_id: string;
          measured_at: Date;
          counts_toward_decisions: boolean;
        }[]
      >(
        'SELECT id, patient_id, measured_at, counts_toward_decisions FROM observations WHERE id = $1 FOR UPDATE',
        [input.observationId],
      );
      if (
        !reading ||
        (input.patientId !== undefined && reading.patient_id !== input.patientId) ||
        (input.mayCorrect !== undefined && !(await input.mayCorrect(reading.patient_id)))
      ) {
        throw new ObservationError(ObservationErrorCode.READING_NOT_FOUND, 'no such reading', {
          observationId: input.observationId,
        });
      }
      const inserted = await manager.query<{ id: string }[]>(
        `INSERT INTO observation_corrections (observation_id, observation_measured_at, patient_id, kind, reason, actor_type, actor_id)
         VALUES ($1, $2, $3, 'entered_in_error', $4, $5, $6) ON CONFLICT (observation_id, kind) DO NOTHING RETURNING id`,
        [
          reading.id,
          new Date(reading.measured_at).toISOString(),
          reading.patient_id,
          reason,
          actor.type,
          actorName(actor),
        ],
      );
      if (inserted.length === 0) {
        throw new ObservationError(
          ObservationErrorCode.ALREADY_ENTERED_IN_ERROR,
          'the reading is already marked entered in error',
          { observationId: reading.id },
        );
      }
      if (reading.counts_toward_decisions) {
        // Its day is recomputed from the readings that still count: sessions may split or vanish.
        await updateFeatureWindows(manager, [reading.patient_id], {
          rules: this.rules,
          changed: [{ patientId: reading.patient_id, measuredAt: new Date(reading.measured_at) }],
        });
      }
      await this.audit.append(manager, [
        {
          actor,
          action: 'observation.mark_entered_in_error',
          resource: { type: 'observation', id: reading.id },
          patientId: reading.patient_id,
          outcome: 'success',
          reason,
          payload: {
            measuredAt: new Date(reading.measured_at).toISOString(),
            countedTowardDecisions: reading.counts_toward_decisions,
          },
        },
      ]);
    });
  }
}

function actorName(actor: AuditActor): string {
  return actor.type === 'user' ? actor.userId : actor.component;
}
