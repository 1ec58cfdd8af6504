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
import { uploadImport } from '../src/server/modules/imports/imports.test-support.js';
import { systemActorFor } from '../src/server/modules/users/users.service.js';

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

async function theirForm(other: Session) {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/forms',
    headers: as(other),
    payload: { name: 'Their form' },
  });
  return created.json<{ id: string; key: string }>();
}

function theirAutomationRule(other: Session) {
  return theirRecord(other, '/api/automation-rules', {
    name: 'Theirs',
    trigger: { type: 'lead_created' },
    actions: [{ type: 'add_tag', tag: 'theirs' }],
  });
}

async function theirWebhook(other: Session) {
  return theirRecord(other, '/api/webhooks', {
    url: 'https://example.com/hooks',
    events: ['lead.created'],
  });
}

// One message and one template serve every route that names one (each answers 404 to us).
let theirMessageId: Promise<string> | undefined;
function theirMessage(other: Session) {
  theirMessageId ??= (async () => {
    await theirPipeline(other);
    const leadId = await theirRecord(other, '/api/leads', {
      title: 'Their lead',
      contact: { firstName: 'Theo', emails: ['theo@example.test'] },
    });
    return theirRecord(other, '/api/messages', {
      leadId,
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
  })();
  return theirMessageId;
}

let theirTemplateId: Promise<string> | undefined;
function theirTemplate(other: Session) {
  theirTemplateId ??= theirRecord(other, '/api/templates', {
    name: 'Theirs',
    channel: 'email',
    subject: 'Hi',
    body: 'Hello',
  });
  return theirTemplateId;
}

/** For each route path: make records in the other workspace and return the path's params. */
const OTHER_WORKSPACE_RECORDS: Record<string, (other: Session) => Promise<Params>> = {
  '/api/leads/:id/accounting-handoff': async (other) => {
    await theirPipeline(other);
    return { id: await theirRecord(other, '/api/leads', { title: 'Their lead' }) };
  },
  '/api/webhooks/:id': async (other) => ({ id: await theirWebhook(other) }),
  '/api/webhooks/:id/deliveries': async (other) => ({ id: await theirWebhook(other) }),
  '/api/webhooks/deliveries/:id/redeliver': async (other) => {
    const delivery = await t.db.transaction().execute((trx) =>
      t.services.webhooks.deliverIn(trx, systemActorFor(other.workspaceId, ''), {
        url: 'https://example.com/hooks',
        event: 'test',
        payload: {},
      }),
    );
    return { id: delivery.id };
  },
  '/api/forms/:id': async (other) => ({ id: (await theirForm(other)).id }),
  '/api/forms/:id/submissions': async (other) => ({ id: (await theirForm(other)).id }),
  '/api/form-submissions/:id/accept': async (other) => {
    const form = await theirForm(other);
    const rejected = await t.app.inject({
      method: 'POST',
      url: `/api/capture/${form.key}`,
      payload: { email: 'not-an-email' },
    });
    return { id: rejected.json<{ submissionId: string }>().submissionId };
  },
  '/api/notifications/:id/read': async (other) => {
    await theirPipeline(other);
    const form = await theirForm(other);
    await t.app.inject({
      method: 'POST',
      url: `/api/capture/${form.key}`,
      payload: { email: `inquiry.${Date.now()}@example.test` },
    });
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/notifications',
      headers: as(other),
    });
    return { id: list.json<{ items: { id: string }[] }>().items[0]!.id };
  },
  '/api/users/:id': async (other) => ({ id: (await aMember(t, other, 'agent')).userId }),
  '/api/users/:id/availability': async (other) => ({
    id: (await aMember(t, other, 'agent')).userId,
  }),
  '/api/assignment-rules/:id': async (other) => ({
    id: await theirRecord(other, '/api/assignment-rules', {
      name: 'Theirs',
      type: 'round_robin',
      userIds: [other.userId],
    }),
  }),
  '/api/automation-rules/:id': async (other) => ({ id: await theirAutomationRule(other) }),
  '/api/automation-rules/:id/restore': async (other) => ({ id: await theirAutomationRule(other) }),
  '/api/automation-rules/:id/runs': async (other) => ({ id: await theirAutomationRule(other) }),
  '/api/workspaces/:id': (other) => Promise.resolve({ id: other.workspaceId }),
  ...Object.fromEntries(
    ['', '/preview'].map((action) => [
      `/api/templates/:id${action}`,
      async (other: Session) => ({ id: await theirTemplate(other) }),
    ]),
  ),
  '/api/messages/:id': async (other) => ({ id: await theirMessage(other) }),
  ...Object.fromEntries(
    ['approve', 'reject', 'retry'].map((action) => [
      `/api/outbox/:id/${action}`,
      async (other: Session) => ({ id: await theirMessage(other) }),
    ]),
  ),
  '/api/suppressions/:id': async (other) => ({
    id: await theirRecord(other, '/api/suppressions', {
      channel: 'email',
      address: `theirs.${Date.now()}@example.test`,
    }),
  }),
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
      '/insights',
      '/enrolments',
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
  '/api/contacts/:id/data-export': async (other) => ({
    id: await theirRecord(other, '/api/contacts', { firstName: 'Theirs' }),
  }),
  '/api/contacts/:id/erase': async (other) => ({
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
  ...Object.fromEntries(
    ['', '/archive', '/stats', '/enrolments'].map((action) => [
      `/api/sequences/:id${action}`,
      async (other: Session) => ({
        id: await theirRecord(other, '/api/sequences', {
          name: 'Theirs',
          steps: [{ type: 'wait', amount: 1, unit: 'days' }],
        }),
      }),
    ]),
  ),
  ...Object.fromEntries(
    ['/pause', '/resume', '/stop'].map((action) => [
      `/api/sequence-enrolments/:id${action}`,
      async (other: Session) => {
        await theirPipeline(other);
        const leadId = await theirRecord(other, '/api/leads', { title: 'Their lead' });
        const sequenceId = await theirRecord(other, '/api/sequences', {
          name: 'Theirs',
          steps: [{ type: 'wait', amount: 1, unit: 'days' }],
        });
        return {
          id: await theirRecord(other, `/api/sequences/${sequenceId}/enrolments`, { leadId }),
        };
      },
    ]),
  ),
  ...Object.fromEntries(
    ['', '/report.csv', '/cancel', '/undo'].map((action) => [
      `/api/imports/:id${action}`,
      async (other: Session) => {
        const uploaded = await uploadImport(t, other, 'Name\nTheir lead\n');
        return { id: uploaded.json<{ id: string }>().id };
      },
    ]),
  ),
};

// Routes whose path parameter names no record of a workspace (a preset is the same for all).
const NOT_A_RECORD = new Set(['/api/presets/:key/apply']);
// Public form routes are addressed by an unguessable key, not by a caller's workspace.
for (const url of ['/api/capture/:formKey', '/api/capture/:formKey/:adapter', '/f/:formKey'])
  NOT_A_RECORD.add(url);
// The unsubscribe link is addressed by a signed token (messaging tests cover a forged one).
NOT_A_RECORD.add('/unsubscribe/:token');

// A body that passes validation, so the answer is about the record, not the payload.
const VALID_BODIES: Record<string, (params: Params) => unknown> = {
  'PUT /api/users/:id/availability': () => ({ outOfOffice: [] }),
  'PATCH /api/forms/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/automation-rules/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/webhooks/:id': () => ({ active: false }),
  'POST /api/leads/:id/accounting-handoff': () => ({ confirm: true }),
  'PATCH /api/templates/:id': () => ({ name: 'Renamed' }),
  // The lead is the caller's own, so only the template is foreign.
  'POST /api/templates/:id/preview': () => ({ leadId: mineIds.lead }),
  'PATCH /api/messages/:id': () => ({ body: 'Edited' }),
  'POST /api/form-submissions/:id/accept': () => ({ fields: {} }),
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
  'POST /api/contacts/:id/erase': () => ({ confirmName: 'Theirs' }),
  'POST /api/leads/:id/tasks': () => ({ title: 'Call' }),
  'PATCH /api/tasks/:id': () => ({ title: 'Renamed' }),
  'PATCH /api/lost-reasons/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/saved-views/:id': () => ({ name: 'Renamed' }),
  'PATCH /api/custom-fields/:id': () => ({ label: 'Renamed' }),
  'POST /api/pipelines/:id/stages': () => ({ name: 'Extra' }),
  'PATCH /api/pipelines/:id/stages/:stageId': () => ({ name: 'Renamed' }),
  'PUT /api/pipelines/:id/stages/reorder': (params) => ({ stageIds: [params.id] }),
  'PATCH /api/sequences/:id': () => ({ name: 'Renamed' }),
  'POST /api/sequences/:id/enrolments': () => ({ leadId: mineIds.lead }),
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
