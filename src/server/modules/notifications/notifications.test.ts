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

interface Page {
  items: { id: string; title: string; read: boolean }[];
  nextCursor: string | null;
  unreadCount: number;
}

describe('in-app notifications', () => {
  it("pages a member's own notifications newest first, for every role", async () => {
    const { admin, workspaceId } = await aWorkspace(t);
    const viewer = await aMember(t, admin, 'viewer');
    for (const title of ['First', 'Second', 'Third']) {
      t.clock.advance(1000);
      await t.db.transaction().execute((trx) =>
        t.services.notifications.notify(trx, {
          workspaceId,
          userIds: [viewer.userId, viewer.userId],
          kind: 'test',
          title,
        }),
      );
    }
    const get = async (query: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/notifications${query}`,
          headers: as(viewer),
        })
      ).json<Page>();
    const first = await get('?limit=2');
    // One per recipient, even when named twice.
    expect(first.items.map((n) => n.title)).toEqual(['Third', 'Second']);
    expect(first.unreadCount).toBe(3);
    const second = await get(`?limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((n) => n.title)).toEqual(['First']);
    expect(second.nextCursor).toBeNull();

    const read = await t.app.inject({
      method: 'POST',
      url: `/api/notifications/${first.items[0]!.id}/read`,
      headers: as(viewer),
    });
    expect(read.statusCode).toBe(200);
    expect((await get('?unread=true')).items.map((n) => n.title)).toEqual(['Second', 'First']);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('workspace_id', '=', workspaceId)
      .where('entity_type', '=', 'notification')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['notification.read']);
  });
});

describe('the live notification stream', () => {
  it('pushes a new notification of the member while connected, and only theirs', async () => {
    const { admin, workspaceId } = await aWorkspace(t);
    const agent = await aMember(t, admin, 'agent');
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    try {
      const unauthenticated = await fetch(`${address}/api/notifications/stream`);
      expect(unauthenticated.status).toBe(401);
      await unauthenticated.body?.cancel();

      const response = await fetch(`${address}/api/notifications/stream`, {
        headers: { cookie: agent.cookie },
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${String(pattern)}: ${text}`);
          text += value;
        }
      };
      await readUntil(/event: ready\ndata: \{"unreadCount":0\}/);

      await t.db.transaction().execute(async (trx) => {
        await t.services.notifications.notify(trx, {
          workspaceId,
          userIds: [admin.userId],
          kind: 'test',
          title: 'For the admin',
        });
        await t.services.notifications.notify(trx, {
          workspaceId,
          userIds: [agent.userId],
          kind: 'test',
          title: 'For the agent',
        });
      });
      await readUntil(/event: notification\ndata: (.*)\n\n/);
      const data = JSON.parse(/event: notification\ndata: (.*)\n\n/.exec(text)![1]!) as {
        notification: { title: string };
        unreadCount: number;
      };
      expect(data.notification.title).toBe('For the agent');
      expect(data.unreadCount).toBe(1);
      expect(text).not.toContain('For the admin');
    } finally {
      abort.abort();
    }
  });
});
