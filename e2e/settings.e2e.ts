// The settings pages in a real Chromium against the built server and the demo workspace (an
// orthodontic clinic, de-DE/EUR): what each role sees, stages reordered by keyboard and by drag,
// sources with a cost, custom fields and the server's refusals, tokens and invites shown once,
// presets, and a locale change that reformats money on other pages.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  demoUser,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForCount,
  waitForValue,
} from './support/web-app.js';

const EURO_DE = /\d{1,3}(\.\d{3})*,\d{2}\s€/;
const EURO_US = /€\d{1,3}(,\d{3})*\.\d{2}/;

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
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: server.baseUrl,
  });
  contexts.push(context);
  return context.newPage();
}

function stageOrder(page: Page): Promise<string[]> {
  return page
    .getByTestId('stage-row')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-stage-name') ?? ''));
}

function isReorder(response: { url(): string; request(): { method(): string } }): boolean {
  return response.url().endsWith('/stages/reorder') && response.request().method() === 'PUT';
}

/**
 * Drags the stage row `from` by its handle onto the row `to`: the pointer moves (in steps, as
 * dnd-kit needs real movement) by the distance between the two rows' centres.
 */
async function dragStageOnto(page: Page, from: string, to: string): Promise<void> {
  const row = (name: string) =>
    page.locator(`[data-testid="stage-row"][data-stage-name="${name}"]`);
  const source = await row(from).boundingBox();
  const target = await row(to).boundingBox();
  const handle = await row(from).getByTestId('stage-drag-handle').boundingBox();
  if (!source || !target || !handle) throw new Error(`Cannot drag ${from} onto ${to}`);
  const x = handle.x + handle.width / 2;
  const y = handle.y + handle.height / 2;
  const dy = target.y + target.height / 2 - (source.y + source.height / 2);
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y + Math.sign(dy) * 10, { steps: 4 });
  await page.mouse.move(x, y + dy, { steps: 20 });
  await page.mouse.up();
}

// This Node project has no DOM types: page code reaches the window through an element.
async function scrollToTop(page: Page): Promise<void> {
  await page.locator('body').evaluate((body) => body.ownerDocument.defaultView.scrollTo(0, 0));
}

/** Closes the toasts, so a screenshot shows the page. */
async function closeToasts(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: 'Close notification' });
  for (const button of await close.all()) await button.click();
  await waitForCount(close, (count) => count === 0);
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
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

