// Table-driven over the route list: every route that names a record by id answers 404 when the
// record belongs to another workspace. A new route with an id fails this test until it gets a
// factory below, so isolation is checked for every endpoint, not only the ones we remembered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type Session,
  type TestApp,
} from './support/test-app.js';

let t: TestApp;
let mine: Session;
type Params = Record<string, string>;
const theirs: Record<string, Params> = {};
const mineIds = { lead: '', contact: '' };

let pipelines = 0;
async function theirPipeline(other: Session) {
  pipelines += 1;
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/pipelines',
    headers: as(other),
    payload: {
      name: `Theirs ${pipelines}`,
      stages: [{ name: 'A' }, { name: 'W', kind: 'won' }, { name: 'L', kind: 'lost' }],
    },
  });
  return created.json<{ id: string; stages: { id: string }[] }>();
}

async function theirRecord(other: Session, url: string, payload: Record<string, unknown>) {
  const created = await t.app.inject({ method: 'POST', url, headers: as(other), payload });
  return created.json<{ id: string }>().id;
}

/** For each route path: make records in the other workspace and return the path's params. */
const OTHER_WORKSPACE_RECORDS: Record<string, (other: Session) => Promise<Params>> = {
  '/api/users/:id': async (other) => ({ id: (await aMember(t, other, 'agent')).userId }),
  '/api/workspaces/:id': (other) => Promise.resolve({ id: other.workspaceId }),
  '/api/api-tokens/:id': async (other) => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/api-tokens',
      headers: as(other),
      payload: { name: 'theirs' },
    });
    return { id: created.json<{ id: string }>().id };
  },
  '/api/lead-sources/:id': async (other) => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/lead-sources',
      headers: as(other),
      payload: { name: 'Their source' },
    });
    return { id: created.json<{ id: string }>().id };
  },
  '/api/lost-reasons/:id': async (other) => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/lost-reasons',
      headers: as(other),
      payload: { name: 'Their reason' },
    });
    return { id: created.json<{ id: string }>().id };
  },
  '/api/saved-views/:id': async (other) => ({
    id: await theirRecord(other, '/api/saved-views', { name: 'Their view', shared: true }),
  }),
  '/api/companies/:id': async (other) => ({
    id: await theirRecord(other, '/api/companies', { name: 'Theirs' }),
  }),
  '/api/companies/:id/restore': async (other) => ({
    id: await theirRecord(other, '/api/companies', { name: 'Theirs' }),
  }),
  '/api/contacts/:id': async (other) => ({
    id: await theirRecord(other, '/api/contacts', { firstName: 'Theirs' }),
  }),
  '/api/contacts/:id/restore': async (other) => ({
    id: await theirRecord(other, '/api/contacts', { firstName: 'Theirs' }),
  }),
  '/api/pipelines/:id': async (other) => ({ id: (await theirPipeline(other)).id }),
  ...Object.fromEntries(
    ['', '/archive', '/restore'].map((action) => [
      `/api/custom-fields/:id${action}`,
      async (other: Session) => ({
        id: await theirRecord(other, '/api/custom-fields', {
          recordType: 'lead',
          key: `theirs${action.replace('/', '_')}`,
          label: 'Theirs',
          type: 'text',
        }),
      }),
    ]),
  ),
  ...Object.fromEntries(
    [
      '',
      '/stage',
      '/lost',
      '/assign',
      '/archive',
      '/restore',
      '/activities',
      '/tasks',
      '/merge',
      '/convert',
    ].map((action) => [
      `/api/leads/:id${action}`,
      async (other: Session) => {
        await theirPipeline(other);
        return { id: await theirRecord(other, '/api/leads', { title: 'Their lead' }) };
      },
    ]),
  ),
  '/api/contacts/:id/merge': async (other) => ({
    id: await theirRecord(other, '/api/contacts', { firstName: 'Theirs' }),
  }),
  '/api/contacts/:id/activities': async (other) => ({
    id: await theirRecord(other, '/api/contacts', { firstName: 'Theirs' }),
  }),
  ...Object.fromEntries(
    ['', '/complete'].map((action) => [
      `/api/tasks/:id${action}`,
      async (other: Session) => ({
        id: await theirRecord(other, '/api/tasks', { title: 'Theirs' }),
      }),
    ]),
  ),
  '/api/pipelines/:id/stages': async (other) => ({ id: (await theirPipeline(other)).id }),
  '/api/pipelines/:id/stages/reorder': async (other) => ({ id: (await theirPipeline(other)).id }),
  '/api/pipelines/:id/stages/:stageId': async (other) => {
    const pipeline = await theirPipeline(other);
    return { id: pipeline.id, stageId: pipeline.stages[0]!.id };
  },
};

