import { DataSource, EntityManager } from 'typeorm';
import { AlertsService } from '@clinloop/alerts';
import type { AuditActor } from '@clinloop/audit';
import { DEFAULT_RULES, type ClinicalRules } from '@clinloop/clinical';
import { binaryArray, withTransaction, type BinaryArrayElements, type BinaryArrayType } from '@clinloop/database';
import type { DeviceKind } from '@clinloop/patients';
import type { AuditTrail } from './audit-trail';
import { ObservationErrorCode, type Rejection } from './errors';
import { applyNewReadings, NO_UPDATE, type FeatureWindowUpdate } from './incremental-feature-windows';
import { parseFhirObservation } from './fhir-observation.parser';
import type { ReadingClaim, ValidReading } from './reading';
import { ReadingAlerts } from './reading-alerts';
import { validateClaim, type IngestPolicy, type RegisteredDevice } from './reading-validation';
import { parseJsonBytes, parseWearableReading, type ParseResult } from './wearable-reading.parser';

export type MessageFormat = 'wearable-reading.v1' | 'fhir-r4-observation';

/** One stream message as the consumer hands it over: bytes, key and when it reached the broker. */
export interface RawReadingMessage {
  readonly format: MessageFormat;
  readonly key: string | null;
  readonly value: Buffer;
  readonly receivedAt: Date;
}

export interface StoredObservation {
  readonly id: string;
  readonly patientId: string;
  readonly measuredAt: Date;
  readonly storedAt: Date;
  readonly countsTowardDecisions: boolean;
}

export interface IngestOutcome {
  /** Rows this call inserted; a replayed batch gives none. */
  readonly stored: readonly StoredObservation[];
  /** Valid readings already stored before (same device, sequence and time). */
  readonly duplicates: number;
  /** Per input message, in order: null when accepted (stored or duplicate). */
  readonly rejections: readonly (Rejection | null)[];
  readonly featureWindows: FeatureWindowUpdate;
  readonly patientsQueuedForInference: number;
}

export interface ObservationIngestOptions {
  readonly policy: IngestPolicy;
  readonly rules?: ClinicalRules;
  readonly clock?: () => Date;
  /** Names the writer in the audit trail, e.g. `worker.ingestion`. */
  readonly component: string;
  /** The alert rules run on the stored rows; by default the crisis and hypotension rules with this service's audit and clock. */
  readonly readingAlerts?: ReadingAlerts;
}

/** Where a batch came from, recorded in its audit entry (`topic:partition:first-last`). */
export interface BatchReference {
  readonly id: string;
  readonly actor?: AuditActor;
  readonly requestId?: string | null;
}

interface InsertedRow {
  id: string;
  patient_id: string;
  /** Epoch milliseconds: numbers parse far faster than timestamp text (thousands of rows per batch). */
  measured_at_ms: number;
  stored_at_ms: number;
  counts_toward_decisions: boolean;
  sbp: number | null;
  dbp: number | null;
  /** The patient-local day and UTC offset of measured_at (patients.time_zone). */
  local_day: string;
  local_offset_minutes: number;
}

/**
 * The one ingest path of readings (Kafka device messages, FHIR Observations, manual entry): parse,
 * validate against the device registry and clinical-rules.md, then store a whole batch in one
 * transaction and derive everything downstream from the rows the INSERT actually returned, so a
 * replayed batch changes nothing anywhere.
 *
 * A database failure propagates (the consumer retries the batch); bad input never throws, it comes
 * back as a rejection with a code.
 */
