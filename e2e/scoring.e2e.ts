// Lead scoring in a real Chromium against the built server and the demo workspace: the
// Scoring settings page with rules set and the model's status after "Train now" (the demo has too
// few closed leads, so it says it falls back to the rules), then a lead page showing its score
// and the points that made it, and the leads list filtered by a minimum score.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  apiOk,
  demoUser,
  expectAccessible,
  signIn,
  waitForCount,
  waitForValue,
} from './support/web-app.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let owner: Page;

interface ListedLead {
  id: string;
  title: string;
  status: string;
  score: number | null;
}

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

describe('scoring', () => {
  it('shows the rules and the model status, and trains on request', async () => {
    await apiOk(owner, 'PUT', '/api/scoring/rules', {
      fieldRules: [
        {
          label: 'Has a coordinator',
          points: 30,
          condition: { field: 'assignee', isSet: true },
        },
        {
          label: 'Treatment over 4.000 €',
          points: 25,
          condition: { field: 'value', min: 400_000, max: null },
        },
      ],
      engagementRules: [
        { label: 'Answered call', event: 'call_answered', points: 20, halfLifeDays: 14 },
      ],
    });
    await owner.goto('/settings/scoring');
    await owner.getByRole('heading', { name: 'Scoring', level: 2 }).waitFor();
    await owner.getByTestId('field-rule').first().waitFor();
    expect(await owner.getByTestId('field-rule').count()).toBe(2);
    expect(await owner.getByTestId('engagement-rule').count()).toBe(1);
    expect(await owner.getByTestId('field-rule').first().getByLabel('Label').inputValue()).toBe(
      'Has a coordinator',
    );

    await owner.getByRole('button', { name: 'Train now' }).click();
    const message = owner.getByTestId('scoring-model-message');
    await waitForValue(
      () => message.innerText(),
      (text) => text.includes('Not enough closed leads'),
      30_000,
    );
    expect(await owner.getByTestId('scoring-model').textContent()).toContain('Insufficient data');
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);
  });

  it("shows a lead's score and its factors, and filters the list by a minimum score", async () => {
    // Open leads are rescored in the background after the rules were saved.
    const leads = await waitForValue(
      () => apiOk<{ items: ListedLead[] }>(owner, 'GET', '/api/leads?sort=-score&status=open'),
      (page) => page.items.length > 0 && page.items.every((lead) => lead.score !== null),
      30_000,
    );
    // A coordinator, a value over 4.000 € and a call answered moments ago.
    const top = leads.items[0]!;
    expect(top.score).toBe(75);

    await owner.goto(`/leads/${top.id}`);
    const card = owner.getByTestId('lead-score');
    await card.waitFor();
    expect(await owner.getByTestId('lead-score-value').innerText()).toBe('75');
    const factors = await card.getByRole('listitem').allInnerTexts();
    expect(factors.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
      'Has a coordinator +30',
      'Treatment over 4.000 € +25',
      'Answered call +20',
    ]);
    // The timeline and tasks load on their own; check the page once nothing is loading.
    await waitForCount(owner.locator('[aria-label="Loading"]'), (count) => count === 0, 15_000);
    await owner.mouse.move(1, 1);
    await expectAccessible(owner);

    await owner.goto('/leads?minScore=50&status=open&sort=-score');
    const expected = leads.items.filter((lead) => (lead.score ?? 0) >= 50).map((l) => l.title);
    const rows = owner.locator('[data-testid="lead-list-row"]');
    await waitForValue(
      () => rows.count(),
      (count) => count === expected.length,
      15_000,
    );
  });
});
