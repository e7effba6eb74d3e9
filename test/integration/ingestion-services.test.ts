import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService, type AuditActor } from '@clinloop/audit';
import { DevicesService, ManualReadingsService, ObservationErrorCode } from '@clinloop/observations';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { defined } from '../support/ingestion-assertions';
import {
  countRows,
  createBoundPatients,
  ingestService,
  TEST_POLICY,
  withOffset,
  type BoundPatient,
} from '../support/ingestion-fixtures';

/**
 * The service methods the GraphQL edge calls for manual entry, corrections and devices: same
 * validation and storing path as Kafka ingestion, audited, never deleting anything.
 */
describe('manual readings, corrections and devices (service level)', () => {
  let database: TestDatabase;
  let patient: BoundPatient;
  let organizationId: string;
  let manual: ManualReadingsService;
  let devices: DevicesService;
  const clinician: AuditActor = {
    type: 'user',
    userId: 'clinician-1',
    role: 'clinician',
    organizationId: null,
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    patient = defined((await createBoundPatients(database.dataSource, 1))[0], 'a patient');
    const [row] = await database.dataSource.query<{ organization_id: string }[]>(
      'SELECT organization_id FROM patients WHERE id = $1',
      [patient.patientId],
    );
    organizationId = defined(row, 'the patient row').organization_id;
    const audit = new AuditService();
    manual = new ManualReadingsService(
      database.dataSource,
      audit,
      ingestService(database.dataSource),
      TEST_POLICY,
    );
    devices = new DevicesService(database.dataSource, audit);
  });

  afterAll(async () => {
    await (database as TestDatabase | undefined)?.drop();
  });

  // One fixed time: a retry resends exactly the same reading.
  const manualMeasuredAt = withOffset(new Date(Date.now() - 10 * 60_000));
  const input = (key: string, sbp = 134) => ({
    patientId: patient.patientId,
    idempotencyKey: key,
    measuredAt: manualMeasuredAt,
    systolic: { value: sbp, unit: 'mm[Hg]' },
    diastolic: { value: 85, unit: 'mm[Hg]' },
  });

  it('stores a manual reading once per idempotency key, audited, as supporting data only', async () => {
    const actor: AuditActor = { type: 'user', userId: 'patient-1', role: 'patient', organizationId: null };
    const first = await manual.submitManualReading(actor, input('key-1'));
    const again = await manual.submitManualReading(actor, input('key-1'));
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ ...first, replayed: true });
    expect(
      await countRows(
        database.dataSource,
        `SELECT count(*) FROM observations WHERE source = 'manual' AND patient_id = $1`,
        [patient.patientId],
      ),
    ).toBe(1);
    const [row] = await database.dataSource.query<{ counts_toward_decisions: boolean; sbp: number }[]>(
      'SELECT counts_toward_decisions, sbp FROM observations WHERE id = $1',
      [first.observationId],
    );
    expect(row).toEqual({ counts_toward_decisions: false, sbp: 134 });
    expect(
      await countRows(
        database.dataSource,
        `SELECT count(*) FROM audit_entries WHERE action = 'observations.ingest' AND actor_id = 'patient-1'`,
      ),
    ).toBe(1);

    await expect(manual.submitManualReading(actor, input('key-1', 150))).rejects.toMatchObject({
      code: ObservationErrorCode.IDEMPOTENCY_KEY_REUSED,
    });
    await expect(manual.submitManualReading(actor, input('key-2', 400))).rejects.toMatchObject({
      code: ObservationErrorCode.IMPLAUSIBLE,
    });
    await expect(
      manual.submitManualReading(actor, { ...input('key-3'), measuredAt: '2026-11-23 10:00' }),
    ).rejects.toMatchObject({
      code: ObservationErrorCode.SCHEMA_INVALID,
    });
  });

  it('marks a reading entered in error with a reason: kept, audited, taken out of the feature windows', async () => {
    const service = ingestService(database.dataSource);
    const outcome = await service.ingestMessages(
      [0, 1].map((sequence) => ({
        format: 'wearable-reading.v1' as const,
        key: patient.patientId,
        receivedAt: new Date(),
        value: Buffer.from(
          JSON.stringify({
            schemaVersion: 1,
            deviceId: patient.deviceId,
            sequence: 700 + sequence,
            patientId: patient.patientId,
            measuredAt: withOffset(new Date(Date.now() - (sequence + 1) * 3_600_000)),
            systolic: { value: sequence === 0 ? 120 : 160, unit: 'mm[Hg]' },
            diastolic: { value: 80, unit: 'mm[Hg]' },
            deviceKind: 'upper_arm_cuff',
          }),
        ),
      })),
      { id: 'test-batch' },
    );
    expect(outcome.stored).toHaveLength(2);
    const windows = () =>
      database.dataSource.query<{ readings_7d: number; mean_sbp_7d: number }[]>(
        'SELECT readings_7d, mean_sbp_7d FROM patient_feature_windows WHERE patient_id = $1',
        [patient.patientId],
      );
    expect((await windows())[0]).toMatchObject({ readings_7d: 2, mean_sbp_7d: 140 });

    const wrong = defined(
      outcome.stored.find((row) => row.measuredAt.getTime() < Date.now() - 90 * 60_000),
      'the 160 mm[Hg] reading',
    );
    await expect(
      manual.markEnteredInError(clinician, { observationId: wrong.id, reason: '  ' }),
    ).rejects.toMatchObject({ code: ObservationErrorCode.REASON_REQUIRED });
    await manual.markEnteredInError(clinician, {
      observationId: wrong.id,
      patientId: patient.patientId,
      reason: 'cuff on the wrong arm',
    });
    await expect(
      manual.markEnteredInError(clinician, { observationId: wrong.id, reason: 'again' }),
    ).rejects.toMatchObject({
      code: ObservationErrorCode.ALREADY_ENTERED_IN_ERROR,
    });

    const [current] = await database.dataSource.query<
      { entered_in_error: boolean; entered_in_error_reason: string }[]
    >('SELECT entered_in_error, entered_in_error_reason FROM observations_current WHERE id = $1', [wrong.id]);
    expect(current).toEqual({ entered_in_error: true, entered_in_error_reason: 'cuff on the wrong arm' });
    expect((await windows())[0]).toMatchObject({ readings_7d: 1, mean_sbp_7d: 120 });
    expect(
      await countRows(
        database.dataSource,
        `SELECT count(*) FROM audit_entries WHERE action = 'observation.mark_entered_in_error' AND resource_id = $1 AND reason = 'cuff on the wrong arm'`,
        [wrong.id],
      ),
    ).toBe(1);
    await expect(database.dataSource.query('DELETE FROM observation_corrections')).rejects.toThrow(
      /append-only/,
    );
  });

  it('registers, binds and unbinds devices, audited; readings from an unbound device are refused', async () => {
    const device = await devices.registerDevice(clinician, {
      organizationId,
      serial: 'OMRON-123',
      kind: 'upper_arm_cuff',
      model: 'M7',
      validated: true,
    });
    await expect(
      devices.registerDevice(clinician, {
        organizationId,
        serial: 'OMRON-123',
        kind: 'upper_arm_cuff',
        model: 'M7',
        validated: true,
      }),
    ).rejects.toMatchObject({
      code: ObservationErrorCode.DEVICE_ALREADY_REGISTERED,
    });
    await devices.bindDevice(clinician, {
      deviceId: device.id,
      patientId: patient.patientId,
      boundAt: new Date(Date.now() - 86_400_000),
    });
    await expect(
      devices.bindDevice(clinician, { deviceId: device.id, patientId: patient.patientId }),
    ).rejects.toMatchObject({ code: ObservationErrorCode.DEVICE_ALREADY_BOUND });
    await devices.unbindDevice(clinician, { deviceId: device.id, at: new Date(Date.now() - 30 * 60_000) });
    await expect(devices.unbindDevice(clinician, { deviceId: device.id })).rejects.toMatchObject({
      code: ObservationErrorCode.DEVICE_NOT_BOUND,
    });
    expect(
      await countRows(
        database.dataSource,
        `SELECT count(*) FROM audit_entries WHERE resource_id = $1 AND action LIKE 'device.%'`,
        [device.id],
      ),
    ).toBe(3);

    const reading = (minutesAgo: number, sequence: number) => ({
      format: 'wearable-reading.v1' as const,
      key: patient.patientId,
      receivedAt: new Date(),
      value: Buffer.from(
        JSON.stringify({
          schemaVersion: 1,
          deviceId: device.id,
          sequence,
          patientId: patient.patientId,
          measuredAt: withOffset(new Date(Date.now() - minutesAgo * 60_000)),
          systolic: { value: 125, unit: 'mm[Hg]' },
          diastolic: { value: 80, unit: 'mm[Hg]' },
          deviceKind: 'upper_arm_cuff',
        }),
      ),
    });
    // Measured while bound (an hour ago): accepted. Measured after unbinding (10 minutes ago): refused.
    const outcome = await ingestService(database.dataSource).ingestMessages(
      [reading(60, 1), reading(10, 2)],
      { id: 'unbind-test' },
    );
    expect(outcome.stored).toHaveLength(1);
    expect(outcome.rejections[1]).toMatchObject({ code: ObservationErrorCode.DEVICE_NOT_BOUND_TO_PATIENT });
  });
});
