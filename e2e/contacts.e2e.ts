// Contacts, companies and the lead page's history in a real Chromium against the built server
// and the demo workspace (an orthodontic clinic, de-DE/EUR, a person in every role).
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  demoUser,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForValue,
} from './support/web-app.js';

const COMPANY = 'Zahnarztpraxis Dr. Berg';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let owner: Page;
let contactUrl = '';
let leadUrl = '';

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 800 },
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
  });
  contexts.push(context);
  return context.newPage();
}

function section(page: Page, heading: string) {
  return page.locator('section', {
    has: page.getByRole('heading', { name: heading, exact: true }),
  });
}

beforeAll(async () => {
  server = await startServer({ env: { DEMO: '1' } });
  browser = await launchBrowser();
  owner = await newPage();
  await signIn(owner, demoUser('owner'));
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

describe('contacts and companies', () => {
  it('searches the contacts list and opens a contact', async () => {
    await owner.getByRole('link', { name: 'Contacts' }).click();
    await owner.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    // Off the navigation: a hovered link's colours are not what axe should judge.
    await owner.mouse.move(900, 700);
    const rows = owner.getByTestId('contact-list-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThanOrEqual(12);
    // Sorted by last name.
    const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[0]?.textContent));
    expect(names.indexOf('Noah Becker')).toBeLessThan(names.indexOf('Elias Wolf'));
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'contacts');

    await owner.getByLabel('Search').fill('Hoffmann');
    await owner.waitForURL(/q=Hoffmann/);
    await waitForValue(
      () => rows.allInnerTexts(),
      (texts) => texts.length === 1 && texts[0]!.includes('Emma Hoffmann'),
    );
    // The export takes the list's filters: a header and the one contact found.
    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const exported = (await readFile(await download.path(), 'utf8')).trim().split(/\r?\n/);
    expect(exported).toHaveLength(2);
    expect(exported[1]).toContain('Hoffmann');
    // A phone number finds the contact too, typed another way than it was stored.
    await owner.getByLabel('Search').fill('+49 152 23456705');
    await waitForValue(
      () => rows.allInnerTexts(),
      (texts) => texts.length === 1 && texts[0]!.includes('Emma Hoffmann'),
    );

    await owner.getByRole('link', { name: 'Emma Hoffmann' }).click();
    await owner.getByRole('heading', { name: 'Emma Hoffmann', level: 1 }).waitFor();
    contactUrl = new URL(owner.url()).pathname;
    expect(contactUrl).toMatch(/^\/contacts\/[0-9a-f-]{36}$/);
    // Phones as typed and in E.164, emails as mail links.
    const details = section(owner, 'Details');
    await details.getByRole('link', { name: '0152 23456705' }).waitFor();
    expect(await details.innerText()).toContain('+4915223456705');
    expect(
      await details.getByRole('link', { name: 'emma.4@patients.example' }).getAttribute('href'),
    ).toBe('mailto:emma.4@patients.example');
  });

  it('shows the candidates when a new contact has a known phone (409)', async () => {
    await owner.goto('/contacts');
    await owner.getByRole('button', { name: 'New contact' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New contact' });
    await dialog.getByLabel('First name').fill('Emmi');
    await dialog.getByLabel('Last name').fill('Hoffmann');
    await dialog.getByLabel('Phone').fill('0152 23456705');
    const [response] = await Promise.all([
      owner.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().endsWith('/api/contacts'),
      ),
      dialog.getByRole('button', { name: 'Create contact' }).click(),
    ]);
    expect(response.status()).toBe(409);
    const candidate = dialog.getByRole('link', { name: 'Emma Hoffmann' });
    await candidate.waitFor();
    expect(await candidate.getAttribute('href')).toBe(contactUrl);
    expect(await dialog.getByLabel('First name').inputValue()).toBe('Emmi');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('edits a field and shows it saved', async () => {
    await owner.goto(contactUrl);
    await owner.getByRole('heading', { name: 'Emma Hoffmann', level: 1 }).waitFor();
    await owner.getByRole('button', { name: 'Edit' }).click();
    const form = owner.getByRole('form', { name: 'Edit contact' });
    await form.getByLabel('Preferred time').fill('Weekdays after 16:00');
    const [response] = await Promise.all([
      owner.waitForResponse((r) => r.request().method() === 'PATCH'),
      form.getByRole('button', { name: 'Save contact' }).click(),
    ]);
    expect(response.status()).toBe(200);
    // Only the changed field is sent, with the version it was edited from.
    expect(response.request().postDataJSON()).toEqual({ preferredTime: 'Weekdays after 16:00' });
    expect(response.request().headers()['if-match']).toBe('"1"');
    await owner.getByText('Contact saved').waitFor();
    const details = section(owner, 'Details');
    await details.getByText('Weekdays after 16:00').waitFor();

    await owner.reload();
    await section(owner, 'Details').getByText('Weekdays after 16:00').waitFor();
  });

  it("keeps the form's data with the server's message inline on a 422", async () => {
    await owner.getByRole('button', { name: 'Edit' }).click();
    const form = owner.getByRole('form', { name: 'Edit contact' });
    await form.getByLabel('Notes').fill('Prefers clear aligners');
    await form.getByRole('textbox', { name: 'Phone 1', exact: true }).fill('123');
    const [response] = await Promise.all([
      owner.waitForResponse((r) => r.request().method() === 'PATCH'),
      form.getByRole('button', { name: 'Save contact' }).click(),
    ]);
    expect(response.status()).toBe(422);

    await form.getByText('Not a valid phone number', { exact: true }).waitFor();
    await owner.getByText('Not saved', { exact: true }).first().waitFor();
    const phone = form.getByRole('textbox', { name: 'Phone 1', exact: true });
    expect(await phone.inputValue()).toBe('123');
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Notes').inputValue()).toBe('Prefers clear aligners');
    expect(await form.getByLabel('Preferred time').inputValue()).toBe('Weekdays after 16:00');
    await expectAccessible(owner);

    await form.getByRole('button', { name: 'Cancel' }).click();
    await section(owner, 'Details').getByRole('link', { name: '0152 23456705' }).waitFor();
  });

  it('says when someone else saved first (412), keeps the typing, and reloads', async () => {
    await owner.getByRole('button', { name: 'Edit' }).click();
    const form = owner.getByRole('form', { name: 'Edit contact' });
    // Meanwhile someone else saves the contact.
    const status = await owner.evaluate(async (path) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const contact = (await (await fetch(`/api${path}`)).json()) as { version: number };
      const response = await fetch(`/api${path}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          'x-csrf-token': me.csrfToken,
          'if-match': `"${contact.version}"`,
        },
        body: JSON.stringify({ preferredTime: 'Mornings only' }),
      });
      return response.status;
    }, contactUrl);
    expect(status).toBe(200);

    await form.getByLabel('Preferred time').fill('Evenings');
    const [response] = await Promise.all([
      owner.waitForResponse((r) => r.request().method() === 'PATCH'),
      form.getByRole('button', { name: 'Save contact' }).click(),
    ]);
    expect(response.status()).toBe(412);
    const alert = form.getByRole('alert').filter({ hasText: 'Changed by someone else' });
    await alert.waitFor();
    expect(await form.getByLabel('Preferred time').inputValue()).toBe('Evenings');
    await expectAccessible(owner);

    await alert.getByRole('button', { name: 'Reload the latest version' }).click();
    await waitForValue(
      () => form.getByLabel('Preferred time').inputValue(),
      (value) => value === 'Mornings only',
    );
    expect(await alert.count()).toBe(0);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await section(owner, 'Details').getByText('Mornings only').waitFor();
  });

  it('logs a note on the contact timeline', async () => {
    const timeline = section(owner, 'Timeline');
    // The demo's first call on Emma's lead is on her timeline.
    await timeline.getByText('First call with Emma').waitFor();
    await timeline.getByLabel('What happened').fill('Asked about payment by instalments');
    await timeline.getByRole('button', { name: 'Log note' }).click();
    await owner.getByText('Logged on the timeline').waitFor();
    await timeline.getByText('Asked about payment by instalments').waitFor();
    // Without the toasts of the steps before, for the screenshot.
    await owner.reload();
    await section(owner, 'Timeline').getByText('Asked about payment by instalments').waitFor();
    await section(owner, 'Leads').getByTestId('record-lead-row').first().waitFor();
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'contact-page');
  });

  it("shows the contact's leads and opens one", async () => {
    const leads = section(owner, 'Leads');
    const row = leads.getByTestId('record-lead-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.first().innerText()).toContain('Emma Hoffmann');
    await row.first().getByRole('link', { name: 'Emma Hoffmann' }).click();
    await owner.getByRole('list', { name: 'Pipeline progress' }).waitFor();
    leadUrl = new URL(owner.url()).pathname;
    expect(leadUrl).toMatch(/^\/leads\/[0-9a-f-]{36}$/);
    // And back: the lead page's contact links to the contact page.
    await owner.getByRole('link', { name: 'Emma Hoffmann', exact: true }).click();
    await owner.waitForURL((url) => url.pathname === contactUrl);
  });

  it('creates a company with a person, sets its primary contact, archives and restores it', async () => {
    await owner.goto('/companies');
    await owner.getByText('No companies yet.').waitFor();
    await expectAccessible(owner);
    await owner.getByRole('button', { name: 'New company' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New company' });
    await dialog.getByLabel('Name').fill(COMPANY);
    await dialog.getByLabel('Website').fill('https://praxis-berg.example');
    await dialog.getByLabel('Main phone').fill('030 1234 5678');
    await dialog.getByRole('button', { name: 'Create company' }).click();
    await owner.getByRole('heading', { name: COMPANY, level: 1 }).waitFor();
    const companyUrl = new URL(owner.url()).pathname;
    // The phone as typed and in E.164.
    expect(await section(owner, 'Details').innerText()).toContain('+493012345678');

    // A person added from the company's page belongs to it.
    await section(owner, 'People').getByRole('button', { name: 'New contact' }).click();
    const person = owner.getByRole('dialog', { name: 'New contact' });
    await person.getByLabel('First name').fill('Karin');
    await person.getByLabel('Last name').fill('Berg');
    await person.getByLabel('Email').fill('karin@praxis-berg.example');
    await person.getByRole('button', { name: 'Create contact' }).click();
    await owner.getByRole('heading', { name: 'Karin Berg', level: 1 }).waitFor();
    await section(owner, 'Details').getByRole('link', { name: COMPANY }).click();
    await owner.getByRole('heading', { name: COMPANY, level: 1 }).waitFor();
    await section(owner, 'People').getByRole('link', { name: 'Karin Berg' }).waitFor();

    await owner.getByRole('button', { name: 'Edit' }).click();
    const form = owner.getByRole('form', { name: 'Edit company' });
    await form.getByRole('combobox', { name: 'Primary contact' }).fill('Berg');
    await owner.getByRole('option', { name: 'Karin Berg' }).click();
    await form.getByRole('button', { name: 'Save company' }).click();
    await owner.getByText('Company saved').waitFor();
    const primary = section(owner, 'Details').getByRole('link', { name: 'Karin Berg' });
    await primary.waitFor();
    expect(await primary.getAttribute('href')).toMatch(/^\/contacts\/[0-9a-f-]{36}$/);
    await owner.reload();
    await section(owner, 'People').getByRole('link', { name: 'Karin Berg' }).waitFor();
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'company-page');

    // Archive: off the list unless archived ones are shown; restore brings it back.
    await owner.getByRole('button', { name: 'Archive' }).click();
    await owner.getByText('Archived company').waitFor();
    await owner.goto('/companies');
    await owner.getByText('No companies yet.').waitFor();
    await owner.getByRole('switch', { name: 'Show archived' }).click();
    await owner.waitForURL(/includeArchived=true/);
    const row = owner.getByTestId('company-list-row');
    await row.first().waitFor();
    expect(await row.first().innerText()).toMatch(/archived/i);
    await row.first().getByRole('link', { name: COMPANY }).click();
    await owner.waitForURL((url) => url.pathname === companyUrl);
    await owner.getByRole('button', { name: 'Restore' }).click();
    await owner.getByText(`Restored ${COMPANY}`).waitFor();
    await owner.getByRole('button', { name: 'Archive' }).waitFor();
    expect(await owner.getByText('Archived company').count()).toBe(0);
    await owner.goto('/companies');
    await owner.getByTestId('company-list-row').first().waitFor();
    expect(await owner.getByTestId('company-list-row').first().innerText()).not.toMatch(
      /archived/i,
    );
  });
});

describe("the lead page's history", () => {
  it('shows the owner a change just made, with who made it and before → after', async () => {
    await owner.goto(leadUrl);
    await owner.getByRole('list', { name: 'Pipeline progress' }).waitFor();
    await owner.getByRole('button', { name: 'More' }).click();
    const [assigned] = await Promise.all([
      owner.waitForResponse((r) => r.url().endsWith('/assign')),
      owner.getByRole('menuitem', { name: 'Jonas Weber' }).click(),
    ]);
    expect(assigned.status()).toBe(200);

    await owner.getByRole('tab', { name: 'History' }).click();
    const history = section(owner, 'History');
    const entry = history.getByTestId('history-entry').first();
    await entry.waitFor();
    await waitForValue(
      () => entry.innerText(),
      (text) => text.includes('Assigned') && text.includes('Dr. Amelia Hart'),
    );
    const change = entry.getByRole('row').filter({ hasText: 'Assignee' });
    expect(await change.innerText()).toMatch(/Priya Shah\s+→ Jonas Weber/);
    // Older entries too: the lead was created by the demo's owner.
    await history.getByText('Created').last().waitFor();
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'lead-history');

    await owner.getByRole('tab', { name: 'Timeline' }).click();
    await section(owner, 'Timeline').waitFor();
  });

  it('is hidden from an agent and from the front desk', async () => {
    for (const who of ['coordinator2', 'frontdesk']) {
      const page = await newPage();
      await signIn(page, demoUser(who));
      await page.goto(leadUrl);
      await page.getByRole('heading', { name: 'Emma Hoffmann', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Timeline' }).waitFor();
      expect(await page.getByRole('tab', { name: 'History' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'History' }).count()).toBe(0);
      await expectAccessible(page);
    }
  });
});
