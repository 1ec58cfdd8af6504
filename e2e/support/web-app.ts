// Helpers for the web app's journeys: sign in through the page, call the API as the signed-in
// member, check accessibility with axe-core, and save screenshots (to docs/screenshots when
// UPDATE_DOC_SCREENSHOTS=1).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { saveScreenshot } from './browser.js';

const DOC_SCREENSHOT_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'docs',
  'screenshots',
);

export const DEMO_PASSWORD = 'demo-leadkeeper';
export const demoUser = (local: string) => `${local}@demo.leadkeeper.test`;

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
}

// The few DOM types the check below needs; this Node project does not load the DOM library.
interface PageAnimation {
  playState: string;
  effect: { getComputedTiming(): { endTime?: number | string } } | null;
}

/** Runs in the page: true once every finite animation (not a spinner's) is over. */
function finiteAnimationsOver(): boolean {
  const page = globalThis as unknown as { document: { getAnimations(): PageAnimation[] } };
  return page.document
    .getAnimations()
    .every(
      (animation) =>
        animation.playState !== 'running' ||
        animation.effect?.getComputedTiming().endTime === Infinity,
    );
}

/** Fails on any serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  // Mid-fade a toast's text is partly transparent and axe would measure it so; check the page
  // once its finite animations (not spinners) are over.
  await page.waitForFunction(finiteAnimationsOver);
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      help: violation.help,
      nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')),
    }));
  expect(blocking).toEqual([]);
}

/** A screenshot of the viewport for the README, or of the page for the e2e run's record. */
export async function saveDocScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_DOC_SCREENSHOTS !== '1') {
    await saveScreenshot(page, `web-${name}`);
    return;
  }
  await mkdir(DOC_SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(DOC_SCREENSHOT_DIR, `web-${name}.png`) });
}

/** Drags with the mouse in small steps, as dnd-kit's pointer sensor needs real movement. */
export async function dragTo(page: Page, from: string, to: string): Promise<void> {
  const source = await page.locator(from).first().boundingBox();
  const target = await page.locator(to).first().boundingBox();
  if (!source || !target) throw new Error(`Cannot drag ${from} to ${to}: not visible`);
  await page.mouse.move(source.x + source.width / 2, source.y + 20);
  await page.mouse.down();
  await page.mouse.move(source.x + source.width / 2 + 10, source.y + 30, { steps: 5 });
  await page.mouse.move(target.x + target.width / 2, target.y + 60, { steps: 20 });
  await page.mouse.up();
}

/** Waits until the locator's count satisfies the predicate (lists refetch asynchronously). */
export async function waitForCount(
  locator: Locator,
  predicate: (count: number) => boolean,
  timeoutMs = 10_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const count = await locator.count();
    if (predicate(count)) return count;
    if (Date.now() > until) throw new Error(`Count ${count} did not reach the expected value`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `read` until `predicate` holds for what it returns (pages refetch asynchronously). */
export async function waitForValue<T>(
  read: () => Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() > until) {
      throw new Error(`Still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Calls the API from the page as its signed-in member (session cookie and CSRF token). */
export function callApi(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
  ifMatch?: number,
): Promise<ApiAnswer> {
  return page.evaluate(
    async ({ method, path, body, ifMatch }) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const headers: Record<string, string> = { 'x-csrf-token': me.csrfToken };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
      const response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    { method, path, body, ifMatch },
  );
}

/** callApi that expects a 2xx answer and returns its body. */
export async function apiOk<T>(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const answer = await callApi(page, method, path, body);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
  return answer.body as T;
}
