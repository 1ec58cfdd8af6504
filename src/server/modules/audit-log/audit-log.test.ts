import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aMember,
  aWorkspace,
  as,
  createTestApp,
  type TestApp,
} from '../../../../test/support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

interface Entry {
  action: string;
  entityType: string;
  entityId: string;
  actorUserId: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  requestId: string | null;
  createdAt: string;
}

describe('audit log', () => {
  it('records the before/after of changed fields with actor and request id', async () => {
    const { admin, workspaceId } = await aWorkspace(t, 'Before Name');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/workspaces/${workspaceId}`,
      headers: { ...as(admin), 'x-request-id': 'req-audit-1' },
      payload: { name: 'After Name', locale: 'de-DE' }, // locale unchanged
    });
    expect(patch.statusCode).toBe(200);
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?entityType=workspace&action=workspace.updated`,
      headers: as(admin),
    });
    expect(response.statusCode).toBe(200);
    const [entry] = response.json<{ items: Entry[] }>().items;
    expect(entry).toMatchObject({
      action: 'workspace.updated',
      entityId: workspaceId,
      actorUserId: admin.userId,
      requestId: 'req-audit-1',
      changes: { name: { before: 'Before Name', after: 'After Name' } },
    });
    expect(Object.keys(entry!.changes)).toEqual(['name']);
  });

  it('filters by entity, actor and time, newest first, with paging', async () => {
    const { admin } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent', 'Agent Ann');
    t.clock.advance(60_000);
    const since = t.clock.now().toISOString();
    await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${agent.userId}`,
      headers: as(admin),
      payload: { name: 'Agent Anna' },
    });
    t.clock.advance(60_000);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${agent.userId}`,
      headers: as(admin),
      payload: { role: 'manager' },
    });

    const list = async (query: string) =>
      (
        await t.app.inject({ method: 'GET', url: `/api/audit-log?${query}`, headers: as(admin) })
      ).json<{
        items: Entry[];
        nextCursor: string | null;
      }>();
    const forAgent = await list(`entityType=user&entityId=${agent.userId}`);
    expect(forAgent.items.map((e) => e.action)).toEqual([
      'user.updated',
      'user.updated',
      'user.added',
    ]);
    expect(forAgent.items[0]!.changes).toEqual({ role: { before: 'agent', after: 'manager' } });

    const recent = await list(`entityType=user&from=${encodeURIComponent(since)}`);
    expect(recent.items).toHaveLength(2);
    const byActor = await list(`actorId=${admin.userId}&limit=1`);
    expect(byActor.items).toHaveLength(1);
    const next = await list(`actorId=${admin.userId}&limit=1&cursor=${byActor.nextCursor}`);
    expect(next.items[0]!.createdAt <= byActor.items[0]!.createdAt).toBe(true);
    expect(next.items[0]).not.toEqual(byActor.items[0]);
  });

  it('is readable only with audit:read and only for the own workspace', async () => {
    const a = await aWorkspace(t);
    const b = await aWorkspace(t);
    const agent = await aMember(t, a.admin, 'agent');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/audit-log', headers: as(agent) })).statusCode,
    ).toBe(403);
    const manager = await aMember(t, a.admin, 'manager');
    const visible = await t.app.inject({
      method: 'GET',
      url: '/api/audit-log?limit=200',
      headers: as(manager),
    });
    expect(visible.statusCode).toBe(200);
    const entityIds = visible.json<{ items: Entry[] }>().items.map((e) => e.entityId);
    expect(entityIds).toContain(a.workspaceId);
    expect(entityIds).not.toContain(b.workspaceId);
  });

  it('cannot be changed or deleted, even with SQL', async () => {
    await aWorkspace(t);
    await expect(sql`update audit_log set action = 'tampered'`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('rolls back the change and its audit row together', async () => {
    const { admin, workspaceId } = await aWorkspace(t);
    const count = async () =>
      (
        await t.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('workspace_id', '=', workspaceId)
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    // The last admin can't demote themselves: the service throws after reading, inside the transaction.
    const refused = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${admin.userId}`,
      headers: as(admin),
      payload: { role: 'viewer', name: 'Changed' },
    });
    expect(refused.statusCode).toBe(409);
    expect(await count()).toBe(before);
    const me = await t.app.inject({
      method: 'GET',
      url: `/api/users/${admin.userId}`,
      headers: as(admin),
    });
    expect(me.json().name).toBe('Ada Admin');
  });
});
