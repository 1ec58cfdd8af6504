// The analytics dashboard in a real Chromium against the built server and the demo workspace
// (an orthodontic clinic, de-DE/EUR). Five leads seeded through the API carry their own tag, and
// the page is opened filtered by it, so every figure below is known: each report draws its chart
// and its table shows the seeded numbers. A viewer sees the page; an agent does not.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  apiOk,
  callApi,
  demoUser,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForValue,
} from './support/web-app.js';

const TAG = 'e2e-analytics';
const REPORTS = [
  'funnel',
  'sources',
  'coordinators',
  'lost-reasons',
  'time-in-stage',
  'velocity',
  'forecast',
] as const;

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let owner: Page;

interface Named {
  id: string;
  name: string;
}
interface Pipeline extends Named {
  isDefault: boolean;
  stages: (Named & { kind: string; position: number })[];
}

/** The first day of next month, as YYYY-MM-DD (an expected close date in the future). */
function nextMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
    .toISOString()
    .slice(0, 10);
}

/**
 * Five tagged leads in the default pipeline, all from Google Ads and assigned to Priya Shah:
 * one still new (10 € … with an expected close date), one contacted, one whose consultation is
 * scheduled (through Contacted), one won (skipping every stage between) and one lost for
 * "Cost / financing"; plus a call and a consultation that took place.
 */
async function seed(page: Page): Promise<void> {
  const pipelines = await apiOk<{ items: Pipeline[] }>(page, 'GET', '/api/pipelines');
  const pipeline = pipelines.items.find((p) => p.isDefault) ?? pipelines.items[0]!;
  const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;
  const sources = await apiOk<{ items: Named[] }>(page, 'GET', '/api/lead-sources');
  const googleAds = sources.items.find((s) => s.name === 'Google Ads')!.id;
  const reasons = await apiOk<{ items: Named[] }>(page, 'GET', '/api/lost-reasons');
  const cost = reasons.items.find((r) => r.name === 'Cost / financing')!.id;
  const users = await apiOk<{ items: Named[] }>(page, 'GET', '/api/users?limit=200');
  const priya = users.items.find((u) => u.name === 'Priya Shah')!.id;

  const createLead = (lastName: string, value: number, extra: object = {}) =>
    apiOk<{ id: string }>(page, 'POST', '/api/leads', {
      contact: { firstName: 'Analytics', lastName },
      value,
      sourceId: googleAds,
      assigneeId: priya,
      tags: [TAG],
      ...extra,
    });
  const move = (id: string, name: string) =>
    apiOk(page, 'POST', `/api/leads/${id}/stage`, { stageId: stage(name) });

  await createLead('New', 100_000, { expectedCloseDate: nextMonth() });
  const contacted = await createLead('Contacted', 200_000);
  await move(contacted.id, 'Contacted');
  const consultation = await createLead('Consultation', 300_000);
  await move(consultation.id, 'Contacted');
  await move(consultation.id, 'Consultation Scheduled');
  const won = await createLead('Won', 500_000);
  await move(won.id, 'Treatment Started');
  const lost = await createLead('Lost', 150_000);
  await apiOk(page, 'POST', `/api/leads/${lost.id}/lost`, { reasonId: cost });

  await apiOk(page, 'POST', `/api/leads/${contacted.id}/activities`, {
    type: 'call',
    outcome: 'spoke',
  });
  await apiOk(page, 'POST', `/api/leads/${consultation.id}/activities`, {
    type: 'meeting',
    outcome: 'spoke',
  });
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 900 },
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
  });
  contexts.push(context);
  return context.newPage();
}

const section = (page: Page, report: (typeof REPORTS)[number]) =>
  page.locator(`section[data-report="${report}"]`);

/** The rows of a section's table as text cells (header left out; any space as one space). */
async function tableRows(locator: Locator): Promise<string[][]> {
  const table = locator.getByTestId('report-table').first();
  await table.waitFor();
  const rows = await table.locator('tbody tr').all();
  return Promise.all(
    rows.map(async (row) =>
      (await row.locator('td').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim()),
    ),
  );
}

