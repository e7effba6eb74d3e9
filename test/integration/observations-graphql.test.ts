import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { demoIds, errorCodeOf, gql, seedDemoOrganization, signIn, startSecureApi, type SecureApi } from '../support/auth-api';
import { seedOtherOrganization } from '../support/auth-fixtures';
import { countRows, ingestService } from '../support/ingestion-fixtures';

const SUBMIT = `mutation Submit($input: SubmitReadingInput!) {
  submitReading(input: $input) { replayed reading { id patientId source systolic diastolic countsTowardDecisions flags category enteredInError } }
}`;
const READINGS = `query Readings($patientId: ID!, $from: DateTime, $first: Int) {
  readings(patientId: $patientId, from: $from, first: $first) {
    id source deviceKind systolic diastolic countsTowardDecisions enteredInError enteredInErrorReason flags category late
  }
}`;
const MARK = `mutation Mark($id: ID!, $reason: String!) {
  markReadingEnteredInError(readingId: $id, reason: $reason) { id enteredInError enteredInErrorReason countsTowardDecisions flags }
}`;
const HOME_SUMMARY = `query Summary($patientId: ID!) {
  homeSummary(patientId: $patientId) { timeZone windows { days readings sessions sessionMean { systolic diastolic } } }
}`;

interface ReadingView {
  id: string;
  source: string;
  deviceKind: string | null;
  systolic: number;
  countsTowardDecisions: boolean;
  enteredInError: boolean;
  enteredInErrorReason: string | null;
  flags: string[];
  category: string;
}

/** RFC 3339 in Chicago winter time (the demo patient DEMO-0001's zone), `minutesAgo` before now. */
function chicagoTime(minutesAgo: number): string {
  const local = new Date(Date.now() - minutesAgo * 60_000 - 6 * 3_600_000);
  return `${local.toISOString().slice(0, 19)}-06:00`;
}

/**
 * Readings and devices over GraphQL against the running API and real PostgreSQL: manual entry on the
 * one ingest path, corrections, the readings list and home summary, device registration and binding,
 * each refusing other patients and other organizations as "not found".
 */