export class ObservationIngestService {
  private readonly rules: ClinicalRules;
  private readonly clock: () => Date;
  private readonly readingAlerts: ReadingAlerts;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly options: ObservationIngestOptions,
  ) {
    this.rules = options.rules ?? DEFAULT_RULES;
    this.clock = options.clock ?? (() => new Date());
    this.readingAlerts = options.readingAlerts ?? new ReadingAlerts(new AlertsService(audit, { now: this.clock }, this.rules), this.rules);
  }

  /** Parses raw messages (native or FHIR), then ingests them as one batch. */
  async ingestMessages(
    messages: readonly RawReadingMessage[],
    batch: BatchReference,
  ): Promise<IngestOutcome> {
    const parsed = messages.map((message) => parseMessage(message));
    return this.ingestClaims(
      parsed.map((result, index) =>
        result.ok
          ? { claim: result.claim, receivedAt: messages[index]?.receivedAt ?? this.clock() }
          : result.rejection,
      ),
      batch,
    );
  }

  /**
   * Validates claims (or passes on earlier rejections) and stores the valid ones in one transaction.
   * Device lookup happens first and outside that transaction only to fail fast when the database is
   * down; the binding is checked at each reading's measured-at time.
   */
  async ingestClaims(
    inputs: readonly ({ readonly claim: ReadingClaim; readonly receivedAt: Date } | Rejection)[],
    batch: BatchReference,
  ): Promise<IngestOutcome> {
    const now = this.clock();
    const deviceIds = [
      ...new Set(
        inputs.flatMap((input) => ('claim' in input && input.claim.deviceId ? [input.claim.deviceId] : [])),
      ),
    ];
    const devices =
      deviceIds.length > 0
        ? await loadDevices(this.dataSource.manager, deviceIds)
        : new Map<string, RegisteredDevice>();
    const valid: ValidReading[] = [];
    const rejections = inputs.map((input): Rejection | null => {
      if (!('claim' in input)) return input;
      const device = input.claim.deviceId ? (devices.get(input.claim.deviceId) ?? null) : null;
      const result = validateClaim(
        input.claim,
        device,
        { now, receivedAt: input.receivedAt },
        this.options.policy,
        this.rules,
      );
      if (!result.ok) return result.rejection;
      valid.push(result.reading);
      return null;
    });
    if (valid.length === 0) {
      return {
        stored: [],
        duplicates: 0,
        rejections,
        featureWindows: NO_UPDATE,
        patientsQueuedForInference: 0,
      };
    }
    const kinds = new Map([...devices.values()].map((device) => [device.id, device.kind]));
    const result = await withTransaction(this.dataSource, (manager) =>
      this.store(manager, valid, kinds, batch),
    );
    return { ...result, duplicates: valid.length - result.stored.length, rejections };
  }

  /** Inserts, then feature windows, inference queue, alert rules and the audit entry - all from RETURNING. */
  async store(
    manager: EntityManager,
    readings: readonly ValidReading[],
    deviceKinds: ReadonlyMap<string, DeviceKind>,
    batch: BatchReference,
  ): Promise<Omit<IngestOutcome, 'duplicates' | 'rejections'>> {
    const rows = await insertReadings(manager, readings, deviceKinds);
    const stored = rows.map((row) => ({
      id: row.id,
      patientId: row.patient_id,
      measuredAt: new Date(row.measured_at_ms),
      storedAt: new Date(row.stored_at_ms),
      countsTowardDecisions: row.counts_toward_decisions,
    }));
    if (stored.length === 0) return { stored, featureWindows: NO_UPDATE, patientsQueuedForInference: 0 };
    const decisionReadings = rows.flatMap((row) =>
      row.counts_toward_decisions && row.sbp !== null && row.dbp !== null
        ? [
            {
              id: row.id,
              patientId: row.patient_id,
              measuredAt: new Date(row.measured_at_ms),
              sbp: row.sbp,
              dbp: row.dbp,
              day: row.local_day,
              utcOffsetMinutes: row.local_offset_minutes,
            },
          ]
        : [],
    );
    const featurePatients = [...new Set(decisionReadings.map((reading) => reading.patientId))].sort();
    const featureWindows = await applyNewReadings(manager, decisionReadings, this.rules);
    const patientsQueuedForInference =
      featurePatients.length > 0
        ? await enqueueForInference(manager, featurePatients, this.rules.enoughData.minValidCuffReadings)
        : 0;
    // Alert rules on the new sessions (crisis episodes, persistent hypotension): same transaction, inserted rows only.
    await this.readingAlerts.onStored(manager, stored, readings, this.clock());
    const patients = [...new Set(stored.map((row) => row.patientId))].sort();
    await this.audit.append(manager, [
      {
        actor: batch.actor ?? { type: 'system', component: this.options.component },
        action: 'observations.ingest',
        resource: { type: 'observation_batch', id: batch.id },
        // One patient: the entry belongs in that patient's access report; a mixed batch lists them.
        patientId: patients.length === 1 ? (patients[0] ?? null) : null,
        outcome: 'success',
        requestId: batch.requestId ?? null,
        payload: {
          count: stored.length,
          observationIds: stored.map((row) => row.id),
          patientIds: patients,
          late: readings.filter((reading) => reading.late).length,
        },
      },
    ]);
    return { stored, featureWindows, patientsQueuedForInference };
  }
}

function parseMessage(message: RawReadingMessage): ParseResult {
  const json = parseJsonBytes(message.value);
  if (!json.ok) return json;
  const parsed =
    message.format === 'fhir-r4-observation'
      ? parseFhirObservation(json.value)
      : parseWearableReading(json.value);
  // The key decides the partition, and with it the order of a patient's readings: a message keyed
  // by someone else would be ordered against the wrong patient's stream.
  if (parsed.ok && message.key !== null && message.key.toLowerCase() !== parsed.claim.patientId) {
    return {
      ok: false,
      rejection: {
        code: ObservationErrorCode.KEY_MISMATCH,
        reason: `message key ${message.key} is not the patient id ${parsed.claim.patientId}`,
      },
    };
  }
  return parsed;
}

