import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../../../../test/support/test-app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const setupInput = (token: string) => ({
  token,
  workspaceName: 'Keystone Home Services',
  name: 'Hank Owner',
  email: 'hank@keystone.test',
  password: 'a-long-password',
  timeZone: 'America/Denver',
  locale: 'en-US',
  currency: 'USD',
  country: 'US',
});

describe('first start', () => {
  it('creates the first workspace and admin from ADMIN_EMAIL and ADMIN_PASSWORD', async () => {
    t = await createTestApp({
      env: { ADMIN_EMAIL: 'owner@clinic.test', ADMIN_PASSWORD: 'first-password' },
    });
    expect(await t.services.setup.prepareInstance()).toEqual({
      state: 'admin_created',
      email: 'owner@clinic.test',
    });
    const session = await signIn(t, 'owner@clinic.test', 'first-password');
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: session.cookie },
    });
    expect(me.json()).toMatchObject({ role: 'admin', user: { isInstanceAdmin: true } });
    // The first workspace starts from WORKSPACE_PRESET (b2b by default).
    const pipelines = await t.app.inject({
      method: 'GET',
      url: '/api/pipelines',
      headers: { cookie: session.cookie },
    });
    expect(pipelines.json().items.map((p: { name: string }) => p.name)).toEqual(['Sales']);
    // A second start finds the instance ready and creates nothing.
    expect(await t.services.setup.prepareInstance()).toEqual({ state: 'ready' });
  });

  it('without admin settings prints a one-time setup link that creates the admin once', async () => {
    t = await createTestApp();
    const state = await t.services.setup.prepareInstance();
    if (state.state !== 'needs_setup') throw new Error(`unexpected ${state.state}`);
    const token = new URL(state.setupUrl).searchParams.get('token') ?? '';

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: setupInput('lksetup_wrong'),
    });
    expect(wrong.statusCode).toBe(404);
    const done = await t.app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: setupInput(token),
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      user: { email: 'hank@keystone.test', isInstanceAdmin: true },
      workspace: { name: 'Keystone Home Services', timeZone: 'America/Denver' },
    });
    expect(done.cookies.some((c) => c.name === 'lk_session')).toBe(true);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: setupInput(token),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('already set up');
    const page = await t.app.inject({ method: 'GET', url: `/setup?token=${token}` });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('already set up');
  });

  it('the setup page works as a plain HTML form and re-shows errors with the typed values', async () => {
    t = await createTestApp();
    const state = await t.services.setup.prepareInstance();
    if (state.state !== 'needs_setup') throw new Error(`unexpected ${state.state}`);
    const token = new URL(state.setupUrl).searchParams.get('token') ?? '';
    const page = await t.app.inject({ method: 'GET', url: `/setup?token=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('name="workspaceName"');

    const form = (values: Record<string, string>) =>
      t!.app.inject({
        method: 'POST',
        url: '/setup',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(values).toString(),
      });
    const invalid = await form({
      ...setupInput(token),
      password: 'short',
      workspaceName: 'Keystone <b>HS</b>',
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('role="alert"');
    expect(invalid.body).toContain('password');
    expect(invalid.body).toContain('Keystone &lt;b&gt;HS&lt;/b&gt;');
    const ok = await form(setupInput(token));
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Your workspace is ready');
    expect(ok.cookies.some((c) => c.name === 'lk_session')).toBe(true);
  });

  it('does not accept form bodies on the JSON API', async () => {
    t = await createTestApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/setup',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=x',
    });
    expect(response.statusCode).toBe(415);
  });
});

describe('demo workspace', () => {
  it('loads a workspace with one person per role, once', async () => {
    t = await createTestApp();
    const demo = await t.services.demo.loadDemo();
    expect(demo.created).toBe(true);
    const session = await signIn(t, demo.email, demo.password);
    const users = await t.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: { cookie: session.cookie },
    });
    const roles = users.json<{ items: { role: string }[] }>().items.map((u) => u.role);
    expect(new Set(roles)).toEqual(new Set(['admin', 'manager', 'agent', 'front_desk', 'viewer']));
    const pipelines = await t.app.inject({
      method: 'GET',
      url: '/api/pipelines',
      headers: { cookie: session.cookie },
    });
    expect(pipelines.json().items[0].name).toBe('New patients');
    const leads = await t.app.inject({
      method: 'GET',
      url: '/api/leads',
      headers: { cookie: session.cookie },
    });
    const items = leads.json<{
      items: { id: string; status: string; assigneeId: string | null; contactStatus: string }[];
    }>().items;
    expect(items).toHaveLength(12);
    expect(items.filter((l) => l.status === 'lost')).toHaveLength(2);
    expect(items.filter((l) => l.status === 'won')).toHaveLength(1);
    expect(items.filter((l) => l.assigneeId === null)).toHaveLength(2);
    // A coordinator has calls on the timeline and follow-ups due, so Today has work on it.
    const coordinator = await signIn(t, 'coordinator@demo.leadkeeper.test', demo.password);
    const work = await t.app.inject({
      method: 'GET',
      url: '/api/me/work',
      headers: { cookie: coordinator.cookie },
    });
    const today = work.json<{
      overdueTasks: unknown[];
      todayTasks: unknown[];
      followUps: unknown[];
    }>();
    expect(today.overdueTasks.length).toBeGreaterThan(0);
    expect(today.todayTasks.length).toBeGreaterThan(0);
    expect(today.followUps.length).toBeGreaterThan(0);
    // The demo's leads past the first stage had a first call, which made them "contacted".
    const called = items.filter((l) => l.contactStatus !== 'not_contacted');
    expect(called.length).toBeGreaterThan(0);
    const timeline = await t.app.inject({
      method: 'GET',
      url: `/api/leads/${called[0]!.id}/activities?type=call`,
      headers: { cookie: session.cookie },
    });
    expect(timeline.json<{ items: unknown[] }>().items.length).toBeGreaterThan(0);
    expect((await t.services.demo.loadDemo()).created).toBe(false);
    // With the demo loaded, first start has nothing to set up.
    expect(await t.services.setup.prepareInstance()).toEqual({ state: 'ready' });
  });
});
