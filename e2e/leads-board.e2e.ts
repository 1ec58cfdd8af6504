// The leads list's and the board's power features in a real Chromium against the built server
// and the demo workspace (an orthodontic clinic, de-DE/EUR): columns, saved views, custom-field
// filters, bulk actions, keyboard navigation, and the board's filtered column sums.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  callApi,
  demoUser,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForCount,
  waitForValue,
} from './support/web-app.js';

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

/** `12.500,00 €` → 12500 */
function euros(text: string): number {
  return Number(text.replace(/[^\d,-]/g, '').replace(',', '.'));
}

async function leadNamed(page: Page, title: string): Promise<{ id: string; version: number }> {
  const answer = await callApi(page, 'GET', `/api/leads?q=${encodeURIComponent(title)}`);
  const items = (answer.body as { items: { id: string; title: string; version: number }[] }).items;
  const lead = items.find((item) => item.title === title);
  if (!lead) throw new Error(`No lead "${title}"`);
  return lead;
}

/** The data-row-index of the focused element (a leads list row), or null. */
function focusedRowIndex(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const page = globalThis as unknown as {
      document: { activeElement: { getAttribute(name: string): string | null } | null };
    };
    return page.document.activeElement?.getAttribute('data-row-index') ?? null;
  });
}

function rowOf(page: Page, title: string) {
  return page.getByTestId('lead-list-row').filter({
    has: page.getByRole('link', { name: title, exact: true }),
  });
}

