// The outbox in a real Chromium against the built server and the demo workspace: the owner
// writes an email from a lead page (a draft, nothing sent), finds it in the outbox, edits and
// approves it, and the email reaches a real SMTP server on loopback; then the templates settings,
// the suppression list, and an outbox with more drafts than one page holds.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  apiOk,
  demoUser,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForCount,
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

/** How many drafts wait for approval, counted through the API's pages. */
async function countDrafts(page: Page): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const result: { items: unknown[]; nextCursor: string | null } = await apiOk(
      page,
      'GET',
      `/api/outbox?status=draft&limit=200${query}`,
    );
    count += result.items.length;
    cursor = result.nextCursor;
  } while (cursor);
  return count;
}

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

  it('lists, adds and removes suppressed addresses in settings, with the server’s field errors', async () => {
    await owner.goto('/settings/suppressions');
    await owner.getByRole('heading', { name: 'Suppression list', level: 2 }).waitFor();
    const form = owner.getByRole('form', { name: 'Add an address' });
    const address = form.getByRole('textbox', { name: 'Email address' });
    const add = form.getByRole('button', { name: 'Add address' });

    // Not an email address: the browser lets it through, the server's 422 names the field.
    await address.fill('not-an-email');
    const [refused] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().endsWith('/api/suppressions') && r.request().method() === 'POST',
      ),
      add.click(),
    ]);
    expect(refused.status()).toBe(422);
    await form.getByText('Give an email address.').waitFor();
    expect(await address.getAttribute('aria-invalid')).toBe('true');

    await address.fill('Moved.Away@Example.org');
    await form.getByRole('textbox', { name: 'Note' }).fill('Asked by phone not to be written to');
    await add.click();
    // Stored lowercased, with the reason in words and the note.
    const row = owner.getByTestId('suppression-row').filter({ hasText: 'moved.away@example.org' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Email[\s\S]*Added by hand[\s\S]*Asked by phone/i);
    expect(await address.inputValue()).toBe('');

    // The same address again: the 409 shows on the field.
    await address.fill('moved.away@example.org');
    await add.click();
    await form.getByText('This address is already suppressed.').waitFor();

    // Search and the channel filter ask the server.
    const filters = owner.getByRole('search', { name: 'Filter the suppression list' });
    await filters.getByRole('textbox', { name: 'Search' }).fill('moved.away');
    await waitForCount(owner.getByTestId('suppression-row'), (count) => count === 1);
    // The segmented control's radios are visually hidden; their labels take the click.
    await filters.locator('label').filter({ hasText: /^SMS$/ }).click();
    await owner.getByText('No suppressed address matches this search.').waitFor();
    await filters.locator('label').filter({ hasText: /^All$/ }).click();
    await row.waitFor();
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);

    await row.getByRole('button', { name: 'Remove moved.away@example.org' }).click();
    const confirm = owner.getByRole('dialog', { name: 'Take off the suppression list' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    const left = await apiOk<{ items: unknown[] }>(owner, 'GET', '/api/suppressions?q=moved.away');
    expect(left.items).toHaveLength(0);
  });

  it('pages through more drafts than one page holds, and a draft from a later page can be rejected', async () => {
    const { leadId } = await leadWithEmail(owner);
    const seeded = 55;
    // One at a time, so each draft is newer than the one before; the first is the oldest.
    await owner.evaluate(
      async ({ leadId, seeded }) => {
        const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
        for (let n = 1; n <= seeded; n++) {
          const response = await fetch('/api/messages', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
            body: JSON.stringify({
              leadId,
              channel: 'email',
              subject: `Paging check ${String(n).padStart(2, '0')}`,
              body: 'Checking the outbox pages.',
            }),
          });
          if (response.status !== 201) throw new Error(`POST /api/messages: ${response.status}`);
        }
      },
      { leadId, seeded },
    );
    const drafts = await countDrafts(owner);
    expect(drafts).toBeGreaterThan(50);

    await owner.goto('/outbox');
    await owner.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
    const rows = owner.getByTestId('outbox-row');
    const oldest = rows.filter({ hasText: 'Paging check 01' });
    const loadMore = owner.getByRole('button', { name: 'Load more' });
    await rows.filter({ hasText: 'Paging check 55' }).waitFor();
    await loadMore.waitFor();
    expect(await rows.count()).toBe(50);
    expect(await oldest.count()).toBe(0);

    await loadMore.click();
    await oldest.waitFor();
    const shown = Math.min(drafts, 100);
    await waitForCount(rows, (count) => count === shown);
    expect(await loadMore.count()).toBe(drafts > 100 ? 1 : 0);

    // Rejecting refreshes every loaded page: the draft leaves, the rest stay.
    await oldest.getByRole('button', { name: /Open message/ }).click();
    const open = owner.getByRole('dialog');
    await open.getByRole('button', { name: 'Reject' }).click();
    await open.getByRole('button', { name: 'Reject draft' }).click();
    await owner.getByText('Draft rejected; it will not be sent').waitFor();
    await oldest.waitFor({ state: 'detached' });
    await waitForCount(rows, (count) => count === Math.min(drafts - 1, 100));
    expect(await countDrafts(owner)).toBe(drafts - 1);
  });
});
