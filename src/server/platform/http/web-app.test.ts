// Serving the built web app next to the API: hashed assets, index.html for the app's paths,
// and the API's own 404s and 405s untouched.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProblemHandlers } from './problem.js';
import { registerWebApp } from './web-app.js';

const INDEX_HTML = '<!doctype html><div id="root"></div>';
let buildDir: string;

async function makeApp(root: string) {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  registerProblemHandlers(app);
  await registerWebApp(app, root);
  app.get('/', (_request, reply) => reply.type('text/html').send('plain home page'));
  app.get('/api/health', () => ({ ok: true }));
  await app.ready();
  return app;
}

beforeAll(async () => {
  buildDir = await mkdtemp(path.join(tmpdir(), 'leadkeeper-web-'));
  await mkdir(path.join(buildDir, 'assets'));
  await writeFile(path.join(buildDir, 'index.html'), INDEX_HTML);
  await writeFile(path.join(buildDir, 'assets', 'index-abc123.js'), 'console.log(1);');
  await writeFile(
    path.join(buildDir, 'assets', 'index-abc123.js.br'),
    brotliCompressSync('console.log(1);'),
  );
});

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

describe('the web app build', () => {
  it("serves index.html at / and at the app's own paths, never cached", async () => {
    const app = await makeApp(buildDir);
    for (const url of ['/', '/today', '/leads/8f0a4a5e-0000-4000-8000-000000000000?tab=x']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(INDEX_HTML);
      expect(response.headers['cache-control']).toBe('no-cache');
    }
    await app.close();
  });

  it('serves hashed assets for a year, and a missing file is a 404', async () => {
    const app = await makeApp(buildDir);
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const compressed = await app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect((await app.inject({ method: 'GET', url: '/assets/nope.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/favicon.ico' })).statusCode).toBe(404);
    await app.close();
  });

  it("leaves the API's answers alone", async () => {
    const app = await makeApp(buildDir);
    const unknown = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ method: 'GET', url: '/api/health' })).json()).toEqual({ ok: true });
    // Only GETs get the app; an unknown POST stays a 404, not a 405.
    expect((await app.inject({ method: 'POST', url: '/leads' })).statusCode).toBe(404);
    await app.close();
  });

  it('without a build, the server runs and / keeps its plain page', async () => {
    const app = await makeApp(path.join(buildDir, 'missing'));
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.body).toBe('plain home page');
    expect((await app.inject({ method: 'GET', url: '/today' })).statusCode).toBe(404);
    await app.close();
  });
});
