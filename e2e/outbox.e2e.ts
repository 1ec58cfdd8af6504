// The outbox in a real Chromium against the built server and the demo workspace: the owner
// writes an email from a lead page (a draft, nothing sent), finds it in the outbox, edits and
// approves it, and the email reaches a real SMTP server on loopback; then the templates settings.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  demoUser,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForValue,
} from './support/web-app.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let owner: Page;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startServer({ env: { DEMO: '1', SMTP_URL: sink.url } });
  browser = await launchBrowser();
  context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 900 },
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
  });
  owner = await context.newPage();
  await signIn(owner, demoUser('owner'));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await sink?.close();
});

/** A demo lead whose contact has an email address, and that address. */
async function leadWithEmail(page: Page) {
  const leads = await page.request.get('/api/leads?limit=100');
  const items = (await leads.json()) as { items: { id: string; contactId: string | null }[] };
  for (const lead of items.items) {
    if (!lead.contactId) continue;
    const contact = await page.request.get(`/api/contacts/${lead.contactId}`);
    const body = (await contact.json()) as {
      emails: { value: string }[];
      doNotContact: boolean;
    };
    const email = body.emails[0]?.value;
    if (email && !body.doNotContact) return { leadId: lead.id, email: email.toLowerCase() };
  }
  throw new Error('No demo lead with an email address');
}

describe('the outbox', () => {
  it('keeps a written email as a draft until it is approved, then sends it', async () => {
    const { leadId, email } = await leadWithEmail(owner);
    await owner.goto(`/leads/${leadId}`);
    await owner.getByRole('button', { name: 'Write email/SMS' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Write a message' });
    await dialog.getByLabel('Subject').fill('Your appointment');
    await dialog.getByLabel('Message').fill('Hello {{contact.firstName}}, see you on Monday.');
    await dialog.getByRole('button', { name: 'Save draft' }).click();
    await owner.getByText('Draft saved in the outbox').waitFor();
    // (Members' scheduled reviews may arrive at the sink too; none is for the contact.)
    expect(sink.received.filter((m) => m.to.includes(email))).toHaveLength(0);

    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Outbox' })
      .click();
    await owner.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
    const row = owner.getByTestId('outbox-row').filter({ hasText: 'Your appointment' });
    await row.waitFor();
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'outbox');

    await row.getByRole('button', { name: /Open message/ }).click();
    const open = owner.getByRole('dialog');
    const body = open.getByLabel('Message');
    expect(await body.inputValue()).toMatch(/^Hello \S+, see you on Monday\.$/);
    await body.fill(`${await body.inputValue()} Bring your X-rays.`);
    await open.getByRole('button', { name: 'Approve and send' }).click();
    await owner.getByText(`Approved: sending to ${email}`).waitFor();

    // The server's worker sends it; the email arrives with the edited text.
    const mail = await waitForValue(
      () => Promise.resolve(sink.received.find((m) => m.to.includes(email))),
      (found) => found !== undefined,
      20_000,
    );
    expect(mail?.subject).toBe('Your appointment');
    expect(mail?.raw).toContain('Bring your X-rays.');

    // The segmented control's radios are visually hidden; their labels take the click.
    await owner
      .locator('label')
      .filter({ hasText: /^Sent$/ })
      .click();
    await owner.getByTestId('outbox-row').filter({ hasText: 'Your appointment' }).waitFor();
  });

  it('edits a template in settings with a live preview against a lead', async () => {
    await owner.goto('/settings/templates');
    await owner.getByRole('heading', { name: 'Templates', level: 2 }).waitFor();
    await owner.getByRole('button', { name: 'New template' }).click();
    const editor = owner.getByRole('dialog', { name: 'New template' });
    await editor.getByRole('textbox', { name: 'Name' }).fill('Broken');
    await editor.getByRole('textbox', { name: 'Subject' }).fill('Hi');
    await editor.getByRole('textbox', { name: 'Body' }).fill('Hello {{contact.nickname}}');
    await editor.getByRole('button', { name: 'Save template' }).click();
    await editor
      .getByText(/Unknown variable \{\{contact\.nickname\}\}/)
      .first()
      .waitFor();

    await editor.getByRole('textbox', { name: 'Name' }).fill('Check-in');
    await editor.getByRole('textbox', { name: 'Body' }).fill('Hello {{contact.firstName}}!');
    await editor.getByLabel('Preview with lead').click();
    await owner.getByRole('option').first().click();
    await editor
      .getByTestId('template-preview')
      .getByText(/^Hello \S+!$/)
      .waitFor();
    await expectAccessible(owner);
    await editor.getByRole('button', { name: 'Save template' }).click();
    await owner.getByTestId('template-row').filter({ hasText: 'Check-in' }).waitFor();
  });
});
