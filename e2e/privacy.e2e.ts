// Privacy requests and the Data settings in a real Chromium against the built server and the
// demo workspace: a person's data export, their erasure from the contact page, and the
// workspace export download.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import { demoUser, expectAccessible, saveDocScreenshot, signIn } from './support/web-app.js';

// A person with an open lead (a won lead's badge is another page's concern).
const PERSON = 'Felix Richter';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let owner: Page;

beforeAll(async () => {
  server = await startServer({ env: { DEMO: '1' } });
  browser = await launchBrowser();
  context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 800 },
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    acceptDownloads: true,
  });
  owner = await context.newPage();
  await signIn(owner, demoUser('owner'));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

async function openPerson(page: Page) {
  await page.goto(`/contacts?q=${encodeURIComponent(PERSON)}`);
  await page.getByRole('link', { name: PERSON }).click();
  await page.getByRole('heading', { name: PERSON, level: 1 }).waitFor();
}

describe('privacy requests on the contact page', () => {
  it("downloads the person's data as JSON", async () => {
    await openPerson(owner);
    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.getByRole('link', { name: 'Export data' }).click(),
    ]);
    const data = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      contact: { name: string };
      leads: unknown[];
    };
    expect(data.contact.name).toBe(PERSON);
    expect(data.leads.length).toBeGreaterThan(0);
  });

  it('erases the person after their name is typed, and shows the record anonymised', async () => {
    await openPerson(owner);
    const contactUrl = new URL(owner.url()).pathname;
    await owner.getByRole('button', { name: 'Erase personal data' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Erase personal data' });
    const confirm = dialog.getByRole('button', { name: 'Erase personal data' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type the contact's name/).fill('Felix');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type the contact's name/).fill(PERSON);
    await expectAccessible(owner);
    const [response] = await Promise.all([
      owner.waitForResponse((r) => r.url().endsWith('/erase')),
      confirm.click(),
    ]);
    expect(response.status()).toBe(200);

    await owner.getByRole('heading', { name: 'Erased contact', level: 1 }).waitFor();
    await owner.getByTestId('erased-notice').waitFor();
    await dialog.waitFor({ state: 'detached' });
    const page = await owner.locator('main').innerText();
    expect(page).not.toContain('Richter');
    expect(await owner.getByRole('button', { name: 'Erase personal data' }).count()).toBe(0);
    // Erased is archived for good: no edit, no restore.
    expect(await owner.getByRole('button', { name: /^(Restore|Edit)$/ }).count()).toBe(0);
    await owner.mouse.move(900, 700);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'contact-erased');

    // The old name finds nothing any more.
    await owner.goto(`/contacts?q=Richter&includeArchived=true`);
    await owner.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await owner
      .getByText(/No contact/)
      .first()
      .waitFor();
    expect(await owner.getByRole('link', { name: PERSON }).count()).toBe(0);
    // And a reload shows the same anonymised record.
    await owner.goto(contactUrl);
    await owner.getByRole('heading', { name: 'Erased contact', level: 1 }).waitFor();
  });
});

describe('Data settings', () => {
  it('offers the workspace export and passes the accessibility check', async () => {
    await owner.goto('/settings/data');
    await owner.getByRole('heading', { name: 'Data', level: 2 }).waitFor();
    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.getByRole('link', { name: 'Download workspace export' }).click(),
    ]);
    const [header] = (await readFile(await download.path(), 'utf8')).split('\n');
    expect(JSON.parse(header!)).toMatchObject({ format: 'leadkeeper-workspace', version: 1 });
    await owner.mouse.move(900, 700);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'settings-data');
  });

  it('is not offered to a manager', async () => {
    const page = await context.browser()!.newContext({ baseURL: server.baseUrl });
    const manager = await page.newPage();
    await signIn(manager, demoUser('manager'));
    await manager.goto('/settings');
    await manager.getByRole('navigation', { name: 'Settings sections' }).waitFor();
    expect(await manager.getByRole('link', { name: 'Data', exact: true }).count()).toBe(0);
    await page.close();
  });
});