// Routes whose path parameter names no record of a workspace (a preset is the same for all).
const NOT_A_RECORD = new Set(['/api/presets/:key/apply']);

// A body that passes validation, so the answer is about the record, not the payload.
const VALID_BODIES: Record<string, (params: Params) => unknown> = {
  'PATCH /api/users/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/workspaces/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/pipelines/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/lead-sources/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/companies/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/contacts/:id': () => ({ firstName: 'Renamed' }),
  'PATCH /api/leads/:id': () => ({ title: 'Renamed' }),
  'POST /api/leads/:id/stage': (params) => ({ stageId: params.id }),
  'POST /api/leads/:id/lost': (params) => ({ reasonId: params.id }),
  'POST /api/leads/:id/assign': () => ({ userId: null }),
  // The survivor is the caller's own record, so only the path's id is foreign.
  'POST /api/leads/:id/merge': () => ({ intoId: mineIds.lead }),
  'POST /api/contacts/:id/merge': () => ({ intoId: mineIds.contact }),
  'POST /api/leads/:id/activities': () => ({ type: 'note', body: 'x' }),
  'POST /api/contacts/:id/activities': () => ({ type: 'note', body: 'x' }),
  'POST /api/leads/:id/tasks': () => ({ title: 'Call' }),
  'PATCH /api/tasks/:id': () => ({ title: 'Renamed' }),
  'PATCH /api/lost-reasons/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/saved-views/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/custom-fields/:id': () => ({ label: 'Renamed' }),
  'POST /api/pipelines/:id/stages': () => ({ name: 'Extra' }),
  'PATCH /api/pipelines/:id/stages/:stageId': () => ({ name: 'Renamed' }),
  'PUT /api/pipelines/:id/stages/reorder': (params) => ({ stageIds: [params.id] }),
};

beforeAll(async () => {
  t = await createTestApp();
  mine = (await aWorkspace(t, 'Mine')).admin;
  await theirPipeline(mine);
  mineIds.lead = await theirRecord(mine, '/api/leads', { title: 'My lead' });
  mineIds.contact = await theirRecord(mine, '/api/contacts', { firstName: 'Mine' });
  const other = (await aWorkspace(t, 'Theirs')).admin;
  for (const [path, make] of Object.entries(OTHER_WORKSPACE_RECORDS))
    theirs[path] = await make(other);
});
afterAll(async () => t.close());

describe('workspace isolation', () => {
  it('has a record factory for every route that takes an id', () => {
    const withId = [
      ...new Set(
        t.routes.filter((r) => r.url.includes('/:') && !NOT_A_RECORD.has(r.url)).map((r) => r.url),
      ),
    ];
    expect(withId.length).toBeGreaterThan(0);
    expect(withId.filter((url) => !(url in OTHER_WORKSPACE_RECORDS))).toEqual([]);
  });

  it("answers 404 for another workspace's record on every such route", async () => {
    const routes = t.routes.filter((r) => r.url.includes('/:') && !NOT_A_RECORD.has(r.url));
    const answers: string[] = [];
    for (const route of routes) {
      const params = theirs[route.url] ?? {};
      const body = VALID_BODIES[`${route.method} ${route.url}`];
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: route.url.replace(/:(\w+)/g, (_, name: string) => params[name] ?? 'missing'),
        headers: as(mine),
        ...(route.method === 'GET' || route.method === 'DELETE'
          ? {}
          : { payload: body?.(params) ?? {} }),
      });
      answers.push(`${route.method} ${route.url} → ${response.statusCode}`);
    }
    expect(answers).toEqual(routes.map((r) => `${r.method} ${r.url} → 404`));
  });
});