describe('settings', () => {
  it('opens the first section and lists every section for the owner', async () => {
    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings' })
      .click();
    await owner.waitForURL(/\/settings\/workspace$/);
    await owner.getByRole('heading', { name: 'Workspace', level: 2 }).waitFor();
    const sections = await owner
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link')
      .allInnerTexts();
    expect(sections).toEqual([
      'Workspace',
      'Pipelines and stages',
      'Sources',
      'Lost reasons',
      'Custom fields',
      'Forms',
      'Templates',
      'Suppression list',
      'Assignment',
      'Automation',
      'Scoring',
      'Users and roles',
      'API tokens',
      'Out of office',
      'Webhooks',
      'Data',
      'Presets',
    ]);
    expect(await owner.getByLabel('Workspace name').inputValue()).toBe(
      'Bright Smiles Orthodontics (demo)',
    );
    await checkAccessible(owner);
  });

  it('adds a stage, reorders it by keyboard and by drag, and the order stays after a reload', async () => {
    await owner.goto('/settings/pipelines');
    await owner.getByRole('tab', { name: /New patients/ }).waitFor();
    await owner.getByTestId('stage-row').first().waitFor();
    const before = await stageOrder(owner);
    expect(before.slice(0, 2)).toEqual(['New Lead', 'Contacted']);
    expect(before.at(-1)).toBe('Lost');

    await owner.getByRole('button', { name: 'Add stage' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New stage in New patients' });
    await dialog.getByLabel('Name').fill('X-ray review');
    await dialog.getByLabel('Max days in stage').fill('5');
    await checkAccessible(owner);
    await dialog.getByRole('button', { name: 'Add stage' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForValue(
      () => stageOrder(owner),
      (order) => order.at(-1) === 'X-ray review',
    );

    // Keyboard: the move-up button, pressed twice with Enter; focus stays on it.
    const up = owner.getByRole('button', { name: 'Move X-ray review up' });
    await up.focus();
    for (let press = 0; press < 2; press++) {
      const [response] = await Promise.all([
        owner.waitForResponse(isReorder),
        owner.keyboard.press('Enter'),
      ]);
      expect(response.status()).toBe(200);
    }
    await waitForValue(
      async () => (await stageOrder(owner)).slice(-3).join(' / '),
      (order) => order === 'X-ray review / Treatment Started / Lost',
    );
    expect(await up.evaluate((button) => button.ownerDocument.activeElement === button)).toBe(true);

    // Keyboard through dnd-kit itself: pick up by the handle, one row up, drop.
    const handle = owner
      .locator('[data-testid="stage-row"][data-stage-name="X-ray review"]')
      .getByTestId('stage-drag-handle');
    const announced = owner.locator('[id^="DndLiveRegion"]');
    await handle.focus();
    await owner.keyboard.press('Space');
    await announced.getByText('X-ray review is over position 7 of 9.').waitFor();
    await owner.keyboard.press('ArrowUp');
    await announced.getByText('X-ray review is over position 6 of 9.').waitFor();
    const [keyDrop] = await Promise.all([
      owner.waitForResponse(isReorder),
      owner.keyboard.press('Space'),
    ]);
    expect(keyDrop.status()).toBe(200);
    await waitForValue(
      async () => (await stageOrder(owner)).slice(-4).join(' / '),
      (order) => order === 'X-ray review / Treatment Accepted / Treatment Started / Lost',
    );

    // Pointer: drag the row onto "Contacted", which it replaces at position 2. A tall window
    // keeps both rows clear of the edges, where dnd-kit would scroll the page mid-drag.
    await owner.setViewportSize({ width: 1280, height: 1300 });
    await scrollToTop(owner);
    const [dropped] = await Promise.all([
      owner.waitForResponse(isReorder),
      dragStageOnto(owner, 'X-ray review', 'Contacted'),
    ]);
    expect(dropped.status()).toBe(200);
    const expected = ['New Lead', 'X-ray review', 'Contacted'];
    await waitForValue(
      async () => (await stageOrder(owner)).slice(0, 3).join(' / '),
      (order) => order === expected.join(' / '),
    );
    await owner.setViewportSize({ width: 1280, height: 800 });

    await owner.reload();
    await owner.getByTestId('stage-row').first().waitFor();
    const persisted = await stageOrder(owner);
    expect(persisted.slice(0, 3)).toEqual(expected);
    expect(persisted).toHaveLength(before.length + 1);
    await checkAccessible(owner);
    await saveDocScreenshot(owner, 'settings-pipelines');

    // The board shows the stages in the new order.
    await owner.goto('/board');
    const columns = owner.getByTestId('board-column');
    await columns.first().waitFor();
    const boardOrder = await columns.evaluateAll((nodes) =>
      nodes.map((node) => node.getAttribute('data-stage-name') ?? ''),
    );
    expect(boardOrder.slice(0, 3)).toEqual(expected);
  });

  it("says why a stage with leads can't be removed", async () => {
    await owner.goto('/settings/pipelines');
    await owner.getByTestId('stage-row').first().waitFor();
    await owner
      .locator('[data-testid="stage-row"][data-stage-name="New Lead"]')
      .getByRole('button', { name: 'Remove New Lead' })
      .click();
    const dialog = owner.getByRole('dialog', { name: 'Remove stage “New Lead”?' });
    const [response] = await Promise.all([
      owner.waitForResponse(
        (r) => r.request().method() === 'DELETE' && r.url().includes('/stages/'),
      ),
      dialog.getByRole('button', { name: 'Remove stage' }).click(),
    ]);
    expect(response.status()).toBe(409);
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/lead\(s\) are in this stage; move them/);
    await dialog.getByRole('link', { name: 'Open the leads in New Lead to move them' }).waitFor();
    await checkAccessible(owner);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await stageOrder(owner)).toContain('New Lead');
  });

  it('adds a source with a monthly cost in the workspace currency, and quick entry offers it', async () => {
    await owner.goto('/settings/sources');
    await owner.getByTestId('source-row').first().waitFor();
    const form = owner.getByRole('form', { name: 'New source' });
    await form.getByLabel(/^Name/).fill('Radio ad');
    await form.getByRole('combobox', { name: 'Category' }).click();
    await owner.getByRole('option', { name: 'Print ad' }).click();
    // Not an amount: the client refuses it before the server sees it.
    await form.getByLabel('Monthly cost (EUR)').fill('lots');
    await form.getByRole('button', { name: 'Add source' }).click();
    await form.getByText(/^Enter an amount such as 1\.234,50$/).waitFor();
    await form.getByLabel('Monthly cost (EUR)').fill('1.234,50');
    const [created] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().endsWith('/api/lead-sources') && r.request().method() === 'POST',
      ),
      form.getByRole('button', { name: 'Add source' }).click(),
    ]);
    expect(created.status()).toBe(201);
    expect((await created.json()).monthlyCost).toBe(123450);
    const row = owner.getByTestId('source-row').filter({ hasText: 'Radio ad' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/1\.234,50\s€/);
    expect(await row.innerText()).toContain('Print ad');
    expect(await form.getByLabel(/^Name/).inputValue()).toBe('');
    await checkAccessible(owner);

    // Reference data is refreshed: quick entry offers the new source at once.
    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Quick entry' })
      .click();
    await owner.getByRole('heading', { name: 'New inquiry', level: 1 }).waitFor();
    await owner.getByText('Radio ad', { exact: true }).waitFor();

    // Deactivated, it leaves the pickers.
    await owner.goto('/settings/sources');
    // By keyboard: the switch is operable without a pointer.
    await owner.getByRole('switch', { name: 'Active: Radio ad' }).focus();
    await owner.keyboard.press('Space');
    await owner.getByText('Radio ad deactivated').waitFor();
    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Quick entry' })
      .click();
    await owner.getByRole('heading', { name: 'New inquiry', level: 1 }).waitFor();
    await owner.getByText('Instagram / Facebook', { exact: true }).waitFor();
    expect(await owner.getByText('Radio ad', { exact: true }).count()).toBe(0);
  });

  it('keeps a lost reason list in order: add, move up, deactivate', async () => {
    await owner.goto('/settings/lost-reasons');
    const rows = owner.getByTestId('lost-reason-row');
    await rows.first().waitFor();
    await owner.getByLabel('New lost reason').fill('Moved away');
    await owner.getByRole('button', { name: 'Add reason' }).click();
    await waitForValue(
      () => rows.allInnerTexts(),
      (texts) => texts.at(-1)?.includes('Moved away') ?? false,
    );
    const count = await rows.count();
    await owner.getByRole('button', { name: 'Move Moved away up' }).click();
    await waitForValue(
      () => rows.nth(count - 2).innerText(),
      (text) => text.includes(`${count - 1}. Moved away`),
    );
    await owner.getByRole('switch', { name: 'Active: Moved away' }).focus();
    await owner.keyboard.press('Space');
    await rows.filter({ hasText: 'Moved away' }).getByText('Inactive').waitFor();
    await checkAccessible(owner);
  });

  it('adds a custom field; server refusals show at the field and the form keeps its data', async () => {
    await owner.goto('/settings/custom-fields?type=contact');
    await owner.getByRole('button', { name: 'New field' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New contact field' });
    await dialog.getByLabel(/^Label/).fill('Referring dentist');
    expect(await dialog.getByLabel('Key').inputValue()).toBe('referring_dentist');
    await dialog.getByRole('combobox', { name: 'Type' }).click();
    await owner.getByRole('option', { name: 'One of a list' }).click();
    await dialog.getByRole('button', { name: 'Remove option 1' }).click();
    await dialog.getByLabel('Help text').fill('Who sent the patient');

    // A select field without options passes the shared schema; the server refuses it (422).
    const [refused] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().endsWith('/api/custom-fields') && r.request().method() === 'POST',
      ),
      dialog.getByRole('button', { name: 'Add field' }).click(),
    ]);
    expect(refused.status()).toBe(422);
    await dialog
      .getByTestId('options-error')
      .getByText('A select field needs at least one option.')
      .waitFor();
    await owner.getByText('Not saved', { exact: true }).first().waitFor();
    expect(await dialog.getByLabel(/^Label/).inputValue()).toBe('Referring dentist');
    expect(await dialog.getByLabel('Help text').inputValue()).toBe('Who sent the patient');
    await checkAccessible(owner);

    await dialog.getByRole('button', { name: 'Add an option' }).click();
    await dialog.getByLabel('Option 1 label').fill('Dr. Weber');
    expect(await dialog.getByLabel('Option 1 stored value').inputValue()).toBe('dr_weber');
    await dialog.getByRole('button', { name: 'Add field' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = owner.getByTestId('custom-field-row').filter({ hasText: 'Referring dentist' });
    await row.waitFor();
    expect(await row.innerText()).toContain('One of a list (1)');

    // The same key again: the server's conflict (409) lands on the key field.
    await owner.getByRole('button', { name: 'New field' }).click();
    await dialog.getByLabel(/^Label/).fill('Referring dentist');
    const [conflict] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().endsWith('/api/custom-fields') && r.request().method() === 'POST',
      ),
      dialog.getByRole('button', { name: 'Add field' }).click(),
    ]);
    expect(conflict.status()).toBe(409);
    await dialog.getByText('A contact field with the key "referring_dentist" exists.').waitFor();
    expect(await dialog.getByLabel('Key').getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByLabel(/^Label/).inputValue()).toBe('Referring dentist');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Archive and restore.
    await row.getByRole('button', { name: 'Archive Referring dentist' }).click();
    await owner
      .getByRole('dialog', { name: 'Archive “Referring dentist”?' })
      .getByRole('button', { name: 'Archive field' })
      .click();
    await row.waitFor({ state: 'detached' });
    await owner.getByLabel('Show archived fields').check();
    await row.getByRole('button', { name: 'Restore Referring dentist' }).click();
    await row.getByRole('button', { name: 'Edit Referring dentist' }).waitFor();
  });

  it('creates an API token, shows its secret once, and revokes it', async () => {
    await owner.goto('/settings/api-tokens');
    await owner.getByLabel('Token name').fill('Website form');
    await owner.getByRole('combobox', { name: 'Acts as' }).click();
    await owner.getByRole('option', { name: 'Front desk' }).click();
    await owner.getByRole('button', { name: 'Create token' }).click();
    const secret = owner.getByTestId('secret-once');
    await secret.waitFor();
    const token = (await secret.getByTestId('secret-value').innerText()).trim();
    expect(token).toMatch(/^lk/);
    await secret.getByRole('button', { name: 'Copy' }).click();
    await secret.getByRole('button', { name: 'Copied' }).waitFor();
    expect(
      await owner
        .locator('body')
        .evaluate((body) => body.ownerDocument.defaultView.navigator.clipboard.readText()),
    ).toBe(token);
    await checkAccessible(owner);

    const asToken = (value: string) =>
      owner.evaluate(
        async (bearer) =>
          (
            await fetch('/api/me', {
              credentials: 'omit',
              headers: { authorization: `Bearer ${bearer}` },
            })
          ).status,
        value,
      );
    expect(await asToken(token)).toBe(200);

    // Once: after leaving the page the secret is gone; the list shows its first characters.
    await owner.goto('/settings/workspace');
    await owner.goto('/settings/api-tokens');
    const row = owner.getByTestId('api-token-row').filter({ hasText: 'Website form' });
    await row.waitFor();
    expect(await owner.getByTestId('secret-once').count()).toBe(0);
    expect(await owner.content()).not.toContain(token);
    expect(await row.innerText()).toContain(token.slice(0, 10));
    expect(await row.innerText()).toContain('Front desk');

    await row.getByRole('button', { name: 'Revoke Website form' }).click();
    const confirm = owner.getByRole('dialog', { name: 'Revoke “Website form”?' });
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await asToken(token)).toBe(401);
  });

  it('adds a person with a one-time invite link and changes their role', async () => {
    await owner.goto('/settings/users');
    await owner.getByTestId('member-row').first().waitFor();
    await owner.getByRole('button', { name: 'Add person' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Add a person' });
    await dialog.getByLabel('Name').fill('Lena Vogel');
    await dialog.getByLabel('Email').fill('lena.vogel@demo.leadkeeper.test');
    await dialog.getByRole('button', { name: 'Add person' }).click();
    const invite = owner.getByTestId('secret-once');
    await invite.waitFor();
    expect(await invite.innerText()).toContain('shown only this once');
    expect(await invite.getByTestId('secret-value').innerText()).toMatch(/\/invite\?token=/);
    const row = owner.getByTestId('member-row').filter({ hasText: 'Lena Vogel' });
    await row.getByText('Invited').waitFor();

    await row.getByRole('combobox', { name: 'Role of Lena Vogel' }).click();
    await owner.getByRole('option', { name: 'Front desk' }).click();
    await owner.getByText('Lena Vogel is now front desk').waitFor();
    await checkAccessible(owner);
    await closeToasts(owner);
    await saveDocScreenshot(owner, 'settings-users');
    await invite.getByRole('button', { name: 'I have stored it' }).click();

    // The last admin can't lose the role: the server says so.
    await owner
      .getByTestId('member-row')
      .filter({ hasText: 'Dr. Amelia Hart' })
      .getByRole('combobox', { name: 'Role of Dr. Amelia Hart' })
      .click();
    await owner.getByRole('option', { name: 'Manager' }).click();
    await owner.getByText(/at least one active admin/).waitFor();
  });

  it('applies a preset after a confirm that says what it adds', async () => {
    await owner.goto('/settings/presets');
    await owner.getByTestId('preset-card').first().waitFor();
    await owner.getByRole('button', { name: 'Apply Home services' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Apply “Home services”?' });
    await dialog.getByText(/the pipeline “.+” with \d+ stages/).waitFor();
    await checkAccessible(owner);
    await dialog.getByRole('button', { name: 'Apply preset' }).click();
    await owner.getByText(/^Added 1 pipeline, \d+ sources/).waitFor();
    await owner
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: 'Pipelines and stages' })
      .click();
    await waitForValue(
      () => owner.getByRole('tab').count(),
      (tabs) => tabs === 2,
    );
  });

  it('changes the locale, and money on other pages follows without a reload', async () => {
    await owner.goto('/leads');
    const firstRow = owner.getByTestId('lead-list-row').first();
    await firstRow.waitFor();
    expect(await firstRow.innerText()).toMatch(EURO_DE);

    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings' })
      .click();
    await owner.getByLabel('Workspace name').waitFor();
    await owner.getByRole('combobox', { name: /^Locale/ }).click();
    await owner.getByRole('option', { name: /^en-US/ }).click();
    await owner
      .getByTestId('format-preview')
      .getByText(/€12,500\.00/)
      .waitFor();
    // Business hours: open on Saturday morning.
    await owner.getByLabel('Open on Saturday').check();
    await owner.getByLabel('Saturday closes').fill('12:00');
    await scrollToTop(owner);
    await saveDocScreenshot(owner, 'settings-workspace');
    await owner.getByRole('button', { name: 'Save workspace' }).click();
    await owner.getByText('Workspace settings saved').waitFor();

    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Leads' })
      .click();
    await waitForValue(
      () => owner.getByTestId('lead-list-row').first().innerText(),
      (text) => EURO_US.test(text) && !EURO_DE.test(text),
    );

    // Stored as sent, and back to German.
    const workspace = await owner.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as {
        workspace: { locale: string; businessHours: Record<string, unknown> };
      };
      return me.workspace;
    });
    expect(workspace.locale).toBe('en-US');
    expect(workspace.businessHours['6']).toEqual([{ start: '09:00', end: '12:00' }]);
    await owner
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings' })
      .click();
    await owner.getByRole('combobox', { name: /^Locale/ }).click();
    await owner.getByRole('option', { name: /^de-DE/ }).click();
    await owner.getByRole('button', { name: 'Save workspace' }).click();
    await owner.getByText('Workspace settings saved').first().waitFor();
  });

  it('shows a manager no people section, and an agent only their tokens', async () => {
    const manager = await newPage();
    await signIn(manager, demoUser('manager'));
    await manager.goto('/settings');
    await manager.waitForURL(/\/settings\/workspace$/);
    const managerSections = await manager
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link')
      .allInnerTexts();
    expect(managerSections).not.toContain('Users and roles');
    expect(managerSections).toContain('Pipelines and stages');
    await manager.goto('/settings/users');
    await manager.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await checkAccessible(manager);

    const agent = await newPage();
    await signIn(agent, demoUser('coordinator'));
    await agent.goto('/settings');
    await agent.waitForURL(/\/settings\/api-tokens$/);
    const agentSections = await agent
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link')
      .allInnerTexts();
    expect(agentSections).toEqual(['API tokens', 'Out of office']);
    // An agent's token can't outrank them.
    await agent.getByRole('combobox', { name: 'Acts as' }).click();
    const roles = await agent.getByRole('option').allInnerTexts();
    expect(roles).not.toContain('Admin');
    expect(roles).not.toContain('Manager');
    expect(roles).toContain('Agent');
    await agent.keyboard.press('Escape');
    await checkAccessible(agent);
    for (const path of [
      'workspace',
      'pipelines',
      'sources',
      'custom-fields',
      'users',
      'presets',
      'automation',
    ]) {
      await agent.goto(`/settings/${path}`);
      await agent.getByRole('heading', { name: 'Not allowed' }).waitFor();
    }
  });

  it('adds an assignment rule over two members, and an agent plans an absence', async () => {
    await owner.goto('/settings/assignment');
    await owner.getByRole('heading', { name: 'Assignment', level: 2 }).waitFor();
    await owner.getByRole('button', { name: 'Add rule' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New assignment rule' });
    const form = dialog.getByRole('form', { name: 'New assignment rule' });
    // Without members the client refuses before the server sees it.
    await form.getByLabel(/^Name/).fill('Front line');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByText('Choose at least one member').waitFor();
    const members = form.getByLabel(/^Members, in turn/);
    await members.click();
    const options = owner.getByRole('option');
    await options.first().waitFor();
    const chosen = (await options.allInnerTexts()).slice(0, 2);
    for (const name of chosen) await owner.getByRole('option', { name }).click();
    await owner.keyboard.press('Escape');
    const [created] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().endsWith('/api/assignment-rules') && r.request().method() === 'POST',
      ),
      form.getByRole('button', { name: 'Add rule' }).click(),
    ]);
    expect(created.status()).toBe(201);
    const row = owner.getByTestId('assignment-rule-row').filter({ hasText: 'Front line' });
    await row.waitFor();
    expect(await row.innerText()).toContain(chosen.join(', '));
    await owner.getByRole('table', { name: 'Workload per member' }).waitFor();
    await closeToasts(owner);
    await checkAccessible(owner);
    await saveDocScreenshot(owner, 'settings-assignment');
    await owner.reload();
    await owner.getByTestId('assignment-rule-row').filter({ hasText: 'Front line' }).waitFor();

    const agent = await newPage();
    await signIn(agent, demoUser('coordinator'));
    await agent.goto('/settings/out-of-office');
    await agent.getByRole('heading', { name: 'Out of office', level: 2 }).waitFor();
    const absence = agent.getByRole('form', { name: 'New absence' });
    await absence.getByLabel('Note').fill('Conference');
    const [saved] = await Promise.all([
      agent.waitForResponse(
        (r) => r.url().endsWith('/availability') && r.request().method() === 'PUT',
      ),
      absence.getByRole('button', { name: 'Add absence' }).click(),
    ]);
    expect(saved.status()).toBe(200);
    await agent.getByTestId('absence-row').filter({ hasText: 'Conference' }).waitFor();
    await closeToasts(agent);
    await checkAccessible(agent);
  });

  it("lists the preset's automation rules, switches one off and builds a new one", async () => {
    await owner.goto('/settings/automation');
    await owner.getByRole('heading', { name: 'Automation', level: 2 }).waitFor();
    const speed = owner
      .getByTestId('automation-rule-row')
      .filter({ hasText: 'Speed to lead: call a new lead' });
    await speed.waitFor();
    const toggle = speed.getByRole('switch', { name: 'Active: Speed to lead: call a new lead' });
    expect(await toggle.isChecked()).toBe(true);
    const [switched] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().includes('/api/automation-rules/') && r.request().method() === 'PATCH',
      ),
      toggle.click({ force: true }),
    ]);
    expect(switched.status()).toBe(200);
    await waitForValue(
      () => toggle.isChecked(),
      (checked) => !checked,
    );

    await owner.getByRole('button', { name: 'Add rule' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New automation rule' });
    const form = dialog.getByRole('form', { name: 'New automation rule' });
    await form.getByLabel(/^Name/).fill('Tag walk-ins');
    await form.getByRole('button', { name: 'Remove action 1' }).click();
    await form.getByLabel('Add an action', { exact: true }).click();
    await owner.getByRole('option', { name: 'Add a tag' }).click();
    // An empty tag: the server refuses and the form says where.
    const [refused] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().endsWith('/api/automation-rules') && r.request().method() === 'POST',
      ),
      form.getByRole('button', { name: 'Add rule' }).click(),
    ]);
    expect(refused.status()).toBe(422);
    await form.getByRole('alert').filter({ hasText: 'actions.0.tag' }).waitFor();
    await form.getByLabel('Action 1: tag').fill('walk-in');
    const [created] = await Promise.all([
      owner.waitForResponse(
        (r) => r.url().endsWith('/api/automation-rules') && r.request().method() === 'POST',
      ),
      form.getByRole('button', { name: 'Add rule' }).click(),
    ]);
    expect(created.status()).toBe(201);
    const row = owner.getByTestId('automation-rule-row').filter({ hasText: 'Tag walk-ins' });
    await row.waitFor();
    expect(await row.innerText()).toContain('A lead is created');
    await owner.getByRole('heading', { name: 'Run log' }).waitFor();
    await waitForCount(owner.locator('[aria-busy="true"]'), (n) => n === 0);
    await row.getByRole('button', { name: 'Runs of Tag walk-ins' }).click();
    const runs = owner.getByRole('dialog', { name: 'Runs of “Tag walk-ins”' });
    await runs.getByText('No runs yet.').waitFor();
    await owner.keyboard.press('Escape');
    await closeToasts(owner);
    await checkAccessible(owner);
    await saveDocScreenshot(owner, 'settings-automation');
  });

  it('passes axe on every section', async () => {
    for (const path of [
      'workspace',
      'pipelines',
      'sources',
      'lost-reasons',
      'custom-fields',
      'users',
      'api-tokens',
      'assignment',
      'out-of-office',
      'presets',
      // automation: checked by its own test above (this loop is near its time limit).
    ]) {
      await owner.goto(`/settings/${path}`);
      await owner.getByRole('heading', { level: 2 }).first().waitFor();
      // A section may show several loading placeholders at once (assignment: rules and workload).
      await waitForCount(owner.locator('[aria-busy="true"]'), (n) => n === 0);
      await checkAccessible(owner);
    }
    await owner.goto('/settings/nothing-here');
    await owner.getByRole('heading', { name: 'Not found' }).waitFor();
  });
});
