import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  aMember,
  aWorkspace,
  as,
  createTestApp,
  signIn,
  uniqueEmail,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('people of a workspace', () => {
  it('adds a person with a password who can sign in at once', async () => {
    const { admin } = await aWorkspace(t);
    const email = uniqueEmail('coordinator');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: as(admin),
      payload: {
        email: `  ${email.toUpperCase()} `,
        name: 'Cora Coordinator',
        role: 'agent',
        password: PASSWORD,
      },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      user: { email, name: 'Cora Coordinator', role: 'agent', active: true, hasPassword: true },
      inviteUrl: null,
    });
    const session = await signIn(t, email);
    expect(session.workspaceId).toBe(admin.workspaceId);
  });

  it('adds a person without a password through a one-time invite link', async () => {
    const { admin } = await aWorkspace(t, 'Invite Co');
    const email = uniqueEmail('frontdesk');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: as(admin),
      payload: { email, name: 'Fran Desk', role: 'front_desk' },
    });
    expect(response.statusCode).toBe(201);
    const { user, inviteUrl } = response.json<{
      user: { hasPassword: boolean };
      inviteUrl: string;
    }>();
    expect(user.hasPassword).toBe(false);
    const token = new URL(inviteUrl).searchParams.get('token') ?? '';
    expect(token).not.toBe('');

    const accept = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/accept-invite',
        payload: { token, password: 'a-new-password-1', name: 'Francesca Desk' },
      });
    const accepted = await accept();
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().workspace.name).toBe('Invite Co');
    expect(accepted.json().user.name).toBe('Francesca Desk');
    expect((await accept()).statusCode).toBe(404); // the link works once
    await expect(signIn(t, email, 'a-new-password-1')).resolves.toMatchObject({
      workspaceId: admin.workspaceId,
    });
  });

  it('lets someone of another workspace join without taking over their password', async () => {
    const a = await aWorkspace(t);
    const b = await aWorkspace(t);
    const withPassword = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: as(b.admin),
      payload: { email: a.adminEmail, name: 'Ada', role: 'viewer', password: 'hijack-attempt-1' },
    });
    expect(withPassword.statusCode).toBe(422);
    expect(withPassword.json().errors).toEqual([
      { field: 'password', message: expect.any(String) },
    ]);

    const joined = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: as(b.admin),
      payload: { email: a.adminEmail, name: 'Ada', role: 'viewer' },
    });
    expect(joined.statusCode).toBe(201);
    expect(joined.json().inviteUrl).toBeNull();
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: as(b.admin),
      payload: { email: a.adminEmail, name: 'Ada', role: 'viewer' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('lists members with search and paging, and changes a role with If-Match', async () => {
    const { admin } = await aWorkspace(t);
    for (const name of ['Bea', 'Cal', 'Dee']) await aMember(t, admin, 'agent', name);
    const first = await t.app.inject({
      method: 'GET',
      url: '/api/users?limit=2',
      headers: as(admin),
    });
    expect(first.statusCode).toBe(200);
    const page1 = first.json<{ items: { name: string }[]; nextCursor: string }>();
    expect(page1.items.map((u) => u.name)).toEqual(['Ada Admin', 'Bea']);
    const second = await t.app.inject({
      method: 'GET',
      url: `/api/users?limit=2&cursor=${page1.nextCursor}`,
      headers: as(admin),
    });
    expect(second.json<{ items: { name: string }[] }>().items.map((u) => u.name)).toEqual([
      'Cal',
      'Dee',
    ]);
    const search = await t.app.inject({
      method: 'GET',
      url: '/api/users?q=ce',
      headers: as(admin),
    });
    expect(search.json<{ items: { name: string }[] }>().items.map((u) => u.name)).toEqual([]);
    const byName = await t.app.inject({
      method: 'GET',
      url: '/api/users?q=DE',
      headers: as(admin),
    });
    expect(byName.json<{ items: { name: string }[] }>().items.map((u) => u.name)).toEqual(['Dee']);

    const dee = byName.json<{ items: { id: string; version: number }[] }>().items[0]!;
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${dee.id}`,
      headers: { ...as(admin), 'if-match': `"${dee.version + 1}"` },
      payload: { role: 'manager' },
    });
    expect(stale.statusCode).toBe(412);
    const ok = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${dee.id}`,
      headers: { ...as(admin), 'if-match': `"${dee.version}"` },
      payload: { role: 'manager' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ role: 'manager', version: dee.version + 1 });
    expect(ok.headers.etag).toBe(`"${dee.version + 1}"`);
  });

  it('keeps at least one active admin', async () => {
    const { admin } = await aWorkspace(t);
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${admin.userId}`,
      headers: as(admin),
      payload: { role: 'agent' },
    });
    expect(response.statusCode).toBe(409);
  });

  it('gives 422 with field errors for an invalid new person', async () => {
    const { admin } = await aWorkspace(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: as(admin),
      payload: { email: 'not-an-email', role: 'agent', password: 'short' },
    });
    expect(response.statusCode).toBe(422);
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields.sort()).toEqual(['email', 'name', 'password']);
  });
});

describe('roles and permissions', () => {
  it('gives a viewer 403 on a write', async () => {
    const { admin } = await aWorkspace(t);
    const viewer = await aMember(t, admin, 'viewer');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: as(viewer),
      payload: { email: uniqueEmail(), name: 'X', role: 'agent' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toContain('user:manage');
    const settings = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${admin.workspaceId}`,
      headers: as(viewer),
      payload: { name: 'Renamed' },
    });
    expect(settings.statusCode).toBe(403);
  });

  it('reports the permissions of each role in /api/me', async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: as(agent) });
    expect(me.json().permissions).toEqual([
      'lead:read',
      'lead:read_sensitive',
      'lead:create',
      'lead:update',
      'lead:convert',
      'message:approve',
    ]);
  });

  it('limits agents to their own leads when the workspace says so', async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${admin.workspaceId}`,
      headers: as(admin),
      payload: { agentsOwnLeadsOnly: true },
    });
    const resolved = await t.services.auth.resolveActor({
      bearerToken: undefined,
      sessionToken: agent.cookie.split('=')[1],
      requestId: 'test',
      ip: '127.0.0.1',
    });
    expect(resolved?.actor.leadScope).toBe('own');
    const adminActor = await t.services.auth.resolveActor({
      bearerToken: undefined,
      sessionToken: admin.cookie.split('=')[1],
      requestId: 'test',
      ip: '127.0.0.1',
    });
    expect(adminActor?.actor.leadScope).toBe('all');
  });
});

describe('tenancy', () => {
  it("answers 404 for another workspace's person, by id and in lists", async () => {
    const a = await aWorkspace(t, 'Workspace A');
    const b = await aWorkspace(t, 'Workspace B');
    const bAgent = await aMember(t, b.admin, 'agent', 'Bob of B');
    const byId = await t.app.inject({
      method: 'GET',
      url: `/api/users/${bAgent.userId}`,
      headers: as(a.admin),
    });
    expect(byId.statusCode).toBe(404);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${bAgent.userId}`,
      headers: as(a.admin),
      payload: { active: false },
    });
    expect(patch.statusCode).toBe(404);
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/users?limit=200',
      headers: as(a.admin),
    });
    const ids = list.json<{ items: { id: string }[] }>().items.map((u) => u.id);
    expect(ids).toContain(a.admin.userId);
    expect(ids).not.toContain(bAgent.userId);
    expect(ids).not.toContain(b.admin.userId);
    const workspace = await t.app.inject({
      method: 'GET',
      url: `/api/workspaces/${b.workspaceId}`,
      headers: as(a.admin),
    });
    expect(workspace.statusCode).toBe(404);
    const settings = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${b.workspaceId}`,
      headers: as(a.admin),
      payload: { name: 'Mine now' },
    });
    expect(settings.statusCode).toBe(404);
  });
});
