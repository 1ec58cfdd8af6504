// Serves the built web app (dist/web, made by `vite build`): hashed files under /assets/ and
// index.html at `/` and at every other GET path the server does not know (the app's own
// routes, e.g. /leads/…). /api/* keeps its problem+json 404s. Without a build the server runs
// as before and `/` shows the setup module's plain page.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from './types.js';

// Same place from src/server/platform/http (tsx) and dist/server/platform/http (built).
export const WEB_APP_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../dist/web',
);

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;
// A path with a file extension is a file; a missing one stays a 404, not the app.
const LOOKS_LIKE_FILE = /\/[^/]*\.[a-z0-9]+$/i;

export async function registerWebApp(app: App, root = WEB_APP_DIR): Promise<void> {
  const indexFile = path.join(root, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.debug(`No web app build in ${root}; run "npm run build" to serve it.`);
    return;
  }
  const indexHtml = await readFile(indexFile, 'utf8');

  // Vite names every asset by its content hash, so browsers may keep them for good.
  await app.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    // One route per built file, so a missing file is a plain 404 (a wildcard route would
    // make the 405 check answer "use GET" for it).
    wildcard: false,
    index: false,
    // `npm run build` writes .br and .gz copies next to each asset (scripts/compress-web.ts).
    preCompressed: true,
    immutable: true,
    maxAge: ONE_YEAR_SECONDS * 1000,
  });

  // A hook rather than a route: a catch-all GET route would turn every unknown POST into a 405,
  // and `/` already belongs to the setup module's page, which stays the fallback with no build.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const pathname = request.url.split('?')[0] ?? '/';
    const isAppPage = request.is404
      ? !pathname.startsWith('/api/') && pathname !== '/api' && !LOOKS_LIKE_FILE.test(pathname)
      : request.routeOptions.url === '/';
    if (!isAppPage) return;
    // index.html names the current hashed bundle: always revalidate it.
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(indexHtml);
  });
}
