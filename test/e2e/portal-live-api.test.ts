import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsService } from '@clinloop/alerts';
import { currentTotp } from '@clinloop/auth';
import { DEFAULT_RULES, type AlertCandidate } from '@clinloop/clinical';
import { withTransaction } from '@clinloop/database';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '@clinloop/demo';
import { decodeMeta, encodeMeta } from '@clinloop/portal-kit/session-cookies';
import { launchChromium } from '../support/chromium';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { demoIds, gql, seedDemoOrganization, signIn, signInResponse, startSecureApi, type SecureApi } from '../support/auth-api';
import { freePort } from '../support/free-port';
import { ingestService, nativeReading } from '../support/ingestion-fixtures';
import { horizontalOverflow, screenshot, SCREENSHOTS, startPortal, watchForProblems, type Portal } from '../support/portal-process';

/**
 * Both portals in Chromium against the REAL API (NestJS over a PostgreSQL test database with the demo
 * organization): sign-in with coded errors, httpOnly session cookies, token refresh and idle sign-out in
 * the proxy, each portal's on-screen idle sign-out, the patient's alerts and manual readings, the
 * clinician's alert queue and acknowledgment.
 * Screenshots go to test-results/portals/.
 */

const MARIA = 'maria.gonzalez@demo.clinloop.test';
const CLINICIAN = 'dr.rivera@demo.clinloop.test';
const LOCKED_CLINICIAN = 'np.okafor@demo.clinloop.test';
const ORGANIZATION = 'demo-clinic';