describe('readings and devices over GraphQL', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let maria: string;
  let james: string;
  let aiko: string;
  let otherPatient: string;
  const tokens: Record<'maria' | 'james' | 'rivera' | 'okafor' | 'admin', string> = { maria: '', james: '', rivera: '', okafor: '', admin: '' };

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    otherPatient = (await seedOtherOrganization(database.dataSource)).patientId;
    ids = await demoIds(database.dataSource);
    maria = ids.patients['DEMO-0001'] ?? '';
    james = ids.patients['DEMO-0002'] ?? '';
    aiko = ids.patients['DEMO-0003'] ?? '';
    api = await startSecureApi(database);
    tokens.maria = (await signIn(api, 'maria.gonzalez@demo.clinloop.test')).accessToken;
    tokens.james = (await signIn(api, 'james.walker@demo.clinloop.test')).accessToken;
    tokens.rivera = (await signIn(api, 'dr.rivera@demo.clinloop.test')).accessToken;
    tokens.okafor = (await signIn(api, 'np.okafor@demo.clinloop.test')).accessToken;
    tokens.admin = (await signIn(api, 'admin@demo.clinloop.test')).accessToken;
  });

  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  const manualInput = (key: string, overrides: Record<string, unknown> = {}) => ({
    patientId: maria,
    idempotencyKey: key,
    measuredAt: chicagoTime(30),
    systolic: { value: 186, unit: 'mm[Hg]' },
    diastolic: { value: 95, unit: 'mm[Hg]' },
    heartRate: { value: 80, unit: '/min' },
    bodyPosition: 'SITTING',
    ...overrides,
  });

  it('stores a patient\'s manual reading once per idempotency key, as supporting data, audited as an ingest batch', async () => {
    const input = manualInput('portal-key-1');
    const first = await gql<{ submitReading: { replayed: boolean; reading: ReadingView & { patientId: string } } }>(api, SUBMIT, { token: tokens.maria, variables: { input } });
    expect(first.errors).toEqual([]);
    const again = await gql<{ submitReading: { replayed: boolean; reading: ReadingView } }>(api, SUBMIT, { token: tokens.maria, variables: { input } });
    expect(first.data?.submitReading).toMatchObject({
      replayed: false,
      reading: { patientId: maria, source: 'MANUAL', systolic: 186, countsTowardDecisions: false, category: 'CRISIS', enteredInError: false },
    });
    expect(first.data?.submitReading.reading.flags).toEqual(['CRISIS_RANGE', 'SUPPORTING_DATA']);
    expect(again.data?.submitReading).toEqual({ ...first.data?.submitReading, replayed: true });
    expect(await countRows(database.dataSource, `SELECT count(*) FROM observations WHERE patient_id = $1 AND source = 'manual'`, [maria])).toBe(1);
    expect(
      await countRows(database.dataSource, `SELECT count(*) FROM audit_entries WHERE action = 'observations.ingest' AND actor_id = $1 AND patient_id = $2`, [
        ids.users['maria.gonzalez@demo.clinloop.test'],
        maria,
      ]),
    ).toBe(1);

    const changed = await gql(api, SUBMIT, { token: tokens.maria, variables: { input: { ...input, systolic: { value: 150, unit: 'mm[Hg]' } } } });
    expect(errorCodeOf(changed)).toBe('OBSERVATIONS_IDEMPOTENCY_KEY_REUSED');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an implausible value', { systolic: { value: 400, unit: 'mm[Hg]' } }, 'OBSERVATIONS_IMPLAUSIBLE'],
    ['systolic below diastolic', { systolic: { value: 70, unit: 'mm[Hg]' }, diastolic: { value: 90, unit: 'mm[Hg]' } }, 'OBSERVATIONS_IMPLAUSIBLE'],
    ['a unit that is not a pressure', { systolic: { value: 120, unit: 'mg' } }, 'OBSERVATIONS_WRONG_UNIT'],
    ['a time in the future', { measuredAt: chicagoTime(-60) }, 'OBSERVATIONS_FUTURE_TIMESTAMP'],
    ['a time without offset', { measuredAt: '2026-11-23T07:00:00' }, 'OBSERVATIONS_SCHEMA_INVALID'],
  ])('refuses %s with its code and stores nothing', async (_name, overrides, code) => {
    const before = await countRows(database.dataSource, 'SELECT count(*) FROM observations');
    const response = await gql(api, SUBMIT, { token: tokens.maria, variables: { input: manualInput(`bad-${code}-${Object.keys(overrides).join()}`, overrides) } });
    expect(errorCodeOf(response)).toBe(code);
    expect(response.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(await countRows(database.dataSource, 'SELECT count(*) FROM observations')).toBe(before);
  });

  it('answers "not found" for another patient\'s or another organization\'s records', async () => {
    expect(errorCodeOf(await gql(api, SUBMIT, { token: tokens.maria, variables: { input: manualInput('for-james', { patientId: james }) } }))).toBe('PATIENTS_NOT_FOUND');
    expect(errorCodeOf(await gql(api, READINGS, { token: tokens.maria, variables: { patientId: james } }))).toBe('PATIENTS_NOT_FOUND');
    expect(errorCodeOf(await gql(api, READINGS, { token: tokens.rivera, variables: { patientId: otherPatient } }))).toBe('PATIENTS_NOT_FOUND');
    // np.okafor is on team A only; DEMO-0003 is on team B.
    expect(errorCodeOf(await gql(api, READINGS, { token: tokens.okafor, variables: { patientId: aiko } }))).toBe('PATIENTS_NOT_FOUND');
    expect(errorCodeOf(await gql(api, HOME_SUMMARY, { token: tokens.james, variables: { patientId: maria } }))).toBe('PATIENTS_NOT_FOUND');

    const [reading] = await database.dataSource.query<{ id: string }[]>('SELECT id FROM observations WHERE patient_id = $1 LIMIT 1', [maria]);
    const byJames = await gql(api, MARK, { token: tokens.james, variables: { id: reading?.id, reason: 'not mine' } });
    expect(errorCodeOf(byJames)).toBe('OBSERVATIONS_READING_NOT_FOUND');
    expect(errorCodeOf(await gql(api, MARK, { token: tokens.maria, variables: { id: 'not-a-uuid', reason: 'x' } }))).toBe('OBSERVATIONS_READING_NOT_FOUND');
    expect(await countRows(database.dataSource, 'SELECT count(*) FROM observation_corrections')).toBe(0);
  });

  it('takes a reading a clinician marks entered in error out of the windows: kept, shown, audited with the reason', async () => {
    const [device] = await database.dataSource.query<{ id: string }[]>(`SELECT id FROM devices WHERE serial = 'OMR-BP7450-0001'`);
    // One session of two cuff readings (130 and 150: session mean 140), through the worker's ingest path.
    const outcome = await ingestService(database.dataSource).ingestMessages(
      [
        [120, 130],
        [119, 150],
      ].map(([minutesAgo, sbp], index) => ({
        format: 'wearable-reading.v1' as const,
        key: maria,
        receivedAt: new Date(),
        value: Buffer.from(
          JSON.stringify({
            schemaVersion: 1,
            deviceId: device?.id,
            sequence: 9000 + index,
            patientId: maria,
            measuredAt: chicagoTime(minutesAgo ?? 0),
            systolic: { value: sbp, unit: 'mm[Hg]' },
            diastolic: { value: 85, unit: 'mm[Hg]' },
            deviceKind: 'upper_arm_cuff',
          }),
        ),
      })),
      { id: 'graphql-test-batch' },
    );
    expect(outcome.stored).toHaveLength(2);
    const summary = async () =>
      (await gql<{ homeSummary: { timeZone: string; windows: { days: number; readings: number; sessions: number; sessionMean: { systolic: number } | null }[] } }>(api, HOME_SUMMARY, {
        token: tokens.maria,
        variables: { patientId: maria },
      })).data?.homeSummary;
    expect(await summary()).toMatchObject({ timeZone: 'America/Chicago', windows: [{ days: 7, readings: 2, sessions: 1, sessionMean: { systolic: 140 } }, { days: 14 }, { days: 30 }] });

    const wrong = outcome.stored.find((row) => row.measuredAt.getTime() > Date.now() - 119.5 * 60_000);
    const marked = await gql<{ markReadingEnteredInError: ReadingView }>(api, MARK, { token: tokens.rivera, variables: { id: wrong?.id, reason: 'cuff slipped during the measurement' } });
    expect(marked.errors).toEqual([]);
    expect(marked.data?.markReadingEnteredInError).toMatchObject({ enteredInError: true, enteredInErrorReason: 'cuff slipped during the measurement', countsTowardDecisions: false });
    expect(marked.data?.markReadingEnteredInError.flags).toContain('ENTERED_IN_ERROR');
    expect(await summary()).toMatchObject({ windows: [{ days: 7, readings: 1, sessions: 1, sessionMean: { systolic: 130 } }, { days: 14 }, { days: 30 }] });
    expect(errorCodeOf(await gql(api, MARK, { token: tokens.maria, variables: { id: wrong?.id, reason: 'again' } }))).toBe('OBSERVATIONS_ALREADY_ENTERED_IN_ERROR');

    const list = await gql<{ readings: ReadingView[] }>(api, READINGS, { token: tokens.maria, variables: { patientId: maria } });
    expect(list.data?.readings.map((reading) => [reading.source, reading.systolic, reading.enteredInError])).toEqual([
      ['MANUAL', 186, false],
      ['DEVICE', 150, true],
      ['DEVICE', 130, false],
    ]);
    expect(list.data?.readings[2]).toMatchObject({ deviceKind: 'UPPER_ARM_CUFF', countsTowardDecisions: true, late: false, category: 'STAGE_1', flags: [] });
    expect(
      await countRows(database.dataSource, `SELECT count(*) FROM audit_entries WHERE action = 'observation.mark_entered_in_error' AND resource_id = $1 AND reason = $2 AND actor_id = $3`, [
        wrong?.id,
        'cuff slipped during the measurement',
        ids.users['dr.rivera@demo.clinloop.test'],
      ]),
    ).toBe(1);
    expect(await countRows(database.dataSource, 'SELECT count(*) FROM observations WHERE id = $1', [wrong?.id])).toBe(1);
  });

  it('lets admins and clinicians register devices, clinicians bind them to team patients; an unbound device\'s readings are refused', async () => {
    const register = `mutation R($input: RegisterDeviceInput!) { registerDevice(input: $input) { id serial kind validated } }`;
    const registered = await gql<{ registerDevice: { id: string; kind: string } }>(api, register, {
      token: tokens.admin,
      variables: { input: { serial: 'OMR-NEW-0001', kind: 'UPPER_ARM_CUFF', model: 'Omron M7', validated: true } },
    });
    expect(registered.errors).toEqual([]);
    const deviceId = registered.data?.registerDevice.id ?? '';
    expect(errorCodeOf(await gql(api, register, { token: tokens.rivera, variables: { input: { serial: 'OMR-NEW-0001', kind: 'WRIST_CUFF', model: 'x', validated: false } } }))).toBe(
      'OBSERVATIONS_DEVICE_ALREADY_REGISTERED',
    );
    expect(errorCodeOf(await gql(api, register, { token: tokens.maria, variables: { input: { serial: 'MINE', kind: 'WRIST_CUFF', model: 'x', validated: false } } }))).toBe('AUTHZ_FORBIDDEN');

    const bind = `mutation B($deviceId: ID!, $patientId: ID!) { bindDevice(deviceId: $deviceId, patientId: $patientId) { id serial boundAt } }`;
    expect(errorCodeOf(await gql(api, bind, { token: tokens.admin, variables: { deviceId, patientId: maria } }))).toBe('AUTHZ_FORBIDDEN');
    expect(errorCodeOf(await gql(api, bind, { token: tokens.okafor, variables: { deviceId, patientId: aiko } }))).toBe('PATIENTS_NOT_FOUND');
    expect(errorCodeOf(await gql(api, bind, { token: tokens.rivera, variables: { deviceId, patientId: otherPatient } }))).toBe('PATIENTS_NOT_FOUND');
    const bound = await gql<{ bindDevice: { id: string; serial: string } }>(api, bind, { token: tokens.okafor, variables: { deviceId, patientId: maria } });
    expect(bound.data?.bindDevice).toMatchObject({ id: deviceId, serial: 'OMR-NEW-0001' });
    expect(errorCodeOf(await gql(api, bind, { token: tokens.okafor, variables: { deviceId, patientId: maria } }))).toBe('OBSERVATIONS_DEVICE_ALREADY_BOUND');

    const devices = `query D($patientId: ID!) { devices(patientId: $patientId) { serial kind } }`;
    const own = await gql<{ devices: { serial: string }[] }>(api, devices, { token: tokens.maria, variables: { patientId: maria } });
    expect(own.data?.devices.map((device) => device.serial)).toEqual(['OMR-BP7450-0001', 'OMR-NEW-0001']);
    expect(errorCodeOf(await gql(api, devices, { token: tokens.james, variables: { patientId: maria } }))).toBe('PATIENTS_NOT_FOUND');

    // A reading measured while bound is accepted; after unbinding the device's readings are refused with their code.
    const reading = (sequence: number, secondsAhead: number) => ({
      format: 'wearable-reading.v1' as const,
      key: maria,
      receivedAt: new Date(),
      value: Buffer.from(
        JSON.stringify({
          schemaVersion: 1,
          deviceId,
          sequence,
          patientId: maria,
          // Seconds ahead (within the allowed clock skew): measured after the bind, and the second after the unbind.
          measuredAt: chicagoTime(-secondsAhead / 60),
          systolic: { value: 128, unit: 'mm[Hg]' },
          diastolic: { value: 80, unit: 'mm[Hg]' },
          deviceKind: 'upper_arm_cuff',
        }),
      ),
    });
    expect((await ingestService(database.dataSource).ingestMessages([reading(1, 3)], { id: 'bound' })).stored).toHaveLength(1);
    const unbind = `mutation U($deviceId: ID!) { unbindDevice(deviceId: $deviceId) { id serial } }`;
    expect(errorCodeOf(await gql(api, unbind, { token: tokens.maria, variables: { deviceId } }))).toBe('AUTHZ_FORBIDDEN');
    expect(errorCodeOf(await gql(api, unbind, { token: tokens.rivera, variables: { deviceId: '00000000-0000-4000-8000-000000000000' } }))).toBe('OBSERVATIONS_DEVICE_NOT_FOUND');
    expect((await gql(api, unbind, { token: tokens.rivera, variables: { deviceId } })).errors).toEqual([]);
    const afterwards = await ingestService(database.dataSource).ingestMessages([reading(2, 6)], { id: 'unbound' });
    expect(afterwards.stored).toHaveLength(0);
    expect(afterwards.rejections[0]).toMatchObject({ code: 'OBSERVATIONS_DEVICE_NOT_BOUND_TO_PATIENT' });
    expect(
      await countRows(database.dataSource, `SELECT count(*) FROM audit_entries WHERE resource_id = $1 AND action IN ('device.register', 'device.bind', 'device.unbind')`, [deviceId]),
    ).toBe(3);
  });
});
