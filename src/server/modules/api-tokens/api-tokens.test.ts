import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  uniqueEmail,
  type Session,
  type TestApp,
} from '../../../../test/support/test-app.js';
import { aLead, aSalesDesk } from '../../../../test/support/sales-desk.js';
import { buildApp } from '../../app.js';
import { CREDENTIALS_TTL_MS } from '../../platform/auth/credential-cache.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function createToken(session: Session, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/api-tokens', headers: as(session), payload });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('API tokens', () => {
  it('shows the token once, stores only its hash, and authenticates with it', async () => {
    const { admin } = await aWorkspace(t, 'Token Co');
    const created = await createToken(admin, { name: 'Zapier' });
    expect(created.statusCode).toBe(201);
    const { token, id, role } = created.json<{ token: string; id: string; role: string }>();
    expect(role).toBe('admin');
    expect(token).toMatch(/^lk_/);

    const list = await t.app.inject({ method: 'GET', url: '/api/api-tokens', headers: as(admin) });
    expect(list.body).not.toContain(token);
    expect(list.json().items).toEqual([
      expect.objectContaining({ id, name: 'Zapier', prefix: token.slice(0, 10) }),
    ]);
    const stored = await t.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);

    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      workspace: { name: 'Token Co' },
      role: 'admin',
      csrfToken: null,
    });
  });

  it('records when a token was last used, at most once a minute', async () => {
    const { admin } = await aWorkspace(t);
    const { token, id } = (await createToken(admin, { name: 'Sync' })).json<{
      token: string;
      id: string;
    }>();
    const lastUsedAt = async () =>
      (
        await t.db
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).last_used_at?.toISOString() ?? null;
    const use = () => t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) });

    expect(await lastUsedAt()).toBeNull();
    await use();
    const first = t.clock.now().toISOString();
    expect(await lastUsedAt()).toBe(first);
    // Within the minute: neither the cached token nor a fresh read from the database touches it.
    t.clock.advance(30_000);
    await use();
    t.clock.advance(CREDENTIALS_TTL_MS + 1);
    await use();
    expect(await lastUsedAt()).toBe(first);
    t.clock.advance(30_000);
    await use();
    expect(await lastUsedAt()).toBe(t.clock.now().toISOString());
  });

  it('needs no CSRF token for writes with a Bearer token', async () => {
    const { admin } = await aWorkspace(t);
    const { token } = (await createToken(admin, { name: 'sync' })).json<{ token: string }>();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: bearer(token),
      payload: { email: uniqueEmail(), name: 'Via Token', role: 'agent' },
    });
    expect(response.statusCode).toBe(201);
  });

  it('stops a revoked token at once', async () => {
    const { admin } = await aWorkspace(t);
    const { token, id } = (await createToken(admin, { name: 'old' })).json<{
      token: string;
      id: string;
    }>();
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })).statusCode,
    ).toBe(200);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/api-tokens/${id}`,
      headers: as(admin),
    });
    expect(revoked.statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })).statusCode,
    ).toBe(401);
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/api-tokens/${id}`,
      headers: as(admin),
    });
    expect(again.statusCode).toBe(404);
  });

  it('scopes a token to a role that may not exceed its owner', async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    const tooHigh = await createToken(agent, { name: 'escalate', role: 'admin' });
    expect(tooHigh.statusCode).toBe(422);
    expect(tooHigh.json().errors[0].field).toBe('role');

    const { token } = (await createToken(admin, { name: 'read only', role: 'viewer' })).json<{
      token: string;
    }>();
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: bearer(token),
      payload: { email: uniqueEmail(), name: 'Nope', role: 'agent' },
    });
    expect(write.statusCode).toBe(403);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) });
    expect(me.json()).toMatchObject({
      role: 'viewer',
      permissions: ['lead:read', 'lead:analytics'],
    });
  });

  it("lowers a token's rights when its owner's role is lowered, and stops it when they leave", async () => {
    const { admin } = await aWorkspace(t);
    const manager = await aMember(t, admin, 'manager');
    const { token } = (await createToken(manager, { name: 'reports' })).json<{ token: string }>();
    const before = await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) });
    expect(before.json().permissions).toContain('lead:update');
    await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${manager.userId}`,
      headers: as(admin),
      payload: { role: 'viewer' },
    });
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) });
    expect(me.json().permissions).toEqual(['lead:read', 'lead:analytics']);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${manager.userId}`,
      headers: as(admin),
      payload: { active: false },
    });
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })).statusCode,
    ).toBe(401);
  });

  it("applies the workspace's own-leads rule to an agent's token at once", async () => {
    const desk = await aSalesDesk(t);
    const agent = await aMember(t, desk.admin, 'agent');
    const { token } = (await createToken(agent, { name: 'dialer' })).json<{ token: string }>();
    await aLead(t, desk.admin, { title: 'Not the agent’s' });
    const titles = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/leads', headers: bearer(token) }))
        .json<{ items: { title: string }[] }>()
        .items.map((lead) => lead.title);
    expect(await titles()).toEqual(['Not the agent’s']);
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${desk.admin.workspaceId}`,
      headers: as(desk.admin),
      payload: { agentsOwnLeadsOnly: true },
    });
    expect(changed.statusCode).toBe(200);
    expect(await titles()).toEqual([]);
  });

  it('is stopped on another instance within the cache time of resolved tokens', async () => {
    // A second server on the same database, as with several instances behind a load balancer.
    const other = await buildApp({
      config: t.config,
      database: { db: t.db, kind: t.kind, close: () => Promise.resolve() },
      clock: t.clock,
      logger: false,
    });
    try {
      const { admin } = await aWorkspace(t);
      const { token, id } = (await createToken(admin, { name: 'shared' })).json<{
        token: string;
        id: string;
      }>();
      const meOnOther = async () =>
        (await other.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) }))
          .statusCode;
      expect(await meOnOther()).toBe(200);
      await t.app.inject({ method: 'DELETE', url: `/api/api-tokens/${id}`, headers: as(admin) });
      expect(await meOnOther()).toBe(200); // the other instance's copy is still fresh
      t.clock.advance(CREDENTIALS_TTL_MS + 1);
      expect(await meOnOther()).toBe(401);
    } finally {
      await other.app.close();
    }
  });

  it("shows people their own tokens, admins all, and hides other workspaces' tokens", async () => {
    const a = await aWorkspace(t);
    const b = await aWorkspace(t);
    const agent = await aMember(t, a.admin, 'agent');
    await createToken(a.admin, { name: 'admin token' });
    const agentToken = (await createToken(agent, { name: 'agent token' })).json<{ id: string }>();
    const bToken = (await createToken(b.admin, { name: 'b token' })).json<{ id: string }>();

    const names = async (session: Session) =>
      (await t.app.inject({ method: 'GET', url: '/api/api-tokens', headers: as(session) }))
        .json<{ items: { name: string }[] }>()
        .items.map((i) => i.name)
        .sort();
    expect(await names(agent)).toEqual(['agent token']);
    expect(await names(a.admin)).toEqual(['admin token', 'agent token']);

    const crossDelete = await t.app.inject({
      method: 'DELETE',
      url: `/api/api-tokens/${bToken.id}`,
      headers: as(a.admin),
    });
    expect(crossDelete.statusCode).toBe(404);
    const agentDeletesAdmins = await t.app.inject({
      method: 'DELETE',
      url: `/api/api-tokens/${agentToken.id}`,
      headers: as(a.admin),
    });
    expect(agentDeletesAdmins.statusCode).toBe(204);
  });

  it('refuses a malformed Authorization header and an unknown token with 401', async () => {
    const malformed = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: 'Token abc' },
    });
    expect(malformed.statusCode).toBe(401);
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: bearer('lk_unknown'),
    });
    expect(unknown.statusCode).toBe(401);
  });
});
