// Sequences in a real Chromium against the built server and the demo workspace: the owner builds
// a sequence of steps, enrols a lead from its page, pauses and resumes it, and sees the
// enrolment and the statistics on the sequence's page.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import { demoUser, expectAccessible, saveDocScreenshot, signIn } from './support/web-app.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let owner: Page;
let sequencePath = '';

beforeAll(async () => {
  server = await startServer({ env: { DEMO: '1' } });
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
});

async function anOpenLead(page: Page): Promise<{ id: string; title: string }> {
  return page.evaluate(async () => {
    const response = await fetch('/api/leads?status=open&limit=5');
    const body = (await response.json()) as { items: { id: string; title: string }[] };
    const lead = body.items[0];
    if (!lead) throw new Error('The demo workspace has no open lead');
    return lead;
  });
}

describe('sequences', () => {
  it('lets the owner build a sequence of steps', async () => {
    await owner.goto('/sequences');
    await owner.getByRole('heading', { name: 'Sequences', level: 1 }).waitFor();
    await owner.getByRole('button', { name: 'New sequence' }).click();
    await owner.getByRole('textbox', { name: 'Name' }).fill('Welcome nurture');
    await owner.getByRole('button', { name: 'Create', exact: true }).click();
    await owner.getByRole('heading', { name: 'Welcome nurture', level: 1 }).waitFor();
    sequencePath = new URL(owner.url()).pathname;

    // A step the server refuses shows its reason.
    await owner.getByRole('button', { name: '+ Email' }).click();
    await owner.getByTestId('save-sequence').click();
    await owner
      .getByRole('alert')
      .filter({ hasText: 'An email step needs a template, or a subject and a body.' })
      .first()
      .waitFor();
    await owner.getByRole('button', { name: 'Remove Step 1' }).click();

    await owner.getByRole('button', { name: '+ Task' }).click();
    await owner.getByRole('textbox', { name: 'Step 1: title' }).fill('Welcome call');
    await owner.getByRole('button', { name: '+ Wait', exact: true }).click();
    await owner.getByRole('button', { name: '+ Wait until business hours' }).click();
    await owner.getByRole('button', { name: '+ Task' }).click();
    await owner.getByRole('textbox', { name: 'Step 4: title' }).fill('Check-in call');
    await owner.getByTestId('save-sequence').click();
    await owner.getByText('Sequence saved: Welcome nurture').waitFor();
    await expect.poll(() => owner.getByTestId('step-stats').count()).toBe(4);
    expect(await owner.getByTestId('sequence-step').count()).toBe(4);
    await expectAccessible(owner);
  });

  it('enrols a lead from its page, pauses and resumes it, and lists it on the sequence', async () => {
    const lead = await anOpenLead(owner);
    await owner.goto(`/leads/${lead.id}`);
    await owner.getByRole('heading', { name: 'Sequences', level: 2 }).waitFor();
    await owner.getByRole('combobox', { name: 'Enrol in sequence' }).click();
    await owner.getByRole('option', { name: 'Welcome nurture' }).click();
    await owner.getByRole('button', { name: 'Enrol', exact: true }).click();
    const enrolment = owner.getByTestId('lead-enrolment').filter({ hasText: 'Welcome nurture' });
    await enrolment.getByText('Active').waitFor();

    await enrolment.getByRole('button', { name: /^Pause/ }).click();
    await enrolment.getByText('Paused').waitFor();
    await expectAccessible(owner);
    await enrolment.getByRole('button', { name: /^Resume/ }).click();
    await enrolment.getByText('Active').waitFor();

    await owner.goto(sequencePath);
    const row = owner.getByTestId('enrolment-row').filter({ hasText: lead.title });
    await row.getByTestId('enrolment-status').waitFor();
    expect(await row.getByTestId('enrolment-status').innerText()).toMatch(/Active/i);
    await expect
      .poll(() => owner.getByTestId('sequence-totals').innerText())
      .toMatch(/^1 enrolled · 1 active/);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'sequence');
  });
});
