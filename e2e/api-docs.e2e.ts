// The API reference renders in a real browser under the server's Content-Security-Policy.
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, saveScreenshot } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

// A name that is not "potentially trustworthy" (unlike 127.0.0.1 or localhost), as when the
// server is reached on a LAN address over plain HTTP; Chromium resolves it to loopback.
const LAN_HOST = 'leadkeeper.test';
const OPERATIONS = ['/api/health', '/api/auth/login', '/api/me'];

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser([`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Visit {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
}

async function openDocs(baseUrl: string): Promise<Visit> {
  const page = await browser.newPage({ baseURL: baseUrl });
  const visit: Visit = { page, consoleErrors: [], pageErrors: [], failedRequests: [] };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') visit.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => visit.pageErrors.push(error.message));
  page.on('requestfailed', (request) =>
    visit.failedRequests.push(`${request.url()} (${request.failure()?.errorText ?? 'failed'})`),
  );
  const response = await page.goto('/api/docs');
  expect(response?.status()).toBe(200);
  return visit;
}

async function waitForOperations(page: Page, timeout = 20_000): Promise<void> {
  const paths = page.locator('.opblock-summary-path');
  for (const path of OPERATIONS) {
    await paths
      .filter({ hasText: new RegExp(`^${path}$`) })
      .first()
      .waitFor({ state: 'visible', timeout });
  }
}

const isCspMessage = (text: string) => /content security policy/i.test(text);

describe('API documentation at /api/docs', () => {
  let local: Visit;

  beforeAll(async () => {
    local = await openDocs(server.baseUrl);
  });

  it('renders the operations with Swagger UI', async () => {
    await waitForOperations(local.page);
    await expect(
      local.page.getByRole('heading', { name: /Leadkeeper API/ }).isVisible(),
    ).resolves.toBe(true);
    await saveScreenshot(local.page, 'api-docs-01-swagger-ui');
  });

  it('breaks no Content-Security-Policy rule', () => {
    expect(local.consoleErrors.filter(isCspMessage)).toEqual([]);
  });

  it('logs no other errors while rendering', () => {
    expect(local.pageErrors).toEqual([]);
    expect(local.failedRequests).toEqual([]);
    expect(local.consoleErrors.filter((text) => !isCspMessage(text))).toEqual([]);
  });

  it('sends no upgrade-insecure-requests, like the rest of the plain-HTTP server', async () => {
    const response = await fetch(`${server.baseUrl}/api/docs`);
    await response.body?.cancel();
    expect(response.headers.get('content-security-policy')).not.toMatch(
      /upgrade-insecure-requests/,
    );
  });

  it('renders when reached by host name over plain HTTP', async () => {
    const port = new URL(server.baseUrl).port;
    const remote = await openDocs(`http://${LAN_HOST}:${port}`);
    try {
      await waitForOperations(remote.page, 10_000);
    } catch (error) {
      // Say why it stayed blank: the browser's own messages name the blocked requests.
      const messages = [
        ...remote.failedRequests.map((failure) => `request failed: ${failure}`),
        ...remote.pageErrors,
        ...remote.consoleErrors,
      ].join('\n  ');
      throw new Error(`Swagger UI did not render at ${remote.page.url()}:\n  ${messages}`, {
        cause: error,
      });
    } finally {
      await saveScreenshot(remote.page, 'api-docs-02-by-host-name');
    }
    expect(remote.pageErrors).toEqual([]);
  });
});
