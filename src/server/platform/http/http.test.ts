import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aWorkspace, as, createTestApp, type TestApp } from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    env: { BODY_LIMIT_BYTES: '2048' },
    beforeReady: (app) => {
      app.post(
        '/api/test/race',
        { config: { access: 'public' }, schema: { hide: true } },
        async () => {
          const values = { key: 'race', value: '1' };
          await t.db.insertInto('instance_settings').values(values).execute();
          await t.db.insertInto('instance_settings').values(values).execute();
        },
      );
      app.get('/api/test/boom', { config: { access: 'public' }, schema: { hide: true } }, () => {
        throw new Error('relation "secret_table" does not exist at /srv/app/src/x.ts:12');
      });
    },
  });
});
afterAll(async () => t.close());

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:leadkeeper:problem:[a-z-]+$/),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.requestId).toBe(response.headers['x-request-id']);
  return body;
}

describe('errors as problem+json', () => {
  it('answers malformed JSON with 400', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "a@b.test", ',
    });
    expect(expectProblem(response, 400).detail).toBe('The request body is not valid JSON.');
  });

  it('answers wrong JSON types with 400 and the fields', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 42, password: true },
    });
    const body = expectProblem(response, 400);
    expect((body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'email',
      'password',
    ]);
  });

  it('answers missing and invalid values with 422 and field errors', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'not-an-email' },
    });
    const body = expectProblem(response, 422);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'email', message: expect.any(String) },
        { field: 'password', message: 'Required' },
      ]),
    );
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a@b.test',
    });
    expectProblem(response, 415);
  });

  it('answers a body over the limit with 413', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'a@b.test', password: 'x'.repeat(5000) },
    });
    expectProblem(response, 413);
  });

  it('answers an unknown route with 404 and a known route with the wrong method with 405', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/nothing-here' }), 404);
    const wrongMethod = await t.app.inject({ method: 'DELETE', url: '/api/me' });
    expectProblem(wrongMethod, 405);
    expect(wrongMethod.headers.allow).toBe('GET');
    const withParams = await t.app.inject({
      method: 'PUT',
      url: '/api/users/8f0a4a5e-0000-4000-8000-000000000000',
    });
    expectProblem(withParams, 405);
    expect(withParams.headers.allow).toBe('GET, PATCH');
  });

  it('answers 500 without stack, SQL or internals', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/test/boom' });
    const body = expectProblem(response, 500);
    expect(JSON.stringify(body)).not.toMatch(/secret_table|src\/x\.ts|stack/);
    expect(body.detail).toBe('Something went wrong on our side.');
  });

  it('answers a unique-key race with 409, not 500', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/test/race' });
    expect(expectProblem(response, 409).detail).toBe('This record already exists.');
  });

  it('keeps a caller-supplied request id and makes one up otherwise', async () => {
    const given = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { 'x-request-id': 'trace-abc.123' },
    });
    expect(given.headers['x-request-id']).toBe('trace-abc.123');
    expect(given.json().requestId).toBe('trace-abc.123');
    const unsafe = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HTTP hardening', () => {
  it('sends security headers and no CORS headers by default', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('reports health with the database kind and version', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.json()).toEqual({ status: 'ok', db: t.kind, version: expect.any(String) });
  });
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3.1 document that lists every API route', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { description?: string }>>;
    }>();
    expect(document.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(document) as never);

    const apiRoutes = t.routes.filter((r) => r.url.startsWith('/api/') && !r.hidden);
    expect(apiRoutes.length).toBeGreaterThan(10);
    for (const route of apiRoutes) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url} missing from OpenAPI`).toBeDefined();
      // Each operation says who may call it.
      expect(operation?.description).toMatch(
        /Requires permission|Any signed-in member|No sign-in needed/,
      );
    }
  });

  it('serves the browsable docs', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });
});

describe('structured logs', () => {
  it('writes JSON lines that all carry the request id, and no credentials', async () => {
    const lines: string[] = [];
    const logged = await createTestApp({
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } },
    });
    try {
      await logged.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { 'x-request-id': 'log-check-1', authorization: 'Bearer lk_secret_value' },
      });
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const forRequest = entries.filter((entry) => entry.reqId === 'log-check-1');
      expect(forRequest.length).toBeGreaterThanOrEqual(2); // incoming request + completed
      expect(entries.filter((entry) => 'req' in entry || 'res' in entry)).toEqual(forRequest);
      expect(lines.join('\n')).not.toContain('lk_secret_value');
    } finally {
      await logged.close();
    }
  });
});

describe('CORS when configured', () => {
  it('allows only the configured origins', async () => {
    const withCors = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example' } });
    try {
      const allowed = await withCors.app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { origin: 'https://app.example' },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
      const other = await withCors.app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await withCors.close();
    }
  });
});

describe('optimistic concurrency on workspace settings', () => {
  it('rejects a stale If-Match with 412 and accepts the current version', async () => {
    const { admin, workspaceId } = await aWorkspace(t);
    const current = await t.app.inject({
      method: 'GET',
      url: `/api/workspaces/${workspaceId}`,
      headers: as(admin),
    });
    const etag = current.headers.etag as string;
    const first = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${workspaceId}`,
      headers: { ...as(admin), 'if-match': etag },
      payload: { name: 'Renamed once', timeZone: 'America/Chicago' },
    });
    expect(first.statusCode).toBe(200);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${workspaceId}`,
      headers: { ...as(admin), 'if-match': etag },
      payload: { name: 'Renamed twice' },
    });
    expectProblem(stale, 412);
    const invalid = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${workspaceId}`,
      headers: as(admin),
      payload: {
        timeZone: 'Mars/Olympus',
        currency: 'XYZ',
        businessHours: { '1': [{ start: '18:00', end: '09:00' }] },
      },
    });
    const problem = expectProblem(invalid, 422);
    expect((problem.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'businessHours.1',
      'currency',
      'timeZone',
    ]);
  });
});
