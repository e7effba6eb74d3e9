import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, launchChromiumWithProfile } from '../support/chromium';
import { freePort } from '../support/free-port';
import { horizontalOverflow, screenshot, SCREENSHOTS, startPortal, watchForProblems, type Portal } from '../support/portal-process';

/**
 * The two Next.js portals' public pages in a real browser (Debian's Chromium through playwright-core).
 * Each portal runs as its own child process - `next start` when a production build exists, `next dev`
 * otherwise, as the launcher does - against a small fake of the API started here, so the API's outages
 * can be staged: the portals are what is under test. Signed-in pages run against the real API in
 * portal-live-api.test.ts. Screenshots go to test-results/portals/.
 */

const SERVICE_INFO = {
  version: '9.9.9-e2e-fake',
  environment: 'test',
  database: 'embedded',
  stream: 'kafka',
  startedAt: new Date(Date.now() - 90 * 60_000).toISOString(),
};

const FORMULARY_SOURCE = 'E2E fixture formulary (not clinical data)';
const FORMULARY = [
  {
    drug: 'amlodipine',
    drugClass: 'calcium-channel blocker',
    stepsMg: [2.5, 5, 10],
    maxDailyMg: 10,
    note: '',
    source: FORMULARY_SOURCE,
    version: 7,
  },
  {
    drug: 'chlorthalidone',
    drugClass: 'thiazide-like',
    stepsMg: [12.5, 25],
    maxDailyMg: 25,
    note: 'fixture note',
    source: FORMULARY_SOURCE,
    version: 7,
  },
  {
    drug: 'lisinopril',
    drugClass: 'ACE inhibitor',
    stepsMg: [5, 10, 20, 40],
    maxDailyMg: 40,
    note: '',
    source: FORMULARY_SOURCE,
    version: 7,
  },
];

const EMERGENCY_SYMPTOMS = [
  'Chest pain',
  'Shortness of breath',
  'Back pain',
  'Numbness or weakness',
  'A change in your vision',
  'Difficulty speaking',
];

// ---------------------------------------------------------------------------------------------------
// Fake API: /ready and /graphql with fixed JSON, CORS like the real one.

interface FakeApi {
  readonly url: string;
  mode: 'ready' | 'not-ready';
  close(): Promise<void>;
}

