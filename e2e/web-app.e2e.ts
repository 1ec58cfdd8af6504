// The web app's main journeys in a real Chromium against the built server and the demo
// workspace (an orthodontic clinic, de-DE/EUR, a person in every role).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  demoUser,
  dragTo,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForCount,
  waitForValue,
} from './support/web-app.js';

const PHONE = '030 1234 5678';
const EURO_AMOUNT = /^-?\d{1,3}(\.\d{3})*,\d{2}\s€$/;

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let owner: Page;

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

function euros(text: string): number {
  return Number(text.replace(/[^\d,-]/g, '').replace(',', '.'));
}

beforeAll(async () => {
  server = await startServer({ env: { DEMO: '1' } });
  browser = await launchBrowser();
  owner = await newPage();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

describe('the web app', () => {
  it('sends a signed-out visitor to sign in, and says when the password is wrong', async () => {
    await owner.goto('/leads?priority=high');
    await owner.waitForURL(/\/sign-in\?next=/);
    await owner.getByLabel('Email').fill(demoUser('owner'));
    await owner.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
    await owner.getByRole('button', { name: 'Sign in' }).click();

    const alert = owner.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('That email and password do not match an account.');
    expect(await owner.getByLabel('Email').inputValue()).toBe(demoUser('owner'));
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'sign-in');

    await owner.getByRole('textbox', { name: 'Password' }).fill('demo-leadkeeper');
    await owner.getByRole('button', { name: 'Sign in' }).click();
    // Back where the visitor wanted to go.
    await owner.getByRole('heading', { name: 'Leads', level: 1 }).waitFor();
    expect(new URL(owner.url()).search).toBe('?priority=high');
  });

  it('takes a phone inquiry, then warns about a second one with the same phone', async () => {
    await owner.goto('/quick-entry');
    await owner.getByLabel('Name').fill('Greta Sommer');
    await owner.getByRole('textbox', { name: 'Phone' }).fill(PHONE);
    await owner.getByText('Instagram / Facebook', { exact: true }).click();
    await owner.getByRole('button', { name: 'Save inquiry' }).click();
    await owner.getByRole('link', { name: 'Open Greta Sommer' }).waitFor();
    expect(await owner.getByLabel('Name').inputValue()).toBe('');

    await owner.getByLabel('Name').fill('Greta S.');
    await owner.getByRole('textbox', { name: 'Phone' }).fill(PHONE);
    const warning = owner.getByRole('alert').filter({ hasText: 'Possible duplicate' });
    await warning.waitFor();
    expect(await warning.innerText()).toContain('Greta Sommer');
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'quick-entry');

    // Linking to the existing contact adds the inquiry to that person.
    await warning.getByRole('button', { name: 'Use this contact' }).click();
    await owner.getByText('This inquiry will be added to Greta Sommer').waitFor();
  });

  it("keeps the form's data when the server refuses a field (422)", async () => {
    await owner.goto('/quick-entry');
    await owner.getByLabel('Name').fill('Invalid Phone Test');
    await owner.getByRole('textbox', { name: 'Phone' }).fill('123');
    await owner.getByLabel('Notes').fill('Called about Invisalign');
    const [response] = await Promise.all([
      owner.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().endsWith('/api/leads'),
      ),
      owner.getByRole('button', { name: 'Save inquiry' }).click(),
    ]);
    expect(response.status()).toBe(422);

    await owner.getByText('Not a valid phone number', { exact: true }).waitFor();
    await owner.getByText('Not saved', { exact: true }).first().waitFor();
    expect(await owner.getByLabel('Name').inputValue()).toBe('Invalid Phone Test');
    expect(await owner.getByRole('textbox', { name: 'Phone' }).inputValue()).toBe('123');
    expect(await owner.getByLabel('Notes').inputValue()).toBe('Called about Invisalign');
    expect(await owner.getByRole('textbox', { name: 'Phone' }).getAttribute('aria-invalid')).toBe(
      'true',
    );
  });

  it('filters, searches and sorts the leads list, with money in the workspace locale', async () => {
    await owner.goto('/leads');
    const rows = owner.getByTestId('lead-list-row');
    await rows.first().waitFor();
    const all = await rows.count();
    expect(all).toBeGreaterThanOrEqual(12);

    await owner.getByRole('columnheader', { name: /Value/ }).getByRole('button').click();
    await owner.waitForURL(/sort=-value/);
    await owner
      .getByRole('columnheader', { name: /Value/ })
      .and(owner.locator('[aria-sort="descending"]'))
      .waitFor();
    await waitForCount(rows, (n) => n > 0);
    // The previous page stays on screen until the sorted one arrives: wait for the new order
    // (it never comes if sorting breaks, and the assertion below says so).
    const isDescending = (amounts: number[]) =>
      amounts.every((amount, i) => i === 0 || amounts[i - 1]! >= amount);
    const values = await waitForValue(
      () => rows.locator('[data-column="value"]').allTextContents(),
      (texts) => isDescending(texts.map(euros)),
    ).catch(() => rows.locator('[data-column="value"]').allTextContents());
    expect(values.every((value) => EURO_AMOUNT.test(value))).toBe(true);
    const amounts = values.map(euros);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    await expectAccessible(owner);

    await owner.getByRole('combobox', { name: 'Priority' }).click();
    await owner.getByRole('option', { name: 'High' }).click();
    await owner.waitForURL(/priority=high/);
    const priorities = await waitForValue(
      () => rows.locator('[data-column="priority"]').allTextContents(),
      (texts) => texts.length > 0 && texts.length < all && texts.every((t) => t === 'High'),
    );
    expect(new Set(priorities)).toEqual(new Set(['High']));

    // Filters combine: clearing the priority and searching finds one lead.
    await owner.goto('/leads');
    await owner.getByLabel('Search').fill('Hoffmann');
    await owner.waitForURL(/q=Hoffmann/);
    await waitForValue(
      () => rows.allInnerTexts(),
      (texts) => texts.length === 1 && texts[0]!.includes('Emma Hoffmann'),
    );
  });

  it('logs a call on the lead page and shows it on the timeline', async () => {
    await owner.goto('/leads?q=Hoffmann');
    await owner.getByTestId('lead-list-row').first().click();
    await owner.getByRole('heading', { name: 'Emma Hoffmann', level: 1 }).waitFor();
    await owner.getByRole('list', { name: 'Pipeline progress' }).waitFor();

    await owner.getByLabel('Notes').fill('Discussed clear aligners; sending the cost estimate');
    await owner.getByRole('button', { name: 'Log call' }).click();
    await owner.getByText('Activity logged').waitFor();
    const timeline = owner.locator('section', {
      has: owner.getByRole('heading', { name: 'Timeline' }),
    });
    await timeline.getByText('Discussed clear aligners; sending the cost estimate').waitFor();
    expect(await timeline.innerText()).toContain('Call · Spoke');
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'lead-page');
  });

  it('moves a card forward by drag and drop, and to won through the conversion checklist', async () => {
    await owner.setViewportSize({ width: 2500, height: 900 });
    await owner.goto('/board');
    const column = (name: string) => `[data-testid="board-column"][data-stage-name="${name}"]`;
    const card = (title: string) => `[data-testid="board-card"]:has-text("${title}")`;
    await owner.locator(card('Noah Becker')).waitFor();
    await expectAccessible(owner);

    const [moved] = await Promise.all([
      owner.waitForResponse((r) => r.url().includes('/stage') && r.request().method() === 'POST'),
      dragTo(owner, card('Noah Becker'), column('Consultation Completed')),
    ]);
    expect(moved.status()).toBe(200);
    await owner.locator(`${column('Consultation Completed')} ${card('Noah Becker')}`).waitFor();

    // The clinic's pipeline needs a patient name and date of birth before a lead converts.
    await dragTo(owner, card('Greta Sommer'), column('Treatment Started'));
    const dialog = owner.getByRole('dialog', { name: 'Before this lead converts' });
    await dialog.waitFor();
    await dialog.getByLabel('Patient name').fill('Mia Sommer');
    await dialog.getByLabel('Date of birth').fill('2014-05-03');
    await saveDocScreenshot(owner, 'board-conversion-checklist');
    await dialog.getByRole('button', { name: 'Save and convert' }).click();
    await owner.locator(`${column('Treatment Started')} ${card('Greta Sommer')}`).waitFor();
    await owner.getByText('Won and converted: Greta Sommer').waitFor();
    // The checklist's values are on the lead; the owner may read the sensitive date of birth.
    await owner.getByRole('link', { name: 'Greta Sommer', exact: true }).click();
    await owner.getByRole('heading', { name: 'Greta Sommer', level: 1 }).waitFor();
    await owner.getByText('Mia Sommer').waitFor();
    await owner.getByText('03.05.2014').waitFor();
    await owner.setViewportSize({ width: 1280, height: 800 });
  });

  it('completes a task and logs a call from Today, and Today updates', async () => {
    const coordinator = await newPage();
    await signIn(coordinator, demoUser('coordinator'));
    const tasks = coordinator.getByTestId('task-row');
    await tasks.first().waitFor();
    await expectAccessible(coordinator);
    await saveDocScreenshot(coordinator, 'today');
    const before = await tasks.count();

    // Two clicks: the menu, the outcome.
    await tasks
      .first()
      .getByRole('button', { name: /^Log call/ })
      .click();
    await coordinator.getByRole('menuitem', { name: 'No answer' }).click();
    await coordinator.getByText(/^Call logged \(no answer\)/).waitFor();

    // Snoozing to tomorrow takes a task off today's list.
    const snoozed = await tasks.last().locator('p').first().innerText();
    await tasks
      .last()
      .getByRole('button', { name: `Snooze: ${snoozed}` })
      .click();
    await coordinator.getByRole('menuitem', { name: 'Tomorrow 9:00' }).click();
    await waitForValue(
      () => tasks.allInnerTexts(),
      (texts) => texts.length === before - 1 && !texts.some((t) => t.includes(snoozed)),
    );

    const title = await tasks.first().locator('p').first().innerText();
    await tasks
      .first()
      .getByRole('checkbox', { name: `Complete: ${title}` })
      .click();
    await coordinator.getByText(`Done: ${title}`).waitFor();
    await waitForCount(tasks, (n) => n === before - 2);
  });

  it('works on a phone screen: Today, quick entry and the lead page', async () => {
    const phone = await newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await signIn(phone, demoUser('frontdesk'));
    await expectAccessible(phone);
    await saveDocScreenshot(phone, 'today-phone');

    await phone.getByRole('button', { name: 'Navigation' }).click();
    await phone.getByRole('link', { name: 'Quick entry' }).click();
    await phone.getByRole('heading', { name: 'New inquiry' }).waitFor();
    await phone.getByLabel('Name').fill('Jonas Brandt');
    await phone.getByRole('textbox', { name: 'Phone' }).fill('0171 2345678');
    await phone.getByRole('button', { name: 'Save inquiry' }).click();
    await phone.getByRole('link', { name: 'Open Jonas Brandt' }).click();
    await phone.getByRole('heading', { name: 'Jonas Brandt', level: 1 }).waitFor();
    await phone.getByRole('heading', { name: 'Timeline' }).waitFor();
    await expectAccessible(phone);
    await saveDocScreenshot(phone, 'lead-page-phone');
  });

  it('shows a viewer no write actions', async () => {
    const viewer = await newPage();
    await signIn(viewer, demoUser('accountant'));
    expect(await viewer.getByRole('link', { name: 'Quick entry' }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'New inquiry' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^Log call/ }).count()).toBe(0);

    await viewer.goto('/leads?q=Hoffmann');
    await viewer.getByTestId('lead-list-row').first().click();
    await viewer.getByRole('heading', { name: 'Emma Hoffmann', level: 1 }).waitFor();
    await viewer.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await viewer.getByRole('heading', { name: 'Log activity' }).count()).toBe(0);
    expect(await viewer.getByLabel('Move to stage').count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'More' }).count()).toBe(0);

    // A sensitive value (date of birth) is hidden from a role without lead:read_sensitive.
    await viewer.goto('/leads?q=Greta');
    await viewer.getByRole('link', { name: 'Greta Sommer', exact: true }).click();
    await viewer.getByText('Mia Sommer').waitFor();
    const dateOfBirth = viewer.getByText('Date of birth', { exact: true }).locator('..');
    expect(await dateOfBirth.innerText()).toContain('Hidden');

    await viewer.goto('/board');
    await viewer.getByTestId('board-card').first().waitFor();
    expect(await viewer.getByTestId('drag-handle').count()).toBe(0);

    await viewer.goto('/quick-entry');
    await viewer.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await expectAccessible(viewer);
  });

  it('signs out', async () => {
    await owner.goto('/today');
    await owner.getByRole('button', { name: /^Account of/ }).click();
    await owner.getByRole('menuitem', { name: 'Sign out' }).click();
    await owner.getByRole('button', { name: 'Sign in' }).waitFor();
    const me = await owner.evaluate(async () => (await fetch('/api/me')).status);
    expect(me).toBe(401);
  });
});
