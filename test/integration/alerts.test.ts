import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEntity, AlertsError, AlertsService, type AlertNotification } from '@clinloop/alerts';
import { AuditService } from '@clinloop/audit';
import type { UserPrincipal } from '@clinloop/authz';
import { DEFAULT_RULES, type AlertCandidate } from '@clinloop/clinical';
import { withTransaction } from '@clinloop/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, TestClock } from '../support/auth-api';

const MINUTE = 60_000;

describe('alerts: raised, de-duplicated, re-notified, escalated, acknowledged - each audited (real PostgreSQL)', () => {
  let database: TestDatabase;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let service: AlertsService;
  const clock = new TestClock();
  const sent: AlertNotification[] = [];

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
  async function clinician(email: string): Promise<UserPrincipal> {
    const [user] = await database.dataSource.query<{ id: string; organization_id: string; display_name: string }[]>('SELECT id, organization_id, display_name FROM users WHERE email = $1', [email]);
    const teams = await database.dataSource.query<{ care_team_id: string }[]>('SELECT care_team_id::text FROM care_team_members WHERE user_id = $1', [user?.id]);
    return {
      kind: 'user',
      userId: user?.id ?? '',
      organizationId: user?.organization_id ?? '',
      role: 'clinician',
      email,
      displayName: user?.display_name ?? '',
      sessionId: 'test',
      patientId: null,
      careTeamIds: teams.map((team) => team.care_team_id),
      breakGlassPatientIds: [],
      formularyPermission: false,
    };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    service = new AlertsService(new AuditService(), { notify: (notification) => Promise.resolve(void sent.push(notification)) }, clock);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('raises, suppresses a duplicate, re-notifies on worsening, escalates after the timeout, and stops at acknowledgment', async () => {
    const maria = ids.patients['DEMO-0001'] ?? '';
    const created = await raise(candidate(maria, 'HIGH'));
    expect(created.action).toBe('CREATED');
    const alertId = created.alert.id;
    expect(sent).toEqual([expect.objectContaining({ kind: 'RAISED', alertId, severity: 'HIGH' })]);
    const first = sent[0]?.recipientUserId;

    expect(await raise(candidate(maria, 'HIGH'))).toMatchObject({ action: 'SUPPRESSED', alert: { id: alertId } });
    expect(await raise(candidate(maria, 'MEDIUM'))).toMatchObject({ action: 'SUPPRESSED' });
    expect(sent).toHaveLength(1);
    // Another condition is another alert.
    expect((await raise(candidate(maria, 'LOW', 'PERSISTENT_UNCONTROLLED'))).action).toBe('CREATED');

    expect(await raise(candidate(maria, 'CRITICAL'))).toMatchObject({ action: 'RENOTIFIED', alert: { id: alertId, severity: 'CRITICAL' } });
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