async function startFakeApi(): Promise<FakeApi> {
  const port = await freePort();
  const api: { mode: FakeApi['mode'] } = { mode: 'ready' };
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    if (origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
    }
    const url = new URL(req.url ?? '/', 'http://fake-api');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET,POST,OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '60',
      });
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/ready') {
      if (api.mode === 'ready') send(res, 200, { status: 'ready', database: 'up', stream: 'up' });
      else send(res, 503, { status: 'not ready', database: 'down', stream: 'up' });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/graphql') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { query } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: string };
      const data: Record<string, unknown> = {};
      if (query?.includes('serviceInfo')) data['serviceInfo'] = SERVICE_INFO;
      if (query?.includes('formulary')) data['formulary'] = FORMULARY;
      send(res, 200, { data });
      return;
    }
    send(res, 404, { message: 'not found' });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return api.mode;
    },
    set mode(value) {
      api.mode = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------

describe('portals in a browser', () => {
  let fakeApi: FakeApi;
  let browser: Browser;
  let patient: Portal;
  let clinician: Portal;
  const contexts: BrowserContext[] = [];
  const portals: Portal[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    fakeApi = await startFakeApi();
    const starting = [
      startPortal('patient-portal', { apiUrl: fakeApi.url, devDistDir: '.next/e2e' }),
      startPortal('clinician-portal', { apiUrl: fakeApi.url, devDistDir: '.next/e2e', readyPath: '/system' }),
    ];
    // Keep a handle on whatever started, so afterAll stops it even when the other one failed.
    const settled = await Promise.allSettled(starting);
    for (const result of settled) if (result.status === 'fulfilled') portals.push(result.value);
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
    [patient, clinician] = portals as [Portal, Portal];
    for (const portal of portals) {
      process.stderr.write(
        `[portals] ${portal.name} (${portal.mode}) served its first page ${portal.firstPageMs} ms after spawn\n`,
      );
    }
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    // Undefined when beforeAll failed early.
    await (browser as Browser | undefined)?.close().catch(() => undefined);
    await Promise.all(portals.map((portal) => portal.stop()));
    await (fakeApi as FakeApi | undefined)?.close();
  }, 60_000);

  async function newPage(viewport: { width: number; height: number }, mobile: boolean): Promise<Page> {
    const context = await browser.newContext({
      viewport,
      deviceScaleFactor: mobile ? 2 : 1,
      isMobile: mobile,
      hasTouch: mobile,
      locale: 'en-US',
    });
    contexts.push(context);
    return context.newPage();
  }

  it('patient portal at 375x812: emergency guidance, "not watched around the clock", a way to sign in', async () => {
    const page = await newPage({ width: 375, height: 812 }, true);
    const problems = watchForProblems(page);
    const response = await page.goto(patient.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);

    const headers = response?.headers() ?? {};
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBeTruthy();
    expect(headers['x-powered-by']).toBeUndefined();
    expect(headers['content-security-policy']).toContain(`connect-src 'self' ${fakeApi.url}`);
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");

    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    const emergency = page.getByRole('region', { name: 'In an emergency' });
    await emergency.waitFor({ state: 'visible' });
    // On the first screen, without scrolling.
    const heading = await emergency.getByRole('heading', { name: 'In an emergency' }).boundingBox();
    expect(heading?.y).toBeLessThan(812);
    const notWatchedLine = await page
      .locator('main > p')
      .getByText(/not watched around the clock/)
      .boundingBox();
    expect(notWatchedLine?.y).toBeLessThan(812);
    await screenshot(page, 'patient-375x812-first-screen', false);
    await expect.poll(() => emergency.getByText('call emergency services now').isVisible()).toBe(true);
    for (const symptom of EMERGENCY_SYMPTOMS) {
      expect(await emergency.getByText(symptom, { exact: true }).isVisible(), symptom).toBe(true);
    }
    expect(await emergency.getByText('Sit quietly and rest for 5 minutes.').isVisible()).toBe(true);
    expect(await emergency.getByText('Measure again.').isVisible()).toBe(true);

    expect(
      await page.getByRole('heading', { name: 'Your readings are not watched around the clock' }).isVisible(),
    ).toBe(true);

    const measuring = page.getByRole('region', { name: 'How to measure at home' });
    expect(await measuring.getByText(/back supported/).isVisible()).toBe(true);
    expect(await measuring.getByText(/at the level of your heart/).isVisible()).toBe(true);
    expect(await measuring.getByText('Take 2 readings, 1 minute apart.').isVisible()).toBe(true);
    expect(await measuring.getByText(/every morning .* and every evening/).isVisible()).toBe(true);

    const signIn = page.getByRole('region', { name: 'Sign in' });
    expect(await signIn.getByRole('link', { name: 'Sign in to ClinLoop' }).getAttribute('href')).toBe('/sign-in');
    // The first page asks for nothing: emergency guidance comes before any form (in dev, Next.js adds its
    // own tools button outside the page content).
    expect(await page.locator('main, header, footer').locator('form, input, button').count()).toBe(0);

    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'patient-375x812');

    await page.setViewportSize({ width: 360, height: 740 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'patient-360x740');

    expect(problems.csp).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 120_000);

  it('patient portal is installable: web app manifest, SVG icons, theme colour', async () => {
    const page = await newPage({ width: 375, height: 812 }, true);
    await page.goto(patient.url, { waitUntil: 'load' });
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBeTruthy();
    const manifestResponse = await page.request.get(new URL(manifestHref ?? '', patient.url).toString());
    expect(manifestResponse.status()).toBe(200);
    const manifest = (await manifestResponse.json()) as {
      name: string;
      display: string;
      start_url: string;
      theme_color: string;
      icons: { src: string; type: string }[];
    };
    expect(manifest).toMatchObject({ display: 'standalone', start_url: '/' });
    expect(manifest.name).toContain('ClinLoop');
    expect(await page.locator('meta[name="theme-color"]').getAttribute('content')).toBe(manifest.theme_color);
    expect(manifest.icons.length).toBeGreaterThan(0);
    for (const icon of manifest.icons) {
      const iconResponse = await page.request.get(new URL(icon.src, patient.url).toString());
      expect(iconResponse.status(), icon.src).toBe(200);
      expect(iconResponse.headers()['content-type'], icon.src).toContain('image/svg+xml');
    }
    // Chromium's own verdict on installability (it never reports one in incognito, hence a profile).
    const profile = mkdtempSync(path.join(tmpdir(), 'clinloop-chromium-'));
    try {
      const context = await launchChromiumWithProfile(profile, { viewport: { width: 375, height: 812 } });
      try {
        const installPage = context.pages()[0] ?? (await context.newPage());
        await installPage.goto(patient.url, { waitUntil: 'load' });
        const cdp = await context.newCDPSession(installPage);
        const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
          installabilityErrors: unknown[];
        };
        expect(installabilityErrors).toEqual([]);
      } finally {
        await context.close();
      }
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);

  it('patient portal on a laptop (1280x800)', async () => {
    const page = await newPage({ width: 1280, height: 800 }, false);
    await page.goto(patient.url, { waitUntil: 'load' });
    expect(await page.getByRole('region', { name: 'In an emergency' }).isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'patient-1280x800');
  }, 60_000);

  it('patient sign-in page: labelled fields, emergency guidance below, no sideways scrolling', async () => {
    const page = await newPage({ width: 390, height: 844 }, true);
    const problems = watchForProblems(page);
    const response = await page.goto(`${patient.url}/sign-in`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    for (const label of ['Clinic code', 'E-mail', 'Password']) expect(await page.getByLabel(label).isVisible(), label).toBe(true);
    expect(await page.getByLabel('Password').getAttribute('autocomplete')).toBe('current-password');
    expect(await page.getByRole('region', { name: 'In an emergency' }).isVisible()).toBe(true);
    // Touch targets: the sign-in button and the fields are at least 44 px tall.
    for (const box of [await page.getByRole('button', { name: 'Sign in' }).boundingBox(), await page.getByLabel('E-mail').boundingBox()]) {
      expect(box?.height).toBeGreaterThanOrEqual(44);
    }
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'patient-390x844-sign-in');
    expect(problems.csp).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 60_000);

  it('clinician portal: signed out, the alert queue sends to sign-in (with an authenticator-code field)', async () => {
    const page = await newPage({ width: 1280, height: 800 }, false);
    const problems = watchForProblems(page);
    const response = await page.goto(clinician.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    for (const label of ['Organization', 'E-mail', 'Password', 'Authenticator code']) expect(await page.getByLabel(label).isVisible(), label).toBe(true);
    expect(await page.getByLabel('Authenticator code').getAttribute('autocomplete')).toBe('one-time-code');
    await screenshot(page, 'clinician-1280x800-sign-in');
    expect(problems.csp).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 60_000);

  it('clinician portal at 1280x800: live status and the formulary from the API', async () => {
    const page = await newPage({ width: 1280, height: 800 }, false);
    const problems = watchForProblems(page);
    const response = await page.goto(`${clinician.url}/system`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toContain(`connect-src 'self' ${fakeApi.url}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    const status = page.getByRole('region', { name: 'System status' });
    await status
      .getByText(SERVICE_INFO.version, { exact: true })
      .waitFor({ state: 'visible', timeout: 60_000 });
    expect(await status.getByText('Ready', { exact: true }).isVisible()).toBe(true);
    expect(await status.getByText('Embedded PostgreSQL').isVisible()).toBe(true);
    expect(await status.getByText('Apache Kafka').isVisible()).toBe(true);
    expect(await status.getByText(SERVICE_INFO.environment, { exact: true }).isVisible()).toBe(true);

    const formulary = page.getByRole('region', { name: 'Formulary hard limits' });
    const rows = formulary.locator('table tbody tr');
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    expect(await rows.count()).toBe(FORMULARY.length);
    for (const [index, drug] of FORMULARY.entries()) {
      const cells = (await rows.nth(index).locator('th, td').allInnerTexts()).map((text) => text.trim());
      expect(cells).toEqual([
        drug.drug,
        drug.drugClass,
        drug.stepsMg.join(', '),
        String(drug.maxDailyMg),
        drug.note || '-',
        String(drug.version),
      ]);
    }
    expect(await formulary.getByText(`Source: ${FORMULARY_SOURCE}`).isVisible()).toBe(true);

    // Navigation offers only what exists; the missing areas are one line, not a mock UI.
    const navLinks = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    expect(navLinks).toEqual(['Alert queue', 'System status', 'Formulary']);
    expect(await page.getByText(/Review queue, patient detail, bounds editor and the auditor area arrive with their issues/).isVisible()).toBe(true);

    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'clinician-1280x800');

    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'clinician-768x1024');

    expect(problems.csp).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 120_000);

  it('clinician portal shows "Not ready" when the API reports a component down', async () => {
    fakeApi.mode = 'not-ready';
    const page = await newPage({ width: 1280, height: 800 }, false);
    await page.goto(`${clinician.url}/system`, { waitUntil: 'load' });
    const status = page.getByRole('region', { name: 'System status' });
    await status.getByText('Not ready', { exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
    expect(await status.getByText(/reports: database down, stream up/).isVisible()).toBe(true);
    expect(await status.getByText(SERVICE_INFO.version, { exact: true }).isVisible()).toBe(true);
    await screenshot(page, 'clinician-not-ready');
  }, 60_000);

  it('clinician portal shows a clear error state when the API is down', async () => {
    await fakeApi.close();
    const page = await newPage({ width: 1280, height: 800 }, false);
    const problems = watchForProblems(page);
    await page.goto(`${clinician.url}/system`, { waitUntil: 'load' });
    const status = page.getByRole('region', { name: 'System status' });
    const alert = status.getByRole('alert');
    await alert.getByText('API unreachable').waitFor({ state: 'visible', timeout: 30_000 });
    expect(
      await alert.getByText(`Cannot reach the ClinLoop API at ${fakeApi.url}`, { exact: false }).isVisible(),
    ).toBe(true);
    expect(await status.getByText(SERVICE_INFO.version).count()).toBe(0);

    const formulary = page.getByRole('region', { name: 'Formulary hard limits' });
    await formulary
      .getByRole('alert')
      .getByText('Formulary unavailable')
      .waitFor({ state: 'visible', timeout: 30_000 });
    expect(await formulary.locator('table').count()).toBe(0);
    await screenshot(page, 'clinician-api-down');

    expect(problems.csp).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 60_000);
});
