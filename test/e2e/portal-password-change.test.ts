import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '@clinloop/auth';
import { decodeMeta, encodeMeta, type SessionMeta } from '@clinloop/portal-kit/session-cookies';
import { launchChromium } from '../support/chromium';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { containing, errorCodeOf, gql, seedDemoOrganization, signIn, signInResponse, startSecureApi, type SecureApi } from '../support/auth-api';
import { freePort } from '../support/free-port';
import { horizontalOverflow, screenshot, SCREENSHOTS, startPortal, watchForProblems, type Portal } from '../support/portal-process';

/**
 * Both portals in Chromium against the REAL API (NestJS over a PostgreSQL test database with the demo
 * organization): accounts an administrator created through the API sign in with their temporary
 * password, are held on "Choose a new password" (every other page redirects there, also across a token
 * refresh), see accessible errors (a mismatch caught on the page, a wrong current password, the API's
 * policy message, an ended session), change it, land on their home, sign out and sign in with
 * the new password. The change is in the audit trail. Screenshots go to test-results/portals/.
 */

const ORGANIZATION = 'demo-clinic';
const ADMIN = 'admin@demo.clinloop.test';
const NEW_PATIENT = 'aiko.portal@demo.clinloop.test';
const NEW_CLINICIAN = 'dr.brooks@demo.clinloop.test';
const PATIENT_NEW_PASSWORD = 'plum river lantern 42';
const CLINICIAN_NEW_PASSWORD = 'copper kettle meadow 7';

const CREATE_USER = 'mutation C($input: CreateUserInput!) { createUser(input: $input) { user { id } temporaryPassword totpSecret } }';

interface Provisioned {
  readonly userId: string;
  readonly temporaryPassword: string;
  readonly totpSecret: string | null;
}

interface AuditRow {
  readonly outcome: string;
  readonly reason: string | null;
  readonly payload: Record<string, unknown>;
}