describe('portals against the real API', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let apiUrl: string;
  let browser: Browser;
  let patientPortal: Portal;
  let clinicianPortal: Portal;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  const portals: Portal[] = [];
  const contexts: BrowserContext[] = [];

  const candidate = (patientId: string, condition: AlertCandidate['condition'], severity: AlertCandidate['severity'], minutesAgo: number): AlertCandidate => ({
    patientId,
    condition,
    severity,
    raisedAt: new Date(api.clock.now().getTime() - minutesAgo * 60_000),
    message: `${condition} (${severity}) - raised by the portal test`,
    evidence: { readingIds: [] },
    effects: ['NOTIFY_CARE_TEAM'],
    rulesVersion: DEFAULT_RULES.version,
  });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    ids = await demoIds(database.dataSource);
    const [apiPort, patientPort, clinicianPort] = [await freePort(), await freePort(), await freePort()];
    api = await startSecureApi(database, { CORS_ORIGINS: `http://127.0.0.1:${patientPort},http://127.0.0.1:${clinicianPort}` });
    await api.app.listen(apiPort, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${apiPort}`;

    const alerts = api.app.get(AlertsService);
    const maria = ids.patients['DEMO-0001'] ?? '';
    const james = ids.patients['DEMO-0002'] ?? '';
    await withTransaction(database.dataSource, async (manager) => {
      await alerts.raise(manager, candidate(maria, 'PERSISTENT_HYPOTENSION', 'HIGH', 40));
      await alerts.raise(manager, candidate(james, 'PERSISTENT_UNCONTROLLED', 'LOW', 180));
      await alerts.raise(manager, candidate(maria, 'HYPERTENSIVE_CRISIS', 'CRITICAL', 7));
    });

    const settled = await Promise.allSettled([
      startPortal('patient-portal', { apiUrl, port: patientPort, devDistDir: '.next/e2e-live' }),
      startPortal('clinician-portal', { apiUrl, port: clinicianPort, devDistDir: '.next/e2e-live', readyPath: '/sign-in' }),
    ]);
    for (const result of settled) if (result.status === 'fulfilled') portals.push(result.value);
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
    [patientPortal, clinicianPortal] = portals as [Portal, Portal];
    for (const portal of portals) process.stderr.write(`[portal-live-api] ${portal.name} (${portal.mode}) served its first page ${portal.firstPageMs} ms after spawn\n`);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await (browser as Browser | undefined)?.close().catch(() => undefined);
    await Promise.all(portals.map((portal) => portal.stop()));
    await (api as SecureApi | undefined)?.close();
    await (database as TestDatabase | undefined)?.drop();
  }, 60_000);

  async function newPage(viewport: { width: number; height: number }, mobile: boolean): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport, deviceScaleFactor: mobile ? 2 : 1, isMobile: mobile, hasTouch: mobile, locale: 'en-US' });
    contexts.push(context);
    return { page: await context.newPage(), context };
  }

  async function patientSignIn(page: Page, password = DEMO_PASSWORD): Promise<void> {
    await page.goto(`${patientPortal.url}/sign-in`, { waitUntil: 'load' });
    await page.getByLabel('Clinic code').fill(ORGANIZATION);
    await page.getByLabel('E-mail').fill(MARIA);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function clinicianSignIn(page: Page, email: string, totpCode: string): Promise<void> {
    await page.goto(`${clinicianPortal.url}/sign-in`, { waitUntil: 'load' });
    await page.getByLabel('Organization').fill(ORGANIZATION);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByLabel('Authenticator code').fill(totpCode);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function sessionCookies(context: BrowserContext, prefix: string) {
    const all = await context.cookies();
    return { at: all.find((c) => c.name === `${prefix}_at`), rt: all.find((c) => c.name === `${prefix}_rt`), meta: all.find((c) => c.name === `${prefix}_meta`) };
  }

  it('patient: a wrong password shows the coded error, accessibly, and no session', async () => {
    const { page, context } = await newPage({ width: 390, height: 844 }, true);
    const problems = watchForProblems(page);
    await patientSignIn(page, 'not-the-password');
    const error = page.getByRole('alert').filter({ hasText: 'is not correct' });
    await error.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await error.innerText()).toContain('The clinic code, e-mail or password is not correct.');
    // Focus moves to the message so a screen reader announces it and the keyboard starts there.
    expect(await page.evaluate('document.activeElement?.id')).toBe('sign-in-error');
    expect(await page.getByLabel('E-mail').inputValue()).toBe(MARIA);
    expect((await sessionCookies(context, 'clinloop_patient')).at).toBeUndefined();
    await screenshot(page, 'live-patient-390x844-wrong-password', false);
    expect(problems.pageErrors).toEqual([]);
    expect(problems.csp).toEqual([]);
  }, 120_000);

  it('patient: signs in, sees alerts with guidance and the monitoring notice (most urgent first), enters a reading once, marks one in error', async () => {
    const { page, context } = await newPage({ width: 390, height: 844 }, true);
    const problems = watchForProblems(page);
    await patientSignIn(page);
    await page.getByRole('heading', { name: 'Hello, Maria' }).waitFor({ state: 'visible', timeout: 60_000 });

    // Tokens live in httpOnly, SameSite=Strict cookies that no script can read.
    const cookies = await sessionCookies(context, 'clinloop_patient');
    for (const cookie of [cookies.at, cookies.rt, cookies.meta]) {
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    expect(await page.evaluate<string>('document.cookie')).toBe('');

    const alertsSection = page.getByRole('region', { name: 'Alerts' });
    const titles = await alertsSection.locator('.alert__title').allInnerTexts();
    expect(titles).toEqual(['Very high blood pressure', 'Low blood pressure']);
    const crisisAlert = alertsSection.locator('li').first();
    expect(await crisisAlert.locator('.alert__severity').textContent()).toBe('Urgent');
    expect(await crisisAlert.getByText(/Sit quietly for 5 minutes and measure again/).isVisible()).toBe(true);
    const lowAlert = alertsSection.locator('li').nth(1);
    expect(await lowAlert.getByText(/Do not take extra doses/).isVisible()).toBe(true);
    for (const item of [crisisAlert, lowAlert]) {
      expect(await item.getByText('Your readings are not watched around the clock.', { exact: false }).isVisible()).toBe(true);
    }
    expect(await page.getByRole('region', { name: 'In an emergency' }).isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'live-patient-390x844-first-screen', false);
    await screenshot(page, 'live-patient-390x844-home');

    // Enter a reading; a double submission stores it once (one idempotency key per form).
    const form = page.getByRole('region', { name: 'Enter a reading' });
    await form.getByLabel('Top number (systolic)').fill('138');
    await form.getByLabel('Bottom number (diastolic)').fill('86');
    await form.getByLabel('Pulse').fill('71');
    await page.evaluate("(() => { const form = document.getElementById('reading-form'); form.requestSubmit(); form.requestSubmit(); })()");
    await form.getByRole('status').filter({ hasText: 'Saved: 138/86 mmHg, pulse 71.' }).waitFor({ state: 'visible', timeout: 60_000 });
    const readings = page.getByRole('region', { name: 'Your recent readings' });
    await readings.getByText('138/86').first().waitFor({ state: 'visible', timeout: 30_000 });
    const stored = await database.dataSource.query<{ n: string }[]>(
      `SELECT count(*)::text AS n FROM observations WHERE patient_id = $1 AND source = 'manual' AND sbp = 138 AND dbp = 86`,
      [ids.patients['DEMO-0001']],
    );
    expect(stored[0]?.n).toBe('1');
    await screenshot(page, 'live-patient-390x844-reading-saved');

    // Mark it entered in error, with a reason: it stays listed, struck through.
    const row = readings.locator('li').filter({ hasText: '138/86' }).first();
    await row.getByText('This reading is wrong').click();
    await row.getByLabel('What was wrong?').fill('cuff was loose');
    await row.getByRole('button', { name: 'Mark as entered in error' }).click();
    await readings.locator('li').filter({ hasText: '138/86' }).first().getByText('Entered in error - not used').waitFor({ state: 'visible', timeout: 30_000 });

    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'live-patient-1280x800-home');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.csp).toEqual([]);
  }, 180_000);

  it('patient: the proxy refreshes an expiring access token (both cookies rotate), signs out after inactivity, and sign-out revokes the tokens', async () => {
    const { page, context } = await newPage({ width: 390, height: 844 }, true);
    await patientSignIn(page);
    await page.getByRole('heading', { name: 'Hello, Maria' }).waitFor({ state: 'visible', timeout: 60_000 });
    const before = await sessionCookies(context, 'clinloop_patient');
    const meta = decodeMeta(before.meta?.value);
    expect(meta).not.toBeNull();
    const cookieBase = { domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Strict' as const, expires: Math.floor((meta?.sessionExpiresAt ?? 0) / 1000) };

    // The access token "expires": the next request trades the refresh token for new tokens.
    await context.addCookies([{ ...cookieBase, name: 'clinloop_patient_meta', value: encodeMeta({ ...(meta ?? never()), accessTokenExpiresAt: Date.now() - 1_000 }) }]);
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('heading', { name: 'Hello, Maria' }).waitFor({ state: 'visible', timeout: 30_000 });
    const after = await sessionCookies(context, 'clinloop_patient');
    expect(after.at?.value).not.toBe(before.at?.value);
    expect(after.rt?.value).not.toBe(before.rt?.value);
    // The old refresh token was used once by the rotation: the API refuses it now.
    const reused = await gql(api, 'mutation R($t: String!) { refreshSession(refreshToken: $t) { accessToken } }', { variables: { t: before.rt?.value } });
    expect(reused.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    // The reuse revoked the session family (theft detection), so sign in again for the rest.
    await patientSignIn(page);
    await page.getByRole('heading', { name: 'Hello, Maria' }).waitFor({ state: 'visible', timeout: 60_000 });

    // Idle longer than the API's idle timeout: the next request lands on sign-in with the reason.
    const current = await sessionCookies(context, 'clinloop_patient');
    const currentMeta = decodeMeta(current.meta?.value) ?? never();
    await context.addCookies([{ ...cookieBase, name: 'clinloop_patient_meta', value: encodeMeta({ ...currentMeta, lastActivityAt: Date.now() - (currentMeta.idleTimeoutSeconds + 5) * 1000 }) }]);
    await page.goto(patientPortal.url, { waitUntil: 'load' });
    await page.getByText('You were signed out after a period of inactivity').waitFor({ state: 'visible', timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect((await sessionCookies(context, 'clinloop_patient')).at).toBeUndefined();
    const idleMe = await gql(api, '{ me { id } }', { token: current.at?.value });
    expect(idleMe.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    await screenshot(page, 'live-patient-390x844-idle-signed-out', false);

    // Sign out: back at sign-in, and the access token no longer works at the API.
    await patientSignIn(page);
    await page.getByRole('heading', { name: 'Hello, Maria' }).waitFor({ state: 'visible', timeout: 60_000 });
    const token = (await sessionCookies(context, 'clinloop_patient')).at?.value;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor({ state: 'visible', timeout: 30_000 });
    const signedOutMe = await gql(api, '{ me { id } }', { token });
    expect(signedOutMe.errors[0]?.extensions.errorCode).toBe('AUTH_SESSION_ENDED');
  }, 180_000);

  it('clinician: wrong code and a locked account get their own messages; with the authenticator code the queue shows CRITICAL first and an alert is acknowledged by keyboard', async () => {
    const { page } = await newPage({ width: 1280, height: 800 }, false);
    const problems = watchForProblems(page);
    const signInAs = (email: string, code: string): Promise<void> => clinicianSignIn(page, email, code);

    const wrongCode = String((Number(currentTotp(DEMO_TOTP_SECRET, api.clock.now())) + 500_000) % 1_000_000).padStart(6, '0');
    await signInAs(CLINICIAN, wrongCode);
    await page.getByRole('alert').filter({ hasText: '6-digit code is not correct' }).waitFor({ state: 'visible', timeout: 60_000 });

    for (let attempt = 0; attempt < api.config.authLockoutThreshold; attempt += 1) {
      await signInResponse(api, LOCKED_CLINICIAN, { password: 'wrong-password-x', totpCode: '000000' });
    }
    await signInAs(LOCKED_CLINICIAN, currentTotp(DEMO_TOTP_SECRET, api.clock.now()));
    await page.getByRole('alert').filter({ hasText: 'Your account is locked' }).waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'live-clinician-1280x800-locked', false);

    await signInAs(CLINICIAN, currentTotp(DEMO_TOTP_SECRET, api.clock.now()));
    const queue = page.getByRole('region', { name: 'Open alerts' });
    await queue.waitFor({ state: 'visible', timeout: 60_000 });
    const rows = queue.locator('tbody tr');
    const severities = (await rows.locator('.severity').allInnerTexts()).map((text) => text.replace(/[^A-Z]/g, ''));
    expect(severities).toEqual(['CRITICAL', 'HIGH', 'LOW']);
    expect(await rows.first().getByRole('rowheader').innerText()).toBe('Maria Gonzalez');
    expect(await rows.first().locator('.queue-age').innerText()).toMatch(/^\d+ min ago$/);
    expect(await queue.getByRole('status').first().innerText()).toContain('1 critical not acknowledged');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'live-clinician-1280x800-queue');

    // Keyboard only: Tab reaches the first Acknowledge button, Enter acknowledges, focus moves on.
    const focused = () => page.evaluate<string | null>('document.activeElement?.getAttribute("aria-label") ?? null');
    let guard = 0;
    while ((await focused()) !== 'Acknowledge critical alert for Maria Gonzalez' && guard < 40) {
      await page.keyboard.press('Tab');
      guard += 1;
    }
    expect(guard).toBeLessThan(40);
    await page.keyboard.press('Enter');
    await rows.first().getByText('Acknowledged').first().waitFor({ state: 'visible', timeout: 30_000 });
    expect(await focused()).toBe('Acknowledge high alert for Maria Gonzalez');
    await screenshot(page, 'live-clinician-1280x800-acknowledged');

    // The API reports it acknowledged (read as the patient: no second authenticator code needed).
    const patientToken = (await signIn(api, MARIA)).accessToken;
    const after = await gql<{ alerts: { condition: string; acknowledgedAt: string | null; acknowledgedBy: string | null }[] }>(
      api,
      'query A($id: ID!) { alerts(patientId: $id) { condition acknowledgedAt acknowledgedBy } }',
      { token: patientToken, variables: { id: ids.patients['DEMO-0001'] } },
    );
    const crisis = after.data?.alerts.find((alert) => alert.condition === 'HYPERTENSIVE_CRISIS');
    expect(crisis?.acknowledgedAt).not.toBeNull();
    expect(crisis?.acknowledgedBy).toBe(ids.users[CLINICIAN]);
    expect(after.data?.alerts.find((alert) => alert.condition === 'PERSISTENT_HYPOTENSION')?.acknowledgedAt).toBeNull();

    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'live-clinician-390x844-queue');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.csp).toEqual([]);
  }, 180_000);

  it('the on-screen idle sign-out warns a minute ahead, is put off by "Stay signed in" (patient) or by any key (clinician), then the sign-in page says why', async () => {
    // The page runs on Playwright's clock: fast-forwarding it fires the page's timers at once. The API and
    // the proxy keep real time, so here only the page's own idle sign-out can end the session.
    const idleSignOut = async (page: Page, context: BrowserContext, cookiePrefix: string, warningText: string, putOff: () => Promise<void>, name: string): Promise<void> => {
      const idleMs = (decodeMeta((await sessionCookies(context, cookiePrefix)).meta?.value) ?? never()).idleTimeoutSeconds * 1000;
      const warning = page.getByRole('alert').filter({ hasText: warningText });
      await page.clock.fastForward(idleMs - 60_000 + 1_000);
      await warning.waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, name, false);
      await putOff();
      await warning.waitFor({ state: 'hidden', timeout: 30_000 });
      // Past the first deadline the warning comes again, on the same page: the idle clock was restarted.
      await page.clock.fastForward(idleMs - 60_000);
      await warning.waitFor({ state: 'visible', timeout: 30_000 });
      await page.clock.fastForward(60_000);
      await page.getByText('You were signed out after a period of inactivity').waitFor({ state: 'visible', timeout: 30_000 });
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      expect((await sessionCookies(context, cookiePrefix)).at).toBeUndefined();
    };

    const patient = await newPage({ width: 390, height: 844 }, true);
    const patientProblems = watchForProblems(patient.page);
    await patient.page.clock.install();
    await patientSignIn(patient.page);
    await patient.page.getByRole('heading', { name: 'Hello, Maria' }).waitFor({ state: 'visible', timeout: 60_000 });
    await idleSignOut(
      patient.page,
      patient.context,
      'clinloop_patient',
      'you will be signed out in about a minute',
      () => patient.page.getByRole('button', { name: 'Stay signed in' }).click(),
      'live-patient-390x844-idle-warning',
    );

    const clinician = await newPage({ width: 1280, height: 800 }, false);
    const clinicianProblems = watchForProblems(clinician.page);
    await clinician.page.clock.install();
    // An authenticator code works once: wait (on the API's clock) for the next one, as a person would.
    api.clock.advance(30_000);
    await clinicianSignIn(clinician.page, CLINICIAN, currentTotp(DEMO_TOTP_SECRET, api.clock.now()));
    await clinician.page.getByRole('region', { name: 'Open alerts' }).waitFor({ state: 'visible', timeout: 60_000 });
    await idleSignOut(
      clinician.page,
      clinician.context,
      'clinloop_clinician',
      'Signing out for inactivity in about a minute',
      () => clinician.page.keyboard.press('Shift'),
      'live-clinician-1280x800-idle-warning',
    );

    for (const problems of [patientProblems, clinicianProblems]) {
      expect(problems.pageErrors).toEqual([]);
      expect(problems.csp).toEqual([]);
    }
  }, 180_000);

  it('a patient cannot use the clinician portal, nor staff the patient portal: no session is kept', async () => {
    const { page, context } = await newPage({ width: 1280, height: 800 }, false);
    await clinicianSignIn(page, MARIA, '123456');
    await page.getByRole('alert').filter({ hasText: 'This portal is for clinical staff' }).waitFor({ state: 'visible', timeout: 60_000 });
    expect((await sessionCookies(context, 'clinloop_clinician')).at).toBeUndefined();

    await page.goto(`${patientPortal.url}/sign-in`, { waitUntil: 'load' });
    await page.getByLabel('Clinic code').fill(ORGANIZATION);
    await page.getByLabel('E-mail').fill(CLINICIAN);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This portal is for patients' }).waitFor({ state: 'visible', timeout: 60_000 });
    expect((await sessionCookies(context, 'clinloop_patient')).at).toBeUndefined();
  }, 90_000);

  // Last: the open crisis episode it creates would show on Maria's home in the tests above.
  it('patient: a crisis-range reading from her cuff puts the emergency guidance first on her home, above the alerts', async () => {
    const maria = ids.patients['DEMO-0001'] ?? '';
    const [binding] = await database.dataSource.query<{ device_id: string }[]>(
      'SELECT device_id FROM device_bindings WHERE patient_id = $1 AND unbound_at IS NULL',
      [maria],
    );
    const patient = { patientId: maria, deviceId: binding?.device_id ?? '' };
    // Through the ingest path, as the worker stores it: the episode opens and waits for the re-measure.
    const outcome = await ingestService(database.dataSource).ingestMessages(
      [{ format: 'wearable-reading.v1', key: maria, receivedAt: new Date(), value: nativeReading({ patient, sequence: 900_001, measuredAt: new Date(Date.now() - 60_000), sbp: 192, dbp: 124 }) }],
      { id: 'portal-live-api-crisis' },
    );
    expect(outcome.stored).toHaveLength(1);

    const { page } = await newPage({ width: 390, height: 844 }, true);
    const problems = watchForProblems(page);
    await patientSignIn(page);
    const banner = page.getByRole('alert').filter({ hasText: 'Your blood pressure is very high' });
    await banner.waitFor({ state: 'visible', timeout: 60_000 });
    // Above everything else on the page: the first region after the greeting, before the alerts.
    const bannerTop = (await banner.boundingBox())?.y ?? Number.POSITIVE_INFINITY;
    const alertsTop = (await page.getByRole('region', { name: 'Alerts' }).boundingBox())?.y ?? Number.NEGATIVE_INFINITY;
    expect(bannerTop).toBeLessThan(alertsTop);
    expect(await banner.getByText(/measure again/i).first().isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'live-patient-390x844-crisis');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.csp).toEqual([]);
  }, 90_000);
});

function never(): never {
  throw new Error('expected a session meta cookie');
}
