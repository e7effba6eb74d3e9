import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertEntity,
  AlertNotificationDispatcher,
  AlertsError,
  AlertsService,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WebhookAlertNotifier,
  type AlertNotification,
} from '@clinloop/alerts';
import { AuditService } from '@clinloop/audit';
import type { UserPrincipal } from '@clinloop/authz';
import { DEFAULT_RULES, type AlertCandidate } from '@clinloop/clinical';
import { withTransaction } from '@clinloop/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { clinicianPrincipal, demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, TestClock } from '../support/auth-api';

const MINUTE = 60_000;

describe('alerts: raised, de-duplicated, re-notified, escalated, acknowledged - each audited (real PostgreSQL)', () => {
  let database: TestDatabase;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let service: AlertsService;
  let dispatcher: AlertNotificationDispatcher;
  const clock = new TestClock();
  const sent: AlertNotification[] = [];
  /** Delivers what the committed alert changes queued (the worker's notification job). */
  const deliver = async () => {
    await dispatcher.deliverDue();
  };

  const candidate = (patientId: string, severity: AlertCandidate['severity'], condition: AlertCandidate['condition'] = 'HYPERTENSIVE_CRISIS'): AlertCandidate => ({
    patientId,
    condition,
    severity,
    raisedAt: clock.now(),
    message: `${condition} ${severity}`,
    evidence: { readingIds: ['r1'] },
    effects: ['NOTIFY_CARE_TEAM'],
    rulesVersion: DEFAULT_RULES.version,
  });
  const raise = (value: AlertCandidate) => withTransaction(database.dataSource, (manager) => service.raise(manager, value));
  const auditOf = (alertId: string) =>
    database.dataSource.query<{ action: string; actor_id: string | null; patient_id: string }[]>(
      'SELECT action, actor_id::text AS actor_id, patient_id::text AS patient_id FROM audit_entries WHERE resource_type = $1 AND resource_id = $2 ORDER BY seq',
      ['Alert', alertId],
    );
  const clinician = (email: string): Promise<UserPrincipal> => clinicianPrincipal(database.dataSource, email);

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    service = new AlertsService(new AuditService(), clock);
    dispatcher = new AlertNotificationDispatcher(database.dataSource, { channel: 'test', notify: (notification) => Promise.resolve(void sent.push(notification)) }, clock);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('raises, suppresses a duplicate, re-notifies on worsening, escalates after the timeout, and stops at acknowledgment', async () => {
    const maria = ids.patients['DEMO-0001'] ?? '';
    const created = await raise(candidate(maria, 'HIGH'));
    expect(created.action).toBe('CREATED');
    const alertId = created.alert.id;
    expect(sent).toEqual([]);
    await deliver();
    expect(sent).toEqual([expect.objectContaining({ kind: 'RAISED', alertId, severity: 'HIGH' })]);
    const first = sent[0]?.recipientUserId;

    expect(await raise(candidate(maria, 'HIGH'))).toMatchObject({ action: 'SUPPRESSED', alert: { id: alertId } });
    expect(await raise(candidate(maria, 'MEDIUM'))).toMatchObject({ action: 'SUPPRESSED' });
    await deliver();
    expect(sent).toHaveLength(1);
    // Another condition is another alert.
    expect((await raise(candidate(maria, 'LOW', 'PERSISTENT_UNCONTROLLED'))).action).toBe('CREATED');

    expect(await raise(candidate(maria, 'CRITICAL'))).toMatchObject({ action: 'RENOTIFIED', alert: { id: alertId, severity: 'CRITICAL' } });
    await deliver();
    expect(sent.at(-1)).toMatchObject({ kind: 'WORSENED', alertId, severity: 'CRITICAL', recipientUserId: first });
    expect(await database.dataSource.getRepository(AlertEntity).countBy({ patientId: maria, condition: 'HYPERTENSIVE_CRISIS' })).toBe(1);

    // Not yet: 14 minutes after the last notification.
    clock.advance(14 * MINUTE);
    expect(await withTransaction(database.dataSource, (manager) => service.escalateDue(manager))).toEqual([]);
    clock.advance(2 * MINUTE);
    const escalated = await withTransaction(database.dataSource, (manager) => service.escalateDue(manager));
    expect(escalated).toEqual([expect.objectContaining({ alertId, action: 'ESCALATED' })]);
    const second = escalated[0]?.action === 'ESCALATED' ? escalated[0].toMemberId : '';
    expect(second).not.toBe(first);
    await deliver();
    expect(sent.at(-1)).toMatchObject({ kind: 'ESCALATED', alertId, recipientUserId: second });

    const rivera = await clinician('dr.rivera@demo.clinloop.test');
    const acknowledged = await withTransaction(database.dataSource, (manager) => service.acknowledge(manager, rivera, alertId));
    expect(acknowledged.acknowledgedBy).toBe(rivera.userId);
    clock.advance(60 * MINUTE);
    expect(await withTransaction(database.dataSource, (manager) => service.escalateDue(manager))).toEqual([]);

    const audit = await auditOf(alertId);
    expect(audit.map((entry) => entry.action)).toEqual(['alert.raise', 'alert.suppress', 'alert.suppress', 'alert.renotify', 'alert.escalate', 'alert.acknowledge']);
    expect(audit.every((entry) => entry.patient_id === maria)).toBe(true);
    expect(audit.at(-1)?.actor_id).toBe(rivera.userId);
  });

  it('escalates through the whole care team, then records that nobody acknowledged', async () => {
    const aiko = ids.patients['DEMO-0003'] ?? '';
    const created = await raise(candidate(aiko, 'CRITICAL'));
    const outcomes: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      clock.advance(16 * MINUTE);
      const result = await withTransaction(database.dataSource, (manager) => service.escalateDue(manager));
      outcomes.push(...result.filter((outcome) => outcome.alertId === created.alert.id).map((outcome) => outcome.action));
    }
    expect(outcomes.at(-1)).toBe('CARE_TEAM_EXHAUSTED');
    expect(outcomes.filter((outcome) => outcome === 'CARE_TEAM_EXHAUSTED')).toHaveLength(1);
    const stored = await database.dataSource.getRepository(AlertEntity).findOneByOrFail({ id: created.alert.id });
    expect(new Set(stored.notifiedMemberIds).size).toBe(stored.notifiedMemberIds.length);
    expect((await auditOf(created.alert.id)).map((entry) => entry.action)).toContain('alert.escalation_exhausted');
  });

  it('only a clinician of the patient\'s care team acknowledges', async () => {
    const aiko = ids.patients['DEMO-0003'] ?? '';
    const created = await raise(candidate(aiko, 'HIGH', 'PERSISTENT_HYPOTENSION'));
    const okafor = await clinician('np.okafor@demo.clinloop.test');
    await expect(withTransaction(database.dataSource, (manager) => service.acknowledge(manager, okafor, created.alert.id))).rejects.toBeInstanceOf(AlertsError);
    const stored = await database.dataSource.getRepository(AlertEntity).findOneByOrFail({ id: created.alert.id });
    expect(stored.acknowledgedAt).toBeNull();
  });
});

