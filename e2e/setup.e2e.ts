// First run in a real browser: the printed one-time link creates the workspace and its admin.
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, saveScreenshot } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

const BUSINESS = 'Bright Smiles Orthodontics';
const ADMIN = {
  name: 'Dana Whitfield',
  email: 'dana@brightsmiles.example',
  password: 'braces-and-more-2024',
};

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let setupLink: string;

beforeAll(async () => {
  server = await startServer();
  setupLink = await server.waitForSetupLink();
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: server.baseUrl });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function fillSetupForm(target: Page, password: string, email = ADMIN.email): Promise<void> {
  await target.getByLabel('Business name').fill(BUSINESS);
  await target.getByLabel('Your name').fill(ADMIN.name);
  await target.getByLabel('Email').fill(email);
  await target.getByLabel(/^Password/).fill(password);
  await target.getByLabel('Time zone').fill('Europe/Berlin');
  await target.getByLabel('Locale').fill('de-DE');
  await target.getByLabel('Currency').fill('EUR');
  await target.getByLabel('Country').fill('DE');
}

/** Clicks "Create workspace" and returns the server's answer to the form post. */
async function submitSetupForm(target: Page): Promise<Response> {
  const [response] = await Promise.all([
    target.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/setup',
    ),
    target.getByRole('button', { name: 'Create workspace' }).click(),
  ]);
  await target.waitForLoadState();
  return response;
}

describe('first-run setup from the printed link', () => {
  it('prints a one-time setup link on an empty database', () => {
    expect(server.output()).toContain('No one has set up this Leadkeeper yet.');
    expect(setupLink).toMatch(
      new RegExp(`^${server.baseUrl.replaceAll('.', '\\.')}/setup\\?token=lksetup_`),
    );
  });

  it('shows the setup form from the link', async () => {
    const response = await page.goto(setupLink);
    expect(response?.status()).toBe(200);
    await expect(
      page.getByRole('heading', { name: 'Welcome to Leadkeeper' }).isVisible(),
    ).resolves.toBe(true);
    await saveScreenshot(page, 'setup-01-form');
  });

  it('refuses a too-short password and keeps what was typed', async () => {
    await fillSetupForm(page, 'short');
    // The browser itself blocks the post (minlength="10")...
    const password = page.getByLabel(/^Password/);
    await expect(
      password.evaluate((input: { validity: { tooShort: boolean } }) => input.validity.tooShort),
    ).resolves.toBe(true);
    // ...so switch that off to check that the server refuses it too.
    await page.locator('form').evaluate((form: { noValidate: boolean }) => {
      form.noValidate = true;
    });

    const response = await submitSetupForm(page);

    expect(response.status()).toBe(422);
    const alert = page.getByRole('alert');
    await expect(alert.isVisible()).resolves.toBe(true);
    const alertText = await alert.innerText();
    expect(alertText).toMatch(/password/i);
    expect(alertText).toContain('at least 10 characters');
    await expect(page.getByLabel('Business name').inputValue()).resolves.toBe(BUSINESS);
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(ADMIN.email);
    await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/Berlin');
    await expect(password.inputValue()).resolves.toBe('');
    await saveScreenshot(page, 'setup-02-password-too-short');
  });

  it('creates the workspace and signs the admin in', async () => {
    await page.getByLabel(/^Password/).fill(ADMIN.password);

    const response = await submitSetupForm(page);

    expect(response.status()).toBe(200);
    await expect(
      page.getByRole('heading', { name: 'Your workspace is ready' }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.locator('main').innerText()).resolves.toContain(
      `You are signed in to ${BUSINESS}`,
    );
    await saveScreenshot(page, 'setup-03-workspace-ready');
  });

  it('has a session in the browser: /api/me names the workspace and the admin role', async () => {
    const me = await page.evaluate(async () => {
      const response = await fetch('/api/me', { headers: { accept: 'application/json' } });
      return { status: response.status, body: await response.json() };
    });

    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { email: ADMIN.email, name: ADMIN.name },
      workspace: { name: BUSINESS, timeZone: 'Europe/Berlin', currency: 'EUR' },
      role: 'admin',
    });
    expect(me.body).toHaveProperty('csrfToken', expect.any(String));

    // From there into the web app, already signed in.
    await page.getByRole('link', { name: 'Open Leadkeeper' }).click();
    await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
  });

  it('refuses the link a second time', async () => {
    // Someone else holding the link, without the admin's cookie.
    const stranger = await browser.newContext({ baseURL: server.baseUrl });
    try {
      const other = await stranger.newPage();
      const response = await other.goto(setupLink);

      // Once set up, the link shows no form any more, only where to go instead.
      expect(response?.status()).toBe(409);
      await expect(other.locator('form').count()).resolves.toBe(0);
      const alert = other.getByRole('alert');
      await expect(alert.isVisible()).resolves.toBe(true);
      await expect(alert.innerText()).resolves.toMatch(/setup link has been used/i);
      await saveScreenshot(other, 'setup-04-link-used');

      const me = await other.evaluate(async () => (await fetch('/api/me')).status);
      expect(me).toBe(401);
    } finally {
      await stranger.close();
    }
  });
});