beforeAll(async () => {
  server = await startServer({ env: { DEMO: '1' } });
  browser = await launchBrowser();
  owner = await newPage();
  await signIn(owner, demoUser('owner'));
  // Two patients are interested in braces (a select custom field of the clinic's preset).
  for (const title of ['Hanna Koch', 'Felix Richter']) {
    const lead = await leadNamed(owner, title);
    const answer = await callApi(
      owner,
      'PATCH',
      `/api/leads/${lead.id}`,
      { customFields: { treatment_interest: 'braces' } },
      lead.version,
    );
    expect(answer.status).toBe(200);
  }
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

describe('the leads list and the board', () => {
  it('shows the chosen columns, a custom field among them, and keeps them after a reload', async () => {
    await owner.goto('/leads');
    const rows = owner.getByTestId('lead-list-row');
    await rows.first().waitFor();
    // The contact's name has its own column.
    expect(await rowOf(owner, 'Hanna Koch').locator('[data-column="contact"]').innerText()).toBe(
      'Hanna Koch',
    );
    expect(await owner.getByRole('columnheader', { name: 'Source' }).count()).toBe(0);

    await owner.getByRole('button', { name: 'Columns' }).click();
    const chooser = owner.getByRole('dialog', { name: 'Columns' });
    await chooser.getByRole('checkbox', { name: 'Source' }).check();
    await chooser.getByRole('checkbox', { name: 'Treatment interest' }).check();
    await chooser.getByRole('checkbox', { name: 'Created' }).uncheck();
    // A sensitive field (date of birth) is never a list column.
    expect(await chooser.getByRole('checkbox', { name: 'Date of birth' }).count()).toBe(0);
    await owner.keyboard.press('Escape');

    await owner.getByRole('columnheader', { name: 'Source' }).waitFor();
    expect(await owner.getByRole('columnheader', { name: 'Created' }).count()).toBe(0);
    expect(await rowOf(owner, 'Hanna Koch').locator('[data-column="source"]').innerText()).toBe(
      'Dentist referral',
    );
    expect(
      await rowOf(owner, 'Hanna Koch').locator('[data-column="cf.treatment_interest"]').innerText(),
    ).toBe('Braces');

    await owner.reload();
    await rows.first().waitFor();
    await owner.getByRole('columnheader', { name: 'Treatment interest' }).waitFor();
    expect(await owner.getByRole('columnheader', { name: 'Source' }).count()).toBe(1);
    expect(await owner.getByRole('columnheader', { name: 'Created' }).count()).toBe(0);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'leads-list');
  });

  it('saves a view, and picking it after a reload applies its filters and sort', async () => {
    await owner.goto('/leads?priority=high&sort=-value');
    const rows = owner.getByTestId('lead-list-row');
    await rows.first().waitFor();
    await owner.getByRole('button', { name: 'Save view' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Save view' });
    await dialog.getByLabel('Name').fill('Hot leads');
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await owner.getByText('View saved: Hot leads').waitFor();
    await owner.waitForURL(/view=/);

    await owner.goto('/leads');
    await rows.first().waitFor();
    const all = await rows.count();
    await owner.getByRole('combobox', { name: 'Saved view' }).click();
    await owner.getByRole('option', { name: 'Hot leads' }).click();
    await owner.waitForURL(/priority=high/);
    expect(new URL(owner.url()).searchParams.get('sort')).toBe('-value');
    await waitForValue(
      () => owner.getByRole('combobox', { name: 'Priority' }).inputValue(),
      (value) => value === 'High',
    );
    const priorities = await waitForValue(
      () => rows.locator('[data-column="priority"]').allTextContents(),
      (texts) => texts.length > 0 && texts.length < all && texts.every((t) => t === 'High'),
    );
    expect(new Set(priorities)).toEqual(new Set(['High']));
    const values = (await rows.locator('[data-column="value"]').allInnerTexts()).map(euros);
    expect(values).toEqual([...values].sort((a, b) => b - a));

    // Changing a filter marks the view changed; the owner updates it, then deletes it.
    await owner.getByRole('combobox', { name: 'Status' }).click();
    await owner.getByRole('option', { name: 'Open' }).click();
    await owner.getByText('Changed', { exact: true }).waitFor();
    await owner.getByRole('button', { name: 'Update view' }).click();
    await owner.getByText('View updated: Hot leads').waitFor();
    const views = await callApi(owner, 'GET', '/api/saved-views');
    const saved = (views.body as { items: { name: string; filters: Record<string, unknown> }[] })
      .items;
    expect(saved.find((view) => view.name === 'Hot leads')?.filters).toEqual({
      priority: 'high',
      status: 'open',
    });

    // While the member's own view is shown, the column choice is kept in the view.
    await owner.getByRole('button', { name: 'Columns' }).click();
    await owner
      .getByRole('dialog', { name: 'Columns' })
      .getByRole('checkbox', { name: 'Score' })
      .check();
    await owner.keyboard.press('Escape');
    await owner.getByRole('columnheader', { name: 'Score' }).waitFor();
    const withScore = await waitForValue(
      async () =>
        (
          (await callApi(owner, 'GET', '/api/saved-views')).body as {
            items: { name: string; columns: string[] }[];
          }
        ).items.find((view) => view.name === 'Hot leads')?.columns ?? [],
      (columns) => columns.includes('score'),
    );
    expect(withScore).toContain('source');

    await owner.getByRole('button', { name: 'Delete view' }).click();
    await owner
      .getByRole('dialog', { name: /Delete the view/ })
      .getByRole('button', { name: 'Delete view' })
      .click();
    await owner.getByText('View deleted: Hot leads').waitFor();
    expect(new URL(owner.url()).searchParams.get('view')).toBeNull();
  });

  it('filters by a custom field', async () => {
    await owner.goto('/leads');
    const rows = owner.getByTestId('lead-list-row');
    await rows.first().waitFor();
    await owner.getByRole('button', { name: 'Add filter' }).click();
    await owner.getByRole('menuitem', { name: 'Treatment interest' }).click();
    await owner.getByRole('combobox', { name: 'Treatment interest' }).click();
    await owner.getByRole('option', { name: 'Braces' }).click();
    await owner.waitForURL(/cf=treatment_interest%3Abraces/);
    const titles = await waitForValue(
      () => rows.getByRole('link').allInnerTexts(),
      (texts) => texts.length === 2,
    );
    expect(new Set(titles)).toEqual(new Set(['Hanna Koch', 'Felix Richter']));

    // The export takes the same filters: the whole filtered list, or the selected rows.
    const exported = async (item: RegExp) => {
      await owner.getByRole('button', { name: 'Export CSV' }).click();
      const [download] = await Promise.all([
        owner.waitForEvent('download'),
        owner.getByRole('menuitem', { name: item }).click(),
      ]);
      const file = await download.path();
      return (await readFile(file, 'utf8')).trim().split(/\r?\n/);
    };
    const all = await exported(/^All matching leads/);
    expect(all).toHaveLength(3);
    expect(all.slice(1).some((line) => line.includes('Hanna Koch'))).toBe(true);
    expect(all.slice(1).some((line) => line.includes('Felix Richter'))).toBe(true);
    await owner.getByRole('checkbox', { name: 'Select Felix Richter', exact: true }).check();
    const chosen = await exported(/^Selected leads \(1\)/);
    expect(chosen).toHaveLength(2);
    expect(chosen[0]).toBe(all[0]);
    expect(chosen[1]).toContain('Felix Richter');

    await owner.getByRole('button', { name: 'Remove filter Treatment interest' }).click();
    await waitForCount(rows, (n) => n > 2);
  });

  it('assigns three selected leads at once, and shows why one of a bulk stage move failed', async () => {
    await owner.goto('/leads');
    const rows = owner.getByTestId('lead-list-row');
    await rows.first().waitFor();
    for (const title of ['Lea Schneider', 'Ben Fischer', 'Mila Wagner']) {
      await owner.getByRole('checkbox', { name: `Select ${title}`, exact: true }).check();
    }
    const bar = owner.getByRole('region', { name: 'Bulk actions' });
    await bar.getByText('3 leads selected').waitFor();
    expect(await rowOf(owner, 'Ben Fischer').getAttribute('aria-selected')).toBe('true');

    await bar.getByRole('button', { name: 'Assign…' }).click();
    const assign = owner.getByRole('dialog', { name: 'Assign 3 leads' });
    await assign.getByRole('combobox', { name: 'Assignee' }).click();
    await owner.getByRole('option', { name: 'Jonas Weber' }).click();
    await assign.getByRole('button', { name: 'Assign 3 leads' }).click();
    const result = owner.getByTestId('bulk-result');
    await result.getByText('Assign: 3 updated').waitFor();
    for (const title of ['Lea Schneider', 'Ben Fischer', 'Mila Wagner']) {
      await waitForValue(
        () => rowOf(owner, title).locator('[data-column="assignee"]').innerText(),
        (text) => text === 'Jonas Weber',
      );
    }
    expect(await bar.count()).toBe(0);

    // The clinic's pipeline only moves forward: a lead past the target stage fails, alone.
    for (const title of ['Lea Schneider', 'Mila Wagner', 'Sophie Klein']) {
      await owner.getByRole('checkbox', { name: `Select ${title}`, exact: true }).check();
    }
    await bar.getByRole('button', { name: 'Move to stage…' }).click();
    const move = owner.getByRole('dialog', { name: 'Move 3 leads to a stage' });
    await move.getByRole('combobox', { name: 'Stage' }).click();
    await owner.getByRole('option', { name: 'Consultation Scheduled' }).click();
    await move.getByRole('button', { name: 'Move 3 leads' }).click();
    await result.getByText('Move: 2 updated, 1 failed').waitFor();
    const failure = await result.getByRole('listitem').innerText();
    expect(failure).toMatch(/^Sophie Klein: \S/);
    // The failed lead stays selected, to fix and retry.
    await bar.getByText('1 lead selected').waitFor();
    expect(
      await owner.getByRole('checkbox', { name: 'Select Sophie Klein', exact: true }).isChecked(),
    ).toBe(true);
    await waitForValue(
      () => rowOf(owner, 'Mila Wagner').locator('[data-column="stage"]').innerText(),
      (text) => text === 'Consultation Scheduled',
    );
    expect(await rowOf(owner, 'Sophie Klein').locator('[data-column="stage"]').innerText()).toBe(
      'Treatment Accepted',
    );
    await expectAccessible(owner);
    await owner.evaluate(() =>
      (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
    );
    await saveDocScreenshot(owner, 'leads-bulk');
    await bar.getByRole('button', { name: 'Clear selection' }).click();

    // Archiving asks first; the archived lead leaves the list.
    await owner.getByRole('checkbox', { name: 'Select Luis Schwarz', exact: true }).check();
    await bar.getByRole('button', { name: 'Archive…' }).click();
    const confirm = owner.getByRole('dialog', { name: 'Archive 1 lead?' });
    await confirm.getByRole('button', { name: 'Archive 1 lead' }).click();
    await result.getByText('Archive: 1 archived').waitFor();
    await waitForCount(rowOf(owner, 'Luis Schwarz'), (n) => n === 0);
  });

  it('walks the rows with the keyboard and opens one with Enter', async () => {
    await owner.goto('/leads');
    const rows = owner.getByTestId('lead-list-row');
    await rows.first().waitFor();

    await owner.keyboard.press('/');
    const search = owner.getByRole('textbox', { name: 'Search' });
    expect(await search.evaluate((input) => input === input.ownerDocument.activeElement)).toBe(
      true,
    );
    await search.blur();

    const focusedIs = (index: string) =>
      waitForValue(
        () => focusedRowIndex(owner),
        (focused) => focused === index,
      );
    await owner.keyboard.press('j');
    await focusedIs('0');
    await owner.keyboard.press('j');
    await focusedIs('1');
    await owner.keyboard.press('ArrowDown');
    await focusedIs('2');
    await owner.keyboard.press('k');
    await focusedIs('1');
    const second = owner.locator('[data-row-index="1"]');
    expect(await second.getAttribute('tabindex')).toBe('0');
    expect(await owner.locator('[data-row-index="0"]').getAttribute('tabindex')).toBe('-1');

    await owner.keyboard.press('x');
    expect(await second.getAttribute('aria-selected')).toBe('true');
    await owner
      .getByRole('region', { name: 'Bulk actions' })
      .getByText('1 lead selected')
      .waitFor();
    await owner.keyboard.press('x');
    expect(await second.getAttribute('aria-selected')).toBe('false');

    // Further down than the table shows: the focused row is scrolled into view.
    for (let i = 0; i < 9; i++) await owner.keyboard.press('j');
    await focusedIs('10');
    const title = await owner.locator('[data-row-index="10"]').getByRole('link').innerText();
    await owner.keyboard.press('Enter');
    await owner.getByRole('heading', { name: title, level: 1 }).waitFor();
    expect(new URL(owner.url()).pathname).toMatch(/^\/leads\/[0-9a-f-]{36}$/);
  });

  it('filters the board by assignee, and the column sums follow', async () => {
    // A lead named for the treatment: its card also names the patient (its contact).
    const elias = await leadNamed(owner, 'Elias Wolf');
    const renamed = await callApi(
      owner,
      'PATCH',
      `/api/leads/${elias.id}`,
      { title: 'Retainer for Elias' },
      elias.version,
    );
    expect(renamed.status).toBe(200);
    await owner.setViewportSize({ width: 1280, height: 800 });
    await owner.goto('/board');
    const columns = owner.getByTestId('board-column');
    const card = (title: string) => owner.getByTestId('board-card').filter({ hasText: title });
    await card('Retainer for Elias').waitFor();
    expect(await card('Retainer for Elias').getByTestId('card-contact').innerText()).toBe(
      'Elias Wolf',
    );
    // Where the title is the contact's name, it is not repeated.
    expect(await card('Noah Becker').getByTestId('card-contact').count()).toBe(0);
    await waitForValue(
      () => owner.getByTestId('column-count').allInnerTexts(),
      (texts) => texts.length === 8 && texts.every((t) => /^\d+$/.test(t)),
    );
    const countsBefore = (await owner.getByTestId('column-count').allInnerTexts()).map(Number);
    const totalBefore = countsBefore.reduce((sum, n) => sum + n, 0);
    expect(totalBefore).toBeGreaterThanOrEqual(11);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'board');

    await owner.getByRole('combobox', { name: 'Assignee' }).click();
    await owner.getByRole('option', { name: 'Priya Shah' }).click();
    await owner.waitForURL(/assigneeId=/);
    const countsAfter = await waitForValue(
      async () => (await owner.getByTestId('column-count').allInnerTexts()).map(Number),
      (counts) => counts.reduce((sum, n) => sum + n, 0) < totalBefore,
    );
    // Every card is loaded (a handful per column): the sums are the cards' sums.
    for (let index = 0; index < 8; index++) {
      const column = columns.nth(index);
      const cards = column.getByTestId('board-card');
      await waitForCount(cards, (n) => n === countsAfter[index]);
      const cardValues = (await cards.getByTestId('card-value').allInnerTexts()).map(euros);
      const total = euros(await column.getByTestId('column-total').innerText());
      expect(total).toBeCloseTo(
        cardValues.reduce((sum, value) => sum + value, 0),
        2,
      );
      for (const card of await cards.allInnerTexts()) expect(card).toContain('Priya Shah');
    }
    // Emma Hoffmann (Priya's) is in Consultation Scheduled with Noah Becker (Jonas'): the
    // column's total now is hers alone.
    const scheduled = owner.locator(
      '[data-testid="board-column"][data-stage-name="Consultation Scheduled"]',
    );
    await scheduled.getByText('Emma Hoffmann').waitFor();
    expect(await scheduled.getByText('Noah Becker').count()).toBe(0);
    const scheduledTotal = await scheduled.getByTestId('column-total').innerText();
    expect(scheduledTotal.replace(/\s/g, ' ')).toBe('5.200,00 €');
    await expectAccessible(owner);
  });
});
