// CSV import in a real Chromium against the built server (its job workers run the import) and
// the demo workspace: from the leads list to the Import page, a file chosen, its columns
// recognised, the import run to the end with its progress shown, and the leads in the list.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import {
  demoUser,
  expectAccessible,
  saveDocScreenshot,
  signIn,
  waitForValue,
} from './support/web-app.js';

const CSV = [
  'First Name,Last Name,Email Address,Mobile Phone,Company Name,Lead Source,Lead Status',
  'Imke,Importberg,imke@importberg.example,+49 170 5550101,Importberg GmbH,Website,New',
  'Ivo,Importberg,ivo@importberg.example,,Importberg GmbH,,Closed - Converted',
  'Broken,Row,not-an-email,,,,',
].join('\n');

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let owner: Page;

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

describe('CSV import', () => {
  it('imports a CSV from the leads list and shows its progress, report and leads', async () => {
    await owner.goto('/leads');
    await owner.getByRole('heading', { name: 'Leads', level: 1 }).waitFor();
    await owner.getByRole('link', { name: 'Import', exact: true }).click();
    await owner.getByRole('heading', { name: 'Import', level: 1 }).waitFor();

    await owner.locator('input[type="file"]').setInputFiles({
      name: 'trade-fair.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    const columns = owner.getByRole('region', { name: 'Columns' });
    await columns.waitFor();
    // Mantine's Select has a visible input and a hidden one with the value.
    const field = (header: string) =>
      owner.locator(`input[aria-label="Field for column ${header}"]:visible`);
    await expect.poll(() => field('Email Address').inputValue()).toBe('Email');
    expect(await field('Lead Status').inputValue()).toContain('Status / outcome');
    await owner.getByLabel('Save this mapping as').fill('Trade fair list');
    await owner.getByRole('button', { name: 'Save mapping' }).click();
    await owner.getByText('Saved.').waitFor();
    await owner.mouse.move(1200, 880);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'import-mapping');

    await owner.getByRole('button', { name: 'Import', exact: true }).click();
    const progress = owner.getByRole('region', { name: 'Import progress' });
    await progress.waitFor();
    await waitForValue(
      () => progress.innerText(),
      // The badge shows its status in capitals.
      (text) => text.toLowerCase().includes('completed'),
      40_000,
    );
    const text = await progress.innerText();
    expect(text).toContain('3 of 3 rows');
    expect(text).toContain('Created 2');
    expect(text).toContain('failed 1');
    expect(text).toContain('Download the report (CSV)');
    await owner.mouse.move(1200, 880);
    await expectAccessible(owner);
    await saveDocScreenshot(owner, 'import-done');

    await owner.goto('/leads?q=Importberg');
    await waitForValue(
      () => owner.getByRole('region', { name: 'Leads table' }).innerText(),
      (table) => table.includes('Imke Importberg') && table.includes('Ivo Importberg'),
    );
  });
});
