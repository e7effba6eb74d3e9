import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AlertEntity, AlertsService } from '@clinloop/alerts';
import { AuditService } from '@clinloop/audit';
import type { UserPrincipal } from '@clinloop/authz';
import { checkEnvelope, DEFAULT_RULES, envelopeInputSchema } from '@clinloop/clinical';
import { withTransaction } from '@clinloop/database';
import { topicFor, Topics } from '@clinloop/messaging';
import { ReadingAlerts, type RawReadingMessage } from '@clinloop/observations';
import { IngestionConsumer, IngestionMetrics } from '@clinloop/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { clinicianPrincipal, demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, TestClock, type SecureApi } from '../support/auth-api';
import { brokersFromSetup, counterValue, countRows, eventually, ingestService, nativeReading, testTransport, type BoundPatient } from '../support/ingestion-fixtures';

/**
 * Alert rules on ingested readings, against a real PostgreSQL (and the real broker for the Kafka path):
 * the crisis re-measure flow (guidance at once, CRITICAL on a confirming session or on no re-measure),
 * persistent hypotension withholding increases, and idempotence - a replayed batch raises nothing, and
 * a crisis episode raises one alert even after it was resolved and the sweep ran again.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const topics = {
  readings: topicFor(Topics.wearableReadings.name, `reading-alerts-${runId}`),
  fhirObservations: topicFor(Topics.fhirObservations.name, `reading-alerts-${runId}`),
  deadLetter: topicFor(Topics.wearableReadingsDeadLetter.name, `reading-alerts-${runId}`),
};

describe('alert rules on ingested readings (real PostgreSQL, real broker)', () => {
  const brokers = brokersFromSetup(inject('kafkaBrokers'));
  const transport = testTransport(brokers, `reading-alerts-${runId}`);
  const registry = new Registry();
  const clock = new TestClock();
  let database: TestDatabase;
  let consumer: IngestionConsumer;
  let api: SecureApi;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let alerts: AlertsService;
  let readingAlerts: ReadingAlerts;
  const patients: Record<'maria' | 'james' | 'aiko' | 'robert', BoundPatient> = {} as Record<'maria' | 'james' | 'aiko' | 'robert', BoundPatient>;
  let sequence = 1;

  const reading = (patient: BoundPatient, measuredAt: Date, sbp: number, dbp: number) => ({
    key: patient.patientId,
    value: nativeReading({ patient, sequence: sequence++, measuredAt, sbp, dbp }),
  });
  const ingest = (messages: readonly { key: string; value: Buffer }[], batchId: string) =>
    ingestService(database.dataSource).ingestMessages(
      messages.map((message): RawReadingMessage => ({ format: 'wearable-reading.v1', key: message.key, value: message.value, receivedAt: new Date() })),
      { id: batchId },
    );
  const alertsOf = (patientId: string) => database.dataSource.getRepository(AlertEntity).find({ where: { patientId }, order: { raisedAt: 'ASC' } });
  const alertAudit = (patientId: string) =>
    database.dataSource.query<{ action: string; reason: string | null; payload: { readingIds?: string[] } }[]>(
      `SELECT action, reason, payload FROM audit_entries WHERE resource_type = 'Alert' AND patient_id = $1 ORDER BY seq`,
      [patientId],
    );
  const sweep = (at: Date) => withTransaction(database.dataSource, (manager) => readingAlerts.sweepDueCrisisEpisodes(manager, at));
  const clinician = (email: string): Promise<UserPrincipal> => clinicianPrincipal(database.dataSource, email);

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    // The demo binds each cuff at seeding time; these readings are from the hours before.
    await database.dataSource.query(`UPDATE device_bindings SET bound_at = now() - interval '30 days'`);
    const devices = await database.dataSource.query<{ mrn: string; device_id: string }[]>(
      'SELECT p.mrn, b.device_id::text AS device_id FROM device_bindings b JOIN patients p ON p.id = b.patient_id',
    );
    const deviceOf = (mrn: string) => devices.find((row) => row.mrn === mrn)?.device_id ?? '';
    for (const [name, mrn] of [['maria', 'DEMO-0001'], ['james', 'DEMO-0002'], ['aiko', 'DEMO-0003'], ['robert', 'DEMO-0004']] as const) {
      patients[name] = { patientId: ids.patients[mrn] ?? '', deviceId: deviceOf(mrn) };
    }
    alerts = new AlertsService(new AuditService(), clock);
    readingAlerts = new ReadingAlerts(alerts);
    await transport.ensureTopics([
      { topic: topics.readings, partitions: 2 },
      { topic: topics.fhirObservations, partitions: 1 },
      { topic: topics.deadLetter, partitions: 1 },
    ]);
    consumer = new IngestionConsumer({
      transport,
      service: ingestService(database.dataSource),
      topics,
      groupId: `reading-alerts-${runId}`,
      metrics: new IngestionMetrics(registry),
      retryBackoff: { initialMs: 100, maxMs: 1_000 },
    });
    await consumer.start();
    api = await startSecureApi(database);
  });

  afterAll(async () => {
    await (api as SecureApi | undefined)?.close();
    await (consumer as IngestionConsumer | undefined)?.stop();
    await transport.close();
    await (database as TestDatabase | undefined)?.drop();
  });

  it('a crisis-range reading over Kafka shows the patient emergency guidance at once; a confirming session raises one CRITICAL alert; replaying the messages raises nothing more', async () => {
    const maria = patients.maria;
    const triggeredAt = new Date(Date.now() - 10 * MINUTE);
    const trigger = reading(maria, triggeredAt, 186, 112);
    await transport.produce(topics.readings, [trigger]);
    await eventually(async () => {
      expect(await countRows(database.dataSource, 'SELECT count(*) FROM alert_episodes WHERE patient_id = $1', [maria.patientId])).toBe(1);
    });

    const guidanceQuery = 'query G($id: ID!) { crisisGuidance(patientId: $id) { status message emergencySymptoms remeasureAt confirmBy remeasureCount monitoringNotice } }';
    const patient = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
    const shown = await gql<{ crisisGuidance: { status: string; message: string; emergencySymptoms: string[]; remeasureAt: string | null; confirmBy: string; remeasureCount: number; monitoringNotice: string } | null }>(
      api,
      guidanceQuery,
      { token: patient.accessToken, variables: { id: maria.patientId } },
    );
    expect(shown.errors).toEqual([]);
    expect(shown.data?.crisisGuidance).toMatchObject({ status: 'AWAITING_REMEASURE', remeasureCount: 0 });
    expect(shown.data?.crisisGuidance?.message).toMatch(/call emergency services now.*measure again in 5 minutes/);
    expect(shown.data?.crisisGuidance?.emergencySymptoms).toContain('chest pain');
    expect(new Date(shown.data?.crisisGuidance?.remeasureAt ?? 0).getTime()).toBe(Math.floor(triggeredAt.getTime() / 1000) * 1000 + 5 * MINUTE);
    expect(shown.data?.crisisGuidance?.monitoringNotice).toMatch(/not watched around the clock/);
    // The care team sees it too; a clinician of another team does not.
    const okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
    expect((await gql(api, guidanceQuery, { token: okafor.accessToken, variables: { id: maria.patientId } })).errors).toEqual([]);
    const chen = await signIn(api, 'dr.chen@demo.clinloop.test');
    expect(errorCodeOf(await gql(api, guidanceQuery, { token: chen.accessToken, variables: { id: maria.patientId } }))).toBe('ALERTS_NOT_FOUND');
    expect(await alertsOf(maria.patientId)).toEqual([]);

    // The re-measure session after the rest: still in crisis range.
    const remeasure = [reading(maria, new Date(triggeredAt.getTime() + 6 * MINUTE), 184, 110), reading(maria, new Date(triggeredAt.getTime() + 7 * MINUTE), 188, 114)];
    await transport.produce(topics.readings, remeasure);
    await eventually(async () => {
      expect(await alertsOf(maria.patientId)).toHaveLength(1);
    });
    const [alert] = await alertsOf(maria.patientId);
    expect(alert).toMatchObject({ condition: 'HYPERTENSIVE_CRISIS', severity: 'CRITICAL', resolvedAt: null });
    expect(alert?.message).toMatch(/confirmed: re-measure mean 186\/112/);
    const audit = await alertAudit(maria.patientId);
    expect(audit.map((entry) => entry.action)).toEqual(['alert.raise']);
    expect(audit[0]?.payload.readingIds).toHaveLength(3);
    expect(await countRows(database.dataSource, `SELECT count(*) FROM alert_notifications WHERE alert_id = $1 AND kind = 'RAISED'`, [alert?.id])).toBe(1);
    const confirmed = await gql<{ crisisGuidance: { status: string; remeasureAt: string | null; remeasureCount: number } | null }>(api, guidanceQuery, {
      token: patient.accessToken,
      variables: { id: maria.patientId },
    });
    expect(confirmed.data?.crisisGuidance).toMatchObject({ status: 'CONFIRMED', remeasureAt: null, remeasureCount: 2 });

    // The same three messages again (a redelivery): duplicates, nothing raised, nothing audited.
    const duplicatesBefore = await counterValue(registry, 'clinloop_ingest_readings_duplicate_total');
    await transport.produce(topics.readings, [trigger, ...remeasure]);
    await eventually(async () => {
      expect(await counterValue(registry, 'clinloop_ingest_readings_duplicate_total')).toBe(duplicatesBefore + 3);
    });
    expect(await alertsOf(maria.patientId)).toHaveLength(1);
    expect((await alertAudit(maria.patientId)).map((entry) => entry.action)).toEqual(['alert.raise']);
    expect(await countRows(database.dataSource, 'SELECT count(*) FROM alert_notifications WHERE alert_id = $1', [alert?.id])).toBe(1);
  });

  it('no re-measure within the window: the sweep raises CRITICAL once per episode, even after the alert is resolved and the sweep runs again', async () => {
    const aiko = patients.aiko;
    const triggeredAt = new Date(Date.now() - 2 * MINUTE);
    const first = await ingest([reading(aiko, triggeredAt, 178, 124)], `aiko-${runId}-1`);
    expect(first.stored).toHaveLength(1);
    expect(await alertsOf(aiko.patientId)).toEqual([]);

    // Before the window closes the sweep leaves the episode open.
    expect(await sweep(new Date(triggeredAt.getTime() + 14 * MINUTE))).toEqual([]);
    expect(await alertsOf(aiko.patientId)).toEqual([]);

    const due = new Date(triggeredAt.getTime() + 15 * MINUTE + 30_000);
    const settled = await sweep(due);
    expect(settled).toEqual([expect.objectContaining({ patientId: aiko.patientId, status: 'NO_REMEASURE', raised: 'CREATED' })]);
    const [alert] = await alertsOf(aiko.patientId);
    expect(alert).toMatchObject({ condition: 'HYPERTENSIVE_CRISIS', severity: 'CRITICAL' });
    expect(alert?.message).toMatch(/no re-measure within 15 minutes/);
    // Dated when the window closed, not when the sweep happened to run.
    expect(alert?.raisedAt.getTime()).toBe(Math.floor(triggeredAt.getTime() / 1000) * 1000 + 15 * MINUTE);
    expect(await sweep(due)).toEqual([]);

    const chen = await clinician('dr.chen@demo.clinloop.test');
    const resolved = await withTransaction(database.dataSource, (manager) => alerts.resolve(manager, chen, alert?.id ?? '', 'Called the patient: rested, re-measured 150/92 at home, no symptoms.'));
    expect(resolved.resolvedBy).toBe(chen.userId);
    expect(resolved.resolutionReason).toMatch(/^Called the patient/);
    // Resolved: the de-duplication slot is free, yet the same episode raises nothing again.
    expect(await sweep(new Date(due.getTime() + HOUR))).toEqual([]);
    // A later normal reading re-evaluates the patient; the decided episode stays decided.
    await ingest([reading(aiko, new Date(Date.now() - MINUTE), 138, 86)], `aiko-${runId}-2`);
    expect(await alertsOf(aiko.patientId)).toHaveLength(1);
    expect((await alertAudit(aiko.patientId)).map((entry) => entry.action)).toEqual(['alert.raise', 'alert.resolve']);
    const [episode] = await database.dataSource.query<{ status: string; alert_id: string; decided_at: Date | null }[]>('SELECT status, alert_id::text AS alert_id, decided_at FROM alert_episodes WHERE patient_id = $1', [aiko.patientId]);
    expect(episode).toMatchObject({ status: 'NO_REMEASURE', alert_id: alert?.id });
  });

  it('a re-measure below crisis range closes the episode without an alert; a cuffless crisis reading does not count', async () => {
    const james = patients.james;
    const robert = patients.robert;
    const triggeredAt = new Date(Date.now() - 9 * MINUTE);
    await ingest([reading(james, triggeredAt, 190, 100), reading(james, new Date(triggeredAt.getTime() + 6 * MINUTE), 150, 92), reading(james, new Date(triggeredAt.getTime() + 7 * MINUTE), 146, 90)], `james-${runId}-0`);
    // Below crisis range so far, but later readings inside the window could still change that: decided when due.
    expect(await sweep(new Date(triggeredAt.getTime() + 16 * MINUTE))).toEqual([expect.objectContaining({ patientId: james.patientId, status: 'NOT_CONFIRMED', raised: null })]);
    expect(await alertsOf(james.patientId)).toEqual([]);

    const cuffless = await ingest([reading(robert, new Date(Date.now() - MINUTE), 200, 125)], `robert-${runId}`);
    expect(cuffless.stored).toHaveLength(1);
    expect(await countRows(database.dataSource, 'SELECT count(*) FROM alert_episodes WHERE patient_id = $1', [robert.patientId])).toBe(0);
  });

  it('two low sessions within 48 h raise one HIGH persistent-hypotension alert that withholds increases; a replay raises nothing; resolve and acknowledge are audited', async () => {
    const james = patients.james;
    const earlier = new Date(Date.now() - 20 * HOUR);
    const later = new Date(Date.now() - 2 * HOUR);
    const firstSession = [reading(james, earlier, 86, 55), reading(james, new Date(earlier.getTime() + MINUTE), 88, 56)];
    const secondSession = [reading(james, later, 84, 54), reading(james, new Date(later.getTime() + MINUTE), 87, 55)];
    await ingest(firstSession, `james-${runId}-1`);
    expect(await alertsOf(james.patientId)).toEqual([]);
    const batch = `james-${runId}-2`;
    const stored = await ingest(secondSession, batch);
    expect(stored.stored).toHaveLength(2);
    const [alert] = await alertsOf(james.patientId);
    expect(alert).toMatchObject({ condition: 'PERSISTENT_HYPOTENSION', severity: 'HIGH' });
    expect(alert?.message).toMatch(/2 sessions with mean SBP below 90/);
    const raisedAudit = await alertAudit(james.patientId);
    expect(raisedAudit.map((entry) => entry.action)).toEqual(['alert.raise']);
    expect(raisedAudit[0]?.payload.readingIds).toHaveLength(4);

    // Replayed: nothing inserted, nothing evaluated, nothing raised or audited.
    const replay = await ingest(secondSession, batch);
    expect(replay).toMatchObject({ stored: [], duplicates: 2 });
    expect(await alertsOf(james.patientId)).toHaveLength(1);
    expect(await alertAudit(james.patientId)).toHaveLength(1);

    // The envelope reads the open alerts: an increase is BLOCKED while the hypotension alert is open.
    const openAlerts = await alerts.openAlertSummaries(database.dataSource.manager, james.patientId);
    expect(openAlerts).toEqual([{ condition: 'PERSISTENT_HYPOTENSION', severity: 'HIGH' }]);
    const envelopeFor = (open: typeof openAlerts) =>
      checkEnvelope(
        envelopeInputSchema.parse({
          now: new Date().toISOString(),
          patient: {
            regimen: [{ drug: 'amlodipine', dailyDoseMg: 5 }],
            bounds: { version: 'b1', targetSbp: 130, targetDbp: 80, allowedDrugs: [{ drug: 'amlodipine', minDailyMg: 2.5, maxDailyMg: 10 }], confidenceFloor: 0.5, signedAt: '2026-01-01T00:00:00Z', signedBy: 'dr' },
            pregnant: false,
            angioedemaHistory: false,
            sulfonamideAllergy: true,
            anuria: false,
            openAlerts: open,
            lastIncreaseAt: null,
          },
          proposal: { drug: 'amlodipine', fromMg: 5, toMg: 10, confidence: 0.9 },
        }),
        DEFAULT_RULES,
      );
    expect(envelopeFor([]).tier).toBe('AUTO');
    const withheld = envelopeFor(openAlerts);
    expect(withheld.tier).toBe('BLOCKED');
    expect(withheld.reasons.map((reason) => reason.message).join(' ')).toMatch(/hypotension/i);

    const rivera = await clinician('dr.rivera@demo.clinloop.test');
    await withTransaction(database.dataSource, (manager) => alerts.acknowledge(manager, rivera, alert?.id ?? ''));
    await withTransaction(database.dataSource, (manager) => alerts.resolve(manager, rivera, alert?.id ?? '', 'Amlodipine paused by phone; BP rechecked in clinic.'));
    expect(await alerts.openAlertSummaries(database.dataSource.manager, james.patientId)).toEqual([]);
    // A normal reading afterwards: the old low sessions alone raise nothing again.
    await ingest([reading(james, new Date(Date.now() - 40 * MINUTE), 124, 78)], `james-${runId}-3`);
    expect(await alertsOf(james.patientId)).toHaveLength(1);
    const audit = await alertAudit(james.patientId);
    expect(audit.map((entry) => entry.action)).toEqual(['alert.raise', 'alert.acknowledge', 'alert.resolve']);
    expect(audit.at(-1)?.reason).toBe('Amlodipine paused by phone; BP rechecked in clinic.');
    // A new low session is a new occurrence: a new alert.
    await ingest([reading(james, new Date(Date.now() - 25 * MINUTE), 82, 52)], `james-${runId}-4`);
    expect((await alertsOf(james.patientId)).filter((row) => row.resolvedAt === null)).toHaveLength(1);
  });
});