describe('alerts over GraphQL: the patient sees guidance and the monitoring notice; a care-team clinician acknowledges', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('lists, acknowledges (audited), and refuses a clinician outside the care team', async () => {
    const api = await startSecureApi(database);
    try {
      const ids = await demoIds(database.dataSource);
      const maria = ids.patients['DEMO-0001'] ?? '';
      const raised = await withTransaction(database.dataSource, (manager) =>
        api.app.get(AlertsService).raise(manager, {
          patientId: maria,
          condition: 'HYPERTENSIVE_CRISIS',
          severity: 'CRITICAL',
          raisedAt: new Date(),
          message: 'BP 186/112 confirmed on re-measure',
          evidence: { readingIds: [] },
          effects: ['NOTIFY_CARE_TEAM'],
          rulesVersion: DEFAULT_RULES.version,
        }),
      );
      const patient = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
      const listed = await gql<{ alerts: { id: string; guidance: string; monitoringNotice: string }[] }>(api, 'query A($id: ID!) { alerts(patientId: $id) { id guidance monitoringNotice } }', {
        token: patient.accessToken,
        variables: { id: maria },
      });
      expect(listed.errors).toEqual([]);
      expect(listed.data?.alerts).toEqual([expect.objectContaining({ id: raised.alert.id })]);
      expect(listed.data?.alerts[0]?.guidance).toMatch(/emergency number/);
      expect(listed.data?.alerts[0]?.monitoringNotice).toMatch(/not watched around the clock/);

      const acknowledge = 'mutation K($id: ID!) { acknowledgeAlert(alertId: $id) { acknowledgedAt acknowledgedBy } }';
      expect(errorCodeOf(await gql(api, acknowledge, { token: patient.accessToken, variables: { id: raised.alert.id } }))).toBe('AUTHZ_FORBIDDEN');
      const chen = await signIn(api, 'dr.chen@demo.clinloop.test');
      expect(errorCodeOf(await gql(api, acknowledge, { token: chen.accessToken, variables: { id: raised.alert.id } }))).toBe('ALERTS_NOT_FOUND');
      const okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
      const done = await gql<{ acknowledgeAlert: { acknowledgedBy: string } }>(api, acknowledge, { token: okafor.accessToken, variables: { id: raised.alert.id } });
      expect(done.errors).toEqual([]);
      expect(done.data?.acknowledgeAlert.acknowledgedBy).toBe(ids.users['np.okafor@demo.clinloop.test']);
      const [entry] = await database.dataSource.query<{ action: string }[]>('SELECT action FROM audit_entries WHERE request_id = $1 AND action = $2', [done.requestId, 'alert.acknowledge']);
      expect(entry).toBeDefined();
    } finally {
      await api.close();
    }
  });
});