async function showTable(page: Page, report: (typeof REPORTS)[number]): Promise<Locator> {
  const card = section(page, report);
  await card.getByText('Table', { exact: true }).click();
  await card.getByTestId('report-table').first().waitFor();
  return card;
}

async function openDashboard(page: Page, search = `?tag=${TAG}`): Promise<void> {
  await page.goto(`/analytics${search}`);
  await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
}

/** Waits until every report has drawn its chart (or, for a table-first one, its table). */
async function waitForReports(page: Page): Promise<void> {
  for (const report of REPORTS) {
    const card = section(page, report);
    await card
      .locator('[data-testid="report-chart"] svg.recharts-surface, [data-testid="report-table"]')
      .first()
      .waitFor();
  }
}

/** axe, with the pointer parked off every control (a hovered button is drawn lighter). */
async function checkAccessible(page: Page): Promise<void> {
  await page.mouse.move(1, 1);
  await expectAccessible(page);
}

beforeAll(async () => {
  server = await startServer({ env: { DEMO: '1' } });
  browser = await launchBrowser();
  owner = await newPage();
  await signIn(owner, demoUser('owner'));
  await seed(owner);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

describe('analytics dashboard', () => {
  it('opens from the navigation and draws a chart in every report', async () => {
    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Analytics' })
      .click();
    await owner.waitForURL(/\/analytics$/);
    await owner.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    // Unfiltered, the demo workspace's own leads make the picture for the docs.
    await waitForReports(owner);
    await checkAccessible(owner);
    await saveDocScreenshot(owner, 'analytics');

    await openDashboard(owner);
    await waitForReports(owner);
    for (const report of REPORTS) {
      const card = section(owner, report);
      // The leaderboard opens as a table; its chart is one click away.
      if (report === 'coordinators') await card.getByText('Chart', { exact: true }).click();
      const chart = card.getByTestId('report-chart').first();
      await chart.locator('svg.recharts-surface').first().waitFor();
      expect(await chart.getAttribute('role'), report).toBe('img');
      expect(await chart.getAttribute('aria-label'), report).toBeTruthy();
    }
    await checkAccessible(owner);
  });

  it('shows the seeded numbers in every table view', async () => {
    await openDashboard(owner);

    const funnel = await showTable(owner, 'funnel');
    expect((await tableRows(funnel)).map((row) => [row[0], row[1]])).toEqual([
      ['New Lead', '5'],
      ['Contacted', '3'],
      ['Consultation Scheduled', '2'],
      ['Consultation Completed', '1'],
      ['Pending Decision', '1'],
      ['Treatment Accepted', '1'],
      ['Treatment Started', '1'],
    ]);
    expect(await funnel.locator('[data-figure="Leads"]').innerText()).toBe('5');
    expect(await funnel.locator('[data-figure="Lost"]').innerText()).toBe('1');
    // One consultation took place and none was missed.
    expect(await funnel.locator('[data-figure="Consultation show rate"]').innerText()).toMatch(
      /^100\s%$/,
    );

    const sources = await showTable(owner, 'sources');
    const googleAds = (await tableRows(sources)).find((row) => row[0] === 'Google Ads');
    // Source, leads, won, lost, conversion, won value.
    expect(googleAds?.slice(0, 6)).toEqual(['Google Ads', '5', '1', '1', '20 %', '5.000,00 €']);

    const coordinators = section(owner, 'coordinators');
    const leaderboard = await tableRows(coordinators);
    expect(leaderboard.map((row) => [row[0], row[1], row[4]])).toEqual([['Priya Shah', '5', '1']]);

    const lost = await showTable(owner, 'lost-reasons');
    expect(await tableRows(lost)).toEqual([['Cost / financing', '1', '100 %', '1.500,00 €']]);

    const time = await showTable(owner, 'time-in-stage');
    // The bottleneck's name cell carries a badge after the name.
    const stays = Object.fromEntries(
      (await tableRows(time)).map((row) => [row[0]?.replace(/ bottleneck$/i, ''), row]),
    );
    // Four leads left "New Lead" (one to Lost), one left "Contacted"; three are open.
    expect(stays['New Lead']?.[1]).toBe('4');
    expect(stays['Contacted']?.[1]).toBe('1');
    expect(stays['New Lead']?.[4]).toBe('1');
    expect(stays['Consultation Scheduled']?.[4]).toBe('1');

    const velocity = await showTable(owner, 'velocity');
    const weeks = await tableRows(velocity);
    expect(weeks.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(5);
    expect(weeks.at(-1)?.[1]).toBe('5');

    const forecast = await showTable(owner, 'forecast');
    const months = await tableRows(forecast);
    // The new lead: 1.000 € at the first stage's 10 %.
    expect(months.map((row) => row.slice(1))).toEqual([['1', '1.000,00 €', '100,00 €']]);

    await checkAccessible(owner);
  });

  it('keeps the filters in the URL, and a reload shows the same view', async () => {
    await openDashboard(owner);
    await owner.getByRole('combobox', { name: 'Period' }).click();
    await owner.getByRole('option', { name: 'Last 30 days' }).click();
    await owner.waitForURL((url) => url.searchParams.get('period') === 'last30');
    expect(new URL(owner.url()).searchParams.get('tag')).toBe(TAG);

    const [csv] = await Promise.all([
      owner.waitForEvent('download'),
      section(owner, 'lost-reasons')
        .getByRole('link', { name: /Download CSV/ })
        .click(),
    ]);
    const url = new URL(csv.url());
    expect(url.pathname).toBe('/api/analytics/lost-reasons.csv');
    expect(url.searchParams.get('tag')).toBe(TAG);
    expect(url.searchParams.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    await owner.reload();
    await owner.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    expect(await owner.getByRole('combobox', { name: 'Period' }).inputValue()).toBe('Last 30 days');
    expect(await owner.getByRole('textbox', { name: 'Tag' }).inputValue()).toBe(TAG);
    const funnel = await showTable(owner, 'funnel');
    expect((await tableRows(funnel))[0]?.slice(0, 2)).toEqual(['New Lead', '5']);

    // One source: the other sources (no leads of their own here) leave the table.
    await owner.getByRole('combobox', { name: 'Source' }).click();
    await owner.getByRole('option', { name: 'Google Ads' }).click();
    await owner.waitForURL((url) => url.searchParams.has('sourceId'));
    const sources = await showTable(owner, 'sources');
    await waitForValue(
      async () => (await tableRows(sources)).map((row) => row.slice(0, 2).join(': ')),
      (rows) => rows.join() === 'Google Ads: 5',
    );
  });

  it('says so when a report has no data, and shows a bad range readably', async () => {
    await openDashboard(owner, `?tag=no-such-tag-${Date.now()}`);
    await waitForValue(
      () => owner.getByText('No leads in this period').count(),
      (count) => count >= 4,
    );
    await checkAccessible(owner);

    await openDashboard(owner, `?period=custom&from=2026-05-10&to=2026-05-01&tag=${TAG}`);
    const problem = section(owner, 'funnel').getByRole('alert');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('must not be after');
    expect(await owner.getByLabel('From', { exact: true }).inputValue()).toBe('2026-05-10');
    expect(await owner.getByLabel('To', { exact: true }).inputValue()).toBe('2026-05-01');
    await checkAccessible(owner);
  });
});

describe('who sees analytics', () => {
  it('shows the page to a viewer', async () => {
    const viewer = await newPage();
    await signIn(viewer, demoUser('accountant'));
    await viewer
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Analytics' })
      .click();
    await viewer.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await openDashboard(viewer);
    const funnel = await showTable(viewer, 'funnel');
    expect((await tableRows(funnel))[0]?.slice(0, 2)).toEqual(['New Lead', '5']);
    await checkAccessible(viewer);
  });

  it('gives an agent no link, and the page says not allowed', async () => {
    const agent = await newPage();
    await signIn(agent, demoUser('coordinator'));
    const nav = agent.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Leads', exact: true }).waitFor();
    expect(await nav.getByRole('link', { name: 'Analytics' }).count()).toBe(0);
    await agent.goto('/analytics');
    await agent.getByRole('heading', { name: 'Not allowed', level: 1 }).waitFor();
    const answer = await callApi(agent, 'GET', '/api/analytics/funnel');
    expect(answer.status).toBe(403);
  });
});
