// Follow-up engine pages in a real Chromium against the built server and the demo workspace:
// the owner subscribes a webhook (the secret shown once) and sees its delivery in the log, a
// new inquiry reaches the bell live and the notifications page, and the Reviews page shows the
// owner's reviews.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../src/server/modules/webhooks/webhooks.test-support.js';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import { demoUser, expectAccessible, saveDocScreenshot, signIn } from './support/web-app.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let owner: Page;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  server = await startServer({ env: { DEMO: '1', WEBHOOKS_ALLOW_PRIVATE: '1' } });
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
  await receiver?.close();
});

/** A write through the API in the owner's session (cookie + CSRF token), as the app does it. */
async function apiPost(path: string, body: unknown) {
  return owner.evaluate(
    async ({ path, body }) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    { path, body },
  );
}

describe('webhooks, live notifications and reviews', () => {
  it('subscribes a webhook, shows its secret once, and logs the signed delivery', async () => {
    await owner.goto('/settings/webhooks');
    await owner.getByRole('heading', { name: 'Webhooks', level: 2 }).waitFor();
    const form = owner.getByRole('form', { name: 'New webhook' });
    await form.getByRole('textbox', { name: 'URL' }).fill(`${receiver.url}/crm`);
    await form.getByRole('textbox', { name: 'Description' }).fill('Our ERP');
    await form.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await owner.getByTestId('secret-value').innerText();
    expect(secret).toMatch(/^whsec_/);
    await owner.getByTestId('webhook-card').waitFor();
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'settings-webhooks');
    await owner.getByRole('button', { name: 'I have stored it' }).click();

    const created = await apiPost('/api/leads', { title: 'Webhook check' });
    expect(created.status).toBe(201);
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(receiver.received[0]!.headers['leadkeeper-signature']).toMatch(/^v1=[0-9a-f]{64}$/);

    await owner.getByRole('button', { name: 'Deliveries' }).click();
    await owner.getByTestId('delivery-row').first().waitFor();
    // The badge is shown in capitals (CSS); the text is the status.
    expect((await owner.getByTestId('delivery-row').first().innerText()).toLowerCase()).toContain(
      'succeeded',
    );
    await owner.getByRole('button', { name: 'Redeliver' }).first().click();
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(2);
  });

  it('updates the bell live and lists notifications on their page', async () => {
    await owner.goto('/notifications');
    await owner.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const bell = owner.getByTestId('notifications-bell');
    const before = Number(/(\d+) unread/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1]);
    const form = await apiPost('/api/forms', { name: 'Live check' });
    expect(form.status).toBe(201);
    const capture = await owner.request.post(`/api/capture/${String(form.body.key)}`, {
      data: { email: 'live.check@example.test', firstName: 'Lara' },
    });
    expect(capture.status()).toBeLessThan(300);
    // Pushed over server-sent events: the bell counts it without a reload.
    await expect
      .poll(
        async () => Number(/(\d+) unread/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1]),
        { timeout: 20_000 },
      )
      .toBe(before + 1);
    await owner.getByTestId('notification-item').first().waitFor();
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);
  });

  it('shows the reviews on demand', async () => {
    await owner.goto('/reviews');
    await owner.getByRole('heading', { name: 'Reviews', level: 1 }).waitFor();
    await owner.getByRole('heading', { name: /Today’s follow-ups/ }).waitFor();
    await owner.getByRole('tab', { name: 'Weekly' }).click();
    await owner.getByText('New leads').waitFor();
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'reviews');
  });
});