describe('alert notifications: queued with the alert, delivered after commit through a signed webhook (real HTTP server)', () => {
  const secret = 'webhook-test-secret-0123456789abcdef';
  const clock = new TestClock();
  let database: TestDatabase;
  let service: AlertsService;
  let server: Server;
  let url: string;
  /** What the receiver does with the next request. */
  let answer: 'ok' | 'fail' | 'hang' = 'ok';
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  const raise = (patientId: string, condition: AlertCandidate['condition']) =>
    withTransaction(database.dataSource, (manager) =>
      service.raise(manager, { patientId, condition, severity: 'CRITICAL', raisedAt: clock.now(), message: 'BP 186/112 confirmed on re-measure', evidence: { readingIds: [] }, effects: ['NOTIFY_CARE_TEAM'], rulesVersion: DEFAULT_RULES.version }),
    );
  const outbox = (alertId: string) =>
    database.dataSource.query<{ id: string; attempts: number; delivered_at: Date | null; last_error: string | null; channel: string | null }[]>(
      'SELECT id::text AS id, attempts, delivered_at, last_error, channel FROM alert_notifications WHERE alert_id = $1',
      [alertId],
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    service = new AlertsService(new AuditService(), clock);
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
        if (answer === 'hang') return;
        response.statusCode = answer === 'ok' ? 204 : 503;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clinloop-alerts`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await database.drop();
  });

  it('queues nothing when the alert rolls back, and delivers a committed one after a failure, signed and without readings', async () => {
    const ids = await demoIds(database.dataSource);
    const maria = ids.patients['DEMO-0001'] ?? '';
    let rolledBackId = '';
    await expect(
      withTransaction(database.dataSource, async (manager) => {
        rolledBackId = (await service.raise(manager, { patientId: maria, condition: 'PREGNANCY_ON_ACE_OR_ARB', severity: 'HIGH', raisedAt: clock.now(), message: 'x', evidence: { readingIds: [] }, effects: [], rulesVersion: DEFAULT_RULES.version })).alert.id;
        throw new Error('the rest of the transaction failed');
      }),
    ).rejects.toThrow('the rest of the transaction failed');
    expect(await outbox(rolledBackId)).toEqual([]);

    const failures: string[] = [];
    const dispatcher = new AlertNotificationDispatcher(database.dataSource, new WebhookAlertNotifier({ url, secret, timeoutMs: 500 }, () => clock.now()), clock, {
      retryAfterMs: 1_000,
      onFailed: (_notification, error) => failures.push((error as Error).message),
    });
    const { alert } = await raise(maria, 'HYPERTENSIVE_CRISIS');
    expect(await outbox(alert.id)).toEqual([expect.objectContaining({ attempts: 0, delivered_at: null })]);

    answer = 'fail';
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 1 });
    expect(failures).toEqual(['webhook answered HTTP 503']);
    expect(await outbox(alert.id)).toEqual([expect.objectContaining({ attempts: 1, delivered_at: null, last_error: 'webhook answered HTTP 503', channel: 'webhook' })]);
    // The alert is untouched by the failed delivery.
    expect(await database.dataSource.getRepository(AlertEntity).findOneByOrFail({ id: alert.id })).toMatchObject({ severity: 'CRITICAL', resolvedAt: null });
    // Not due again before the backoff.
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 0 });

    clock.advance(1_500);
    answer = 'ok';
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 1, failed: 0 });
    expect(await outbox(alert.id)).toEqual([expect.objectContaining({ attempts: 2, last_error: null, channel: 'webhook' })]);
    expect(received).toHaveLength(2);
    const [first, second] = received;
    // The same delivery id on the retry: the receiver can drop a repeat.
    expect(second?.headers[WEBHOOK_DELIVERY_HEADER]).toBe(first?.headers[WEBHOOK_DELIVERY_HEADER]);
    const timestamp = String(second?.headers[WEBHOOK_TIMESTAMP_HEADER]);
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${second?.body ?? ''}`).digest('hex')}`;
    expect(second?.headers[WEBHOOK_SIGNATURE_HEADER]).toBe(expected);
    expect(second?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(second?.body ?? '{}') as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['alertId', 'condition', 'id', 'occurredAt', 'organizationId', 'patientId', 'recipientUserId', 'severity', 'type']);
    expect(body).toMatchObject({ type: 'alert.raised', alertId: alert.id, patientId: maria, condition: 'HYPERTENSIVE_CRISIS', severity: 'CRITICAL' });
    expect(second?.body).not.toContain('186');
    // Delivered: later rounds send nothing more.
    clock.advance(60_000);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 0 });
  });

  it('counts a receiver that does not answer in time as a failure, to retry', async () => {
    const ids = await demoIds(database.dataSource);
    const { alert } = await raise(ids.patients['DEMO-0003'] ?? '', 'HYPERTENSIVE_CRISIS');
    answer = 'hang';
    const dispatcher = new AlertNotificationDispatcher(database.dataSource, new WebhookAlertNotifier({ url, secret, timeoutMs: 300 }, () => clock.now()), clock);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 1 });
    expect(await outbox(alert.id)).toEqual([expect.objectContaining({ attempts: 1, delivered_at: null, last_error: expect.stringMatching(/no answer within 300 ms/) as unknown })]);
  });
});

describe('alert queue and resolving over GraphQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('lists open alerts of the clinician\'s care teams, CRITICAL first then oldest, and resolves with a reason (audited)', async () => {
    const api = await startSecureApi(database);
    try {
      const ids = await demoIds(database.dataSource);
      const service = api.app.get(AlertsService);
      const raise = (patientId: string, condition: AlertCandidate['condition'], severity: AlertCandidate['severity'], raisedAt: Date) =>
        withTransaction(database.dataSource, (manager) =>
          service.raise(manager, { patientId, condition, severity, raisedAt, message: `${condition} ${severity}`, evidence: { readingIds: [] }, effects: ['NOTIFY_CARE_TEAM'], rulesVersion: DEFAULT_RULES.version }),
        );
      const now = Date.now();
      const maria = ids.patients['DEMO-0001'] ?? '';
      const james = ids.patients['DEMO-0002'] ?? '';
      const aiko = ids.patients['DEMO-0003'] ?? '';
      const mariaLow = await raise(maria, 'PERSISTENT_HYPOTENSION', 'HIGH', new Date(now - 3 * 3_600_000));
      const jamesCrisis = await raise(james, 'HYPERTENSIVE_CRISIS', 'CRITICAL', new Date(now - 10 * MINUTE));
      const mariaCrisis = await raise(maria, 'HYPERTENSIVE_CRISIS', 'CRITICAL', new Date(now - 30 * MINUTE));
      await raise(aiko, 'HYPERTENSIVE_CRISIS', 'CRITICAL', new Date(now - 60 * MINUTE));

      const okafor = await signIn(api, 'np.okafor@demo.clinloop.test');
      await gql(api, 'mutation K($id: ID!) { acknowledgeAlert(alertId: $id) { id } }', { token: okafor.accessToken, variables: { id: mariaCrisis.alert.id } });
      const queueQuery = '{ alertQueue { patientName acknowledged alert { id patientId condition severity raisedAt } } }';
      const queue = await gql<{ alertQueue: { patientName: string; acknowledged: boolean; alert: { id: string; severity: string } }[] }>(api, queueQuery, { token: okafor.accessToken });
      expect(queue.errors).toEqual([]);
      expect(queue.data?.alertQueue.map((item) => [item.alert.id, item.patientName, item.alert.severity, item.acknowledged])).toEqual([
        [mariaCrisis.alert.id, 'Maria Gonzalez', 'CRITICAL', true],
        [jamesCrisis.alert.id, 'James Walker', 'CRITICAL', false],
        [mariaLow.alert.id, 'Maria Gonzalez', 'HIGH', false],
      ]);
      const patient = await signIn(api, 'maria.gonzalez@demo.clinloop.test');
      expect(errorCodeOf(await gql(api, queueQuery, { token: patient.accessToken }))).toBe('AUTHZ_FORBIDDEN');
      const chen = await signIn(api, 'dr.chen@demo.clinloop.test');
      const chenQueue = await gql<{ alertQueue: { patientName: string }[] }>(api, queueQuery, { token: chen.accessToken });
      expect(chenQueue.data?.alertQueue.map((item) => item.patientName)).toEqual(['Aiko Tanaka']);

      const resolve = 'mutation R($id: ID!, $reason: String!) { resolveAlert(alertId: $id, reason: $reason) { id resolvedAt resolvedBy resolutionReason } }';
      expect(errorCodeOf(await gql(api, resolve, { token: okafor.accessToken, variables: { id: jamesCrisis.alert.id, reason: '   ' } }))).toBe('ALERTS_REASON_REQUIRED');
      expect(errorCodeOf(await gql(api, resolve, { token: chen.accessToken, variables: { id: jamesCrisis.alert.id, reason: 'not mine' } }))).toBe('ALERTS_NOT_FOUND');
      expect(errorCodeOf(await gql(api, resolve, { token: patient.accessToken, variables: { id: mariaLow.alert.id, reason: 'fine' } }))).toBe('AUTHZ_FORBIDDEN');
      const done = await gql<{ resolveAlert: { resolvedBy: string; resolutionReason: string; resolvedAt: string } }>(api, resolve, {
        token: okafor.accessToken,
        variables: { id: jamesCrisis.alert.id, reason: 'Seen in clinic today; BP 142/88.' },
      });
      expect(done.errors).toEqual([]);
      expect(done.data?.resolveAlert).toMatchObject({ resolvedBy: ids.users['np.okafor@demo.clinloop.test'], resolutionReason: 'Seen in clinic today; BP 142/88.' });
      const [entry] = await database.dataSource.query<{ action: string; reason: string; patient_id: string }[]>(
        'SELECT action, reason, patient_id::text AS patient_id FROM audit_entries WHERE request_id = $1 AND action = $2',
        [done.requestId, 'alert.resolve'],
      );
      expect(entry).toEqual({ action: 'alert.resolve', reason: 'Seen in clinic today; BP 142/88.', patient_id: james });
      expect(errorCodeOf(await gql(api, resolve, { token: okafor.accessToken, variables: { id: jamesCrisis.alert.id, reason: 'again' } }))).toBe('ALERTS_ALREADY_RESOLVED');
      const after = await gql<{ alertQueue: { alert: { id: string } }[] }>(api, queueQuery, { token: okafor.accessToken });
      expect(after.data?.alertQueue.map((item) => item.alert.id)).toEqual([mariaCrisis.alert.id, mariaLow.alert.id]);
      // A resolved CRITICAL alert does not escalate.
      api.clock.advance(60 * MINUTE);
      const escalated = await withTransaction(database.dataSource, (manager) => service.escalateDue(manager));
      expect(escalated.map((outcome) => outcome.alertId)).not.toContain(jamesCrisis.alert.id);
    } finally {
      await api.close();
    }
  });
});