describe('choosing a new password in the portals, against the real API', () => {
  let database: TestDatabase;
  let api: SecureApi;
  let browser: Browser;
  let patientPortal: Portal;
  let clinicianPortal: Portal;
  let patient: Provisioned;
  let clinician: Provisioned;
  const portals: Portal[] = [];
  const contexts: BrowserContext[] = [];

  async function createAccount(adminToken: string, input: Record<string, string>): Promise<Provisioned> {
    const created = await gql<{ createUser: { user: { id: string }; temporaryPassword: string; totpSecret: string | null } }>(api, CREATE_USER, {
      token: adminToken,
      variables: { input },
    });
    const account = created.data?.createUser;
    if (!account) throw new Error(`createUser failed: ${JSON.stringify(created.errors)}`);
    return { userId: account.user.id, temporaryPassword: account.temporaryPassword, totpSecret: account.totpSecret };
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    database = await createTestDatabase();
    await seedDemoOrganization(database.dataSource);
    const [apiPort, patientPort, clinicianPort] = [await freePort(), await freePort(), await freePort()];
    api = await startSecureApi(database, { CORS_ORIGINS: `http://127.0.0.1:${patientPort},http://127.0.0.1:${clinicianPort}` });
    await api.app.listen(apiPort, '127.0.0.1');
    const apiUrl = `http://127.0.0.1:${apiPort}`;

    // As an administrator would: each new account gets a one-time password (and staff an authenticator secret).
    const admin = await signIn(api, ADMIN);
    patient = await createAccount(admin.accessToken, { email: NEW_PATIENT, displayName: 'Aiko Tanaka', role: 'PATIENT', patientMrn: 'DEMO-0003' });
    clinician = await createAccount(admin.accessToken, { email: NEW_CLINICIAN, displayName: 'Dr. Nia Brooks', role: 'CLINICIAN' });

    const settled = await Promise.allSettled([
      startPortal('patient-portal', { apiUrl, port: patientPort, devDistDir: '.next/e2e-password' }),
      startPortal('clinician-portal', { apiUrl, port: clinicianPort, devDistDir: '.next/e2e-password', readyPath: '/sign-in' }),
    ]);
    for (const result of settled) if (result.status === 'fulfilled') portals.push(result.value);
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
    [patientPortal, clinicianPortal] = portals as [Portal, Portal];
    for (const portal of portals) process.stderr.write(`[portal-password-change] ${portal.name} (${portal.mode}) served its first page ${portal.firstPageMs} ms after spawn\n`);
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

  async function sessionMeta(context: BrowserContext, prefix: string): Promise<SessionMeta | null> {
    return decodeMeta((await context.cookies()).find((cookie) => cookie.name === `${prefix}_meta`)?.value);
  }

  async function cookieValue(context: BrowserContext, name: string): Promise<string | undefined> {
    return (await context.cookies()).find((cookie) => cookie.name === name)?.value;
  }

  async function fillPasswords(page: Page, current: string, next: string, confirmation: string): Promise<void> {
    await page.getByLabel('Current password', { exact: true }).fill(current);
    await page.getByLabel('New password', { exact: true }).fill(next);
    await page.getByLabel('Confirm new password', { exact: true }).fill(confirmation);
  }

  /** The error shows, is announced (role=alert), has the focus, and marks the field it is about. */
  async function expectFormError(page: Page, text: string, field: string): Promise<void> {
    const error = page.getByRole('alert').filter({ hasText: text });
    await error.waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForFunction("document.activeElement?.id === 'password-change-error'", undefined, { timeout: 10_000 });
    expect(await page.locator(`#${field}`).getAttribute('aria-invalid')).toBe('true');
    expect((await page.locator(`#${field}`).getAttribute('aria-describedby')) ?? '').toContain('password-change-error');
  }

  function changePasswordAudit(userId: string): Promise<AuditRow[]> {
    return database.dataSource.query<AuditRow[]>(
      "SELECT outcome, reason, payload FROM audit_entries WHERE action = 'account.change_password' AND resource_id = $1 ORDER BY seq",
      [userId],
    );
  }

  it('patient: a temporary password leads to "Choose a new password" until it is changed; errors are clear; then home, sign-out and sign-in with the new one', async () => {
    const { page, context } = await newPage({ width: 390, height: 844 }, true);
    const problems = watchForProblems(page);
    await page.goto(`${patientPortal.url}/sign-in`, { waitUntil: 'load' });
    await page.getByLabel('Clinic code').fill(ORGANIZATION);
    await page.getByLabel('E-mail').fill(NEW_PATIENT);
    await page.getByLabel('Password').fill(patient.temporaryPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const heading = page.getByRole('heading', { name: 'Choose a new password' });
    await heading.waitFor({ state: 'visible', timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/change-password');
    expect((await sessionMeta(context, 'clinloop_patient'))?.mustChangePassword).toBe(true);
    expect(await page.getByText('The temporary password your care team gave you.').isVisible()).toBe(true);
    // Emergency guidance stays within reach while the patient is held here.
    expect(await page.getByRole('region', { name: 'In an emergency' }).isVisible()).toBe(true);

    // Every other page sends the patient back here, the sign-in page included.
    for (const path of ['/', '/sign-in']) {
      await page.goto(`${patientPortal.url}${path}`, { waitUntil: 'load' });
      await heading.waitFor({ state: 'visible', timeout: 30_000 });
      expect(new URL(page.url()).pathname).toBe('/change-password');
    }
    // Also when that request refreshes an expiring access token: the rotated tokens come with the redirect.
    const meta = (await sessionMeta(context, 'clinloop_patient')) ?? never();
    const tokenBefore = await cookieValue(context, 'clinloop_patient_at');
    await context.addCookies([
      {
        name: 'clinloop_patient_meta',
        value: encodeMeta({ ...meta, accessTokenExpiresAt: Date.now() - 1_000 }),
        domain: '127.0.0.1',
        path: '/',
        httpOnly: true,
        sameSite: 'Strict',
        expires: Math.floor(meta.sessionExpiresAt / 1000),
      },
    ]);
    await page.goto(patientPortal.url, { waitUntil: 'load' });
    await heading.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await cookieValue(context, 'clinloop_patient_at')).not.toBe(tokenBefore);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'password-patient-390x844-choose');

    // A mismatch is caught on the page, before anything is sent; what was typed stays.
    await fillPasswords(page, patient.temporaryPassword, PATIENT_NEW_PASSWORD, 'plum river lantern 24');
    await page.getByRole('button', { name: 'Save my new password' }).click();
    await expectFormError(page, 'The two new passwords are not the same.', 'confirmPassword');
    expect(await page.getByLabel('Current password', { exact: true }).inputValue()).toBe(patient.temporaryPassword);
    expect(await changePasswordAudit(patient.userId)).toEqual([]);
    await screenshot(page, 'password-patient-390x844-mismatch', false);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'password-patient-1280x800-mismatch');
    await page.setViewportSize({ width: 390, height: 844 });

    // A wrong current password: the API refuses it (audited), the session goes on, the fields are emptied.
    await fillPasswords(page, 'not-the-temporary-one', PATIENT_NEW_PASSWORD, PATIENT_NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save my new password' }).click();
    await expectFormError(page, 'Your current password is not correct.', 'currentPassword');
    expect(new URL(page.url()).pathname).toBe('/change-password');
    expect(await page.getByLabel('New password', { exact: true }).inputValue()).toBe('');
    expect(await changePasswordAudit(patient.userId)).toEqual([containing({ outcome: 'failure', reason: 'wrong current password' })]);

    // The API's password policy, in its own words.
    await fillPasswords(page, patient.temporaryPassword, 'too short', 'too short');
    await page.getByRole('button', { name: 'Save my new password' }).click();
    await expectFormError(page, 'The password must be at least 12 characters.', 'newPassword');
    await screenshot(page, 'password-patient-390x844-policy', false);

    // Changed: the session goes on, at home, which says so; the other pages are free again.
    await fillPasswords(page, patient.temporaryPassword, PATIENT_NEW_PASSWORD, PATIENT_NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save my new password' }).click();
    await page.getByRole('heading', { name: 'Hello, Aiko' }).waitFor({ state: 'visible', timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('status').filter({ hasText: 'Your new password is saved.' }).isVisible()).toBe(true);
    expect((await sessionMeta(context, 'clinloop_patient'))?.mustChangePassword).toBe(false);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'password-patient-390x844-changed');
    const audit = await changePasswordAudit(patient.userId);
    expect(audit.map((row) => row.outcome)).toEqual(['failure', 'success']);
    expect(JSON.stringify(audit)).not.toContain(PATIENT_NEW_PASSWORD);
    expect(errorCodeOf(await signInResponse(api, NEW_PATIENT, { password: patient.temporaryPassword }))).toBe('AUTH_INVALID_CREDENTIALS');

    // By choice, from the header: the same form, as "Change your password", with a way back.
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Change your password' }).waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.getByRole('link', { name: 'Back to your home page' }).isVisible()).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'password-patient-1280x800-by-choice', false);
    await page.getByRole('link', { name: 'Back to your home page' }).click();
    await page.getByRole('heading', { name: 'Hello, Aiko' }).waitFor({ state: 'visible', timeout: 30_000 });

    // Sign out, and in again with the new password: straight home.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor({ state: 'visible', timeout: 30_000 });
    await page.getByLabel('Clinic code').fill(ORGANIZATION);
    await page.getByLabel('E-mail').fill(NEW_PATIENT);
    await page.getByLabel('Password').fill(PATIENT_NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Aiko' }).waitFor({ state: 'visible', timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.csp).toEqual([]);
  }, 240_000);

  it('clinician: held on "Choose a new password" (menu hidden), an ended session sends them to sign in again, then the change, home, sign-out and sign-in with the new password', async () => {
    const { page, context } = await newPage({ width: 1280, height: 800 }, false);
    const problems = watchForProblems(page);
    const totpSecret = clinician.totpSecret ?? never();
    const signInWith = async (password: string): Promise<void> => {
      // An authenticator code works once: each sign-in waits (on the API's clock) for the next one.
      api.clock.advance(30_000);
      await page.goto(`${clinicianPortal.url}/sign-in`, { waitUntil: 'load' });
      await page.getByLabel('Organization').fill(ORGANIZATION);
      await page.getByLabel('E-mail').fill(NEW_CLINICIAN);
      await page.getByLabel('Password').fill(password);
      await page.getByLabel('Authenticator code').fill(currentTotp(totpSecret, api.clock.now()));
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    const heading = page.getByRole('heading', { name: 'Choose a new password' });

    await signInWith(clinician.temporaryPassword);
    await heading.waitFor({ state: 'visible', timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/change-password');
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Change password' }).count()).toBe(0);
    expect(await page.getByText('Signed in as Dr. Nia Brooks').isVisible()).toBe(true);
    await page.goto(`${clinicianPortal.url}/system`, { waitUntil: 'load' });
    await heading.waitFor({ state: 'visible', timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/change-password');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'password-clinician-1280x800-choose');

    // The session ends elsewhere (here: at the API) while the form is open: sign in again, told why.
    const token = await cookieValue(context, 'clinloop_clinician_at');
    expect((await gql(api, 'mutation { signOut }', { token })).errors).toEqual([]);
    await fillPasswords(page, clinician.temporaryPassword, CLINICIAN_NEW_PASSWORD, CLINICIAN_NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByText('Your session has ended').waitFor({ state: 'visible', timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await changePasswordAudit(clinician.userId)).toEqual([]);

    // Signed in again, the temporary password still has to go.
    await signInWith(clinician.temporaryPassword);
    await heading.waitFor({ state: 'visible', timeout: 60_000 });
    await fillPasswords(page, clinician.temporaryPassword, CLINICIAN_NEW_PASSWORD, `${CLINICIAN_NEW_PASSWORD}!`);
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expectFormError(page, 'The new password and its confirmation do not match.', 'confirmPassword');
    await screenshot(page, 'password-clinician-1280x800-mismatch', false);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'password-clinician-390x844-mismatch', false);
    await page.setViewportSize({ width: 1280, height: 800 });

    await fillPasswords(page, clinician.temporaryPassword, CLINICIAN_NEW_PASSWORD, CLINICIAN_NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByRole('region', { name: 'Open alerts' }).waitFor({ state: 'visible', timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('status').filter({ hasText: 'Your new password is saved.' }).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    const audit = await changePasswordAudit(clinician.userId);
    expect(audit).toEqual([containing({ outcome: 'success' })]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'password-clinician-390x844-changed');
    await page.setViewportSize({ width: 1280, height: 800 });

    // By choice, from the header.
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Change password' }).waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.getByText('The temporary password an administrator gave you.').count()).toBe(0);
    await screenshot(page, 'password-clinician-1280x800-by-choice', false);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor({ state: 'visible', timeout: 30_000 });
    await signInWith(CLINICIAN_NEW_PASSWORD);
    await page.getByRole('region', { name: 'Open alerts' }).waitFor({ state: 'visible', timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    expect(problems.pageErrors).toEqual([]);
    expect(problems.csp).toEqual([]);
  }, 240_000);
});

function never(): never {
  throw new Error('expected a value the steps before provide');
}
