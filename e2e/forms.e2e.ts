// Web-to-lead forms in a real Chromium against the built server and the demo workspace: the
// owner creates a form in Settings, a visitor fills in its hosted page with JavaScript switched
// off, sees the thank-you page, and the lead shows up in the app (and in the owner's bell).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import { demoUser, expectAccessible, saveDocScreenshot, signIn } from './support/web-app.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let owner: Page;
let formKey = '';
let formPath = '';

async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 900 },
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    ...options,
  });
  contexts.push(context);
  return context.newPage();
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

describe('web-to-lead forms', () => {
  it('lets the owner create a form in settings and shows its link and embed snippet', async () => {
    await owner.goto('/settings/forms');
    await owner.getByRole('heading', { name: 'Forms', level: 2 }).waitFor();
    await owner.getByRole('button', { name: 'New form' }).click();
    const editor = owner.getByRole('form', { name: 'New form' });
    await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('Website inquiry');
    await editor
      .getByLabel('Thank-you message')
      .fill('Thank you! Our treatment coordinator calls you back today.');
    await editor.getByRole('button', { name: 'Create form' }).click();

    await owner.getByRole('heading', { name: 'Website inquiry', level: 2 }).waitFor();
    formPath = new URL(owner.url()).pathname;
    const hosted = await owner.getByTestId('hosted-link').innerText();
    formKey = hosted.split('/f/')[1] ?? '';
    expect(formKey).toMatch(/^[\w-]{24}$/);
    const snippets = await owner.getByTestId('snippet').allInnerTexts();
    expect(snippets.some((text) => text.includes(`/api/capture/${formKey}`))).toBe(true);
    await owner.getByRole('tab', { name: 'Rejected' }).waitFor();
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'settings-forms');
  });

  it('takes a submission on the hosted page without JavaScript and the lead appears in the app', async () => {
    expect(formKey).not.toBe('');
    // The hosted page as axe sees it (it has no script of its own either way).
    const checker = await newPage();
    await checker.goto(`/f/${formKey}`);
    await checker.getByRole('heading', { name: 'Website inquiry', level: 1 }).waitFor();
    await expectAccessible(checker);

    const visitor = await newPage({ javaScriptEnabled: false });
    await visitor.goto(`/f/${formKey}`);
    await visitor.getByLabel('First name', { exact: true }).fill('Paula');
    await visitor.getByLabel('Last name', { exact: true }).fill('Pinsel');
    await visitor.getByLabel('Email', { exact: true }).fill('paula.pinsel@example.test');
    await visitor.getByLabel('Phone', { exact: true }).fill('030 2345678');
    await visitor.getByLabel('How can we help?').fill('Invisalign for my daughter?');
    await visitor.getByRole('button', { name: 'Send' }).click();
    await visitor.getByRole('heading', { name: 'Thank you', level: 1 }).waitFor();
    expect(await visitor.getByRole('status').innerText()).toContain(
      'Our treatment coordinator calls you back today.',
    );
    await saveDocScreenshot(visitor, 'hosted-form-thanks');

    await owner.goto('/leads');
    await owner.getByRole('link', { name: 'Paula Pinsel' }).first().waitFor();
    // No assignee on the form: the owner (an admin) is told in the bell.
    await owner.reload();
    const bell = owner.getByTestId('notifications-bell');
    await expect.poll(() => bell.getAttribute('aria-label')).toMatch(/[1-9]\d* unread/);
    await bell.click();
    await owner.getByRole('menuitem', { name: /New inquiry: Paula Pinsel/ }).click();
    await owner.waitForURL(/\/leads\/[\w-]+$/);
    await owner.getByRole('heading', { name: 'Paula Pinsel', level: 1 }).waitFor();
  });

  it('lets the owner fix a rejected submission and accept it', async () => {
    const rejected = await owner.request.post(`/api/capture/${formKey}`, {
      data: { name: 'Rita Reject', email: 'rita@', message: 'Braces price?' },
    });
    expect(rejected.status()).toBe(422);

    await owner.goto(formPath);
    const row = owner.getByTestId('submission-row').filter({ hasText: 'Rita Reject' });
    await row.getByRole('button', { name: 'Fix and accept' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Correct and accept' });
    await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill('rita@example.test');
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);
    await dialog.getByRole('button', { name: 'Accept and create lead' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    await owner.getByRole('tab', { name: 'Accepted' }).click();
    await owner
      .getByTestId('submission-row')
      .filter({ hasText: 'Rita Reject' })
      .getByRole('link', { name: 'Open lead' })
      .click();
    await owner.getByRole('heading', { name: 'Rita Reject', level: 1 }).waitFor();
  });
});