export async function loadDevices(
  manager: EntityManager,
  deviceIds: readonly string[],
): Promise<Map<string, RegisteredDevice>> {
  const rows = await manager.query<
    {
      id: string;
      kind: DeviceKind;
      validated: boolean;
      patient_id: string | null;
      bound_at: Date | null;
      unbound_at: Date | null;
    }[]
  >(
    `SELECT d.id, d.kind, d.validated, b.patient_id, b.bound_at, b.unbound_at
       FROM devices d LEFT JOIN device_bindings b ON b.device_id = d.id
      WHERE d.id = ANY($1::uuid[])`,
    [binaryArray('uuid', deviceIds)],
  );
  const devices = new Map<
    string,
    { id: string; kind: DeviceKind; validated: boolean; bindings: RegisteredDevice['bindings'][number][] }
  >();
  for (const row of rows) {
    const device = devices.get(row.id) ?? {
      id: row.id,
      kind: row.kind,
      validated: row.validated,
      bindings: [],
    };
    if (row.patient_id !== null && row.bound_at !== null) {
      device.bindings.push({
        patientId: row.patient_id,
        boundAt: new Date(row.bound_at),
        unboundAt: row.unbound_at ? new Date(row.unbound_at) : null,
      });
    }
    devices.set(row.id, device);
  }
  return devices;
}

/**
 * One INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING for the whole batch: one
 * round trip, duplicates (earlier deliveries, or a FHIR and a native copy in the same batch) are
 * skipped by the unique key; each returned row comes with its day and UTC offset on the patient's
 * calendar, for the feature windows.
 */
async function insertReadings(
  manager: EntityManager,
  readings: readonly ValidReading[],
  deviceKinds: ReadonlyMap<string, DeviceKind>,
): Promise<InsertedRow[]> {
  // One binary array per column (binaryArray): formatting tens of thousands of elements as text, and
  // PostgreSQL parsing them back, showed in both sides' CPU profiles.
  const column = <T extends BinaryArrayType>(type: T, pick: (reading: ValidReading) => BinaryArrayElements[T] | null): Buffer =>
    binaryArray(type, readings.map(pick));
  return manager.query<InsertedRow[]>(
    `WITH inserted AS (
       INSERT INTO observations (patient_id, device_id, device_seq, measured_at, utc_offset_minutes, received_at, source, device_kind,
                                 sbp, dbp, heart_rate, steps, original_pressure_unit, original_sbp, original_dbp, body_position, firmware,
                                 counts_toward_decisions, late)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int8[], $4::timestamptz[], $5::int2[], $6::timestamptz[], $7::text[],
                            $8::text[]::device_kind[], $9::float8[], $10::float8[], $11::float8[], $12::int4[], $13::text[], $14::float8[],
                            $15::float8[], $16::text[], $17::text[], $18::bool[], $19::bool[])
       ON CONFLICT (device_id, device_seq, measured_at) DO NOTHING
       RETURNING id, patient_id, measured_at, stored_at, counts_toward_decisions, sbp, dbp
     )
     SELECT i.id, i.patient_id,
            -- numeric (exact) times 1000, then float8: whole milliseconds stay exact.
            (extract(epoch FROM i.measured_at) * 1000)::float8 AS measured_at_ms,
            (extract(epoch FROM i.stored_at) * 1000)::float8 AS stored_at_ms, i.counts_toward_decisions, i.sbp, i.dbp,
            (i.measured_at AT TIME ZONE z.tz)::date::text AS local_day,
            extract(epoch FROM (i.measured_at AT TIME ZONE z.tz) - (i.measured_at AT TIME ZONE 'UTC'))::float8 / 60 AS local_offset_minutes
       FROM inserted i LEFT JOIN patients p ON p.id = i.patient_id CROSS JOIN LATERAL (SELECT coalesce(p.time_zone, 'UTC') AS tz) z`,
    [
      column('uuid', (r) => r.claim.patientId),
      column('uuid', (r) => r.claim.deviceId),
      column('int8', (r) => r.claim.sequence),
      column('timestamptz', (r) => r.claim.measuredAt),
      column('int2', (r) => r.claim.utcOffsetMinutes),
      column('timestamptz', (r) => r.receivedAt),
      column('text', (r) => r.claim.source),
      column('text', (r) => (r.claim.deviceId ? (deviceKinds.get(r.claim.deviceId) ?? null) : null)),
      column('float8', (r) => r.sbp),
      column('float8', (r) => r.dbp),
      column('float8', (r) => r.heartRate),
      column('int4', (r) => r.claim.steps),
      column('text', (r) => r.originalPressureUnit),
      column('float8', (r) => r.originalSbp),
      column('float8', (r) => r.originalDbp),
      column('text', (r) => r.claim.bodyPosition),
      column('text', (r) => r.claim.firmware),
      column('bool', (r) => r.countsTowardDecisions),
      column('bool', (r) => r.late),
    ],
  );
}

/** Queues patients whose 7-day count of decision readings reached the enough-data threshold; one pending entry per patient. */
async function enqueueForInference(
  manager: EntityManager,
  patientIds: readonly string[],
  minReadings: number,
): Promise<number> {
  const rows = await manager.query<{ patient_id: string }[]>(
    `INSERT INTO inference_queue (patient_id, reason)
     SELECT patient_id, 'enough_data' FROM patient_feature_windows
      WHERE patient_id = ANY($1::uuid[]) AND readings_7d >= $2
      ORDER BY patient_id
     ON CONFLICT (patient_id) WHERE completed_at IS NULL DO NOTHING
     RETURNING patient_id`,
    [binaryArray('uuid', patientIds), minReadings],
  );
  return rows.length;
}
