// The only SQL for notifications; every function is scoped by workspace (and by the recipient).
import type { Executor } from '../../platform/audit.js';
import { newestFirst } from '../../platform/db/keyset.js';

export function insertNotifications(
  db: Executor,
  rows: {
    workspaceId: string;
    userId: string;
    kind: string;
    title: string;
    body: string;
    leadId: string | null;
    now: Date;
  }[],
) {
  if (rows.length === 0) return Promise.resolve([]);
  return db
    .insertInto('notifications')
    .values(
      rows.map((row) => ({
        workspace_id: row.workspaceId,
        user_id: row.userId,
        kind: row.kind,
        title: row.title,
        body: row.body,
        lead_id: row.leadId,
        created_at: row.now,
      })),
    )
    .returningAll()
    .execute();
}

export function listNotifications(
  db: Executor,
  workspaceId: string,
  userId: string,
  filter: { unread: boolean; before?: [Date, string] | undefined; limit: number },
) {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId);
  if (filter.unread) query = query.where('read_at', 'is', null);
  return newestFirst(query, filter.before, filter.limit + 1).execute();
}

/** The member's notifications made at or after `since`, oldest first (the live stream's poll). */
export function listNotificationsSince(
  db: Executor,
  workspaceId: string,
  userId: string,
  since: Date,
  limit: number,
) {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countUnread(db: Executor, workspaceId: string, userId: string) {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export function findNotification(db: Executor, workspaceId: string, userId: string, id: string) {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function markRead(
  db: Executor,
  workspaceId: string,
  userId: string,
  id: string | null,
  now: Date,
) {
  let query = db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
  if (id) query = query.where('id', '=', id);
  return query.returning('id').execute();
}

/** Notifications about these leads, for a privacy erasure to redact. */
export function listNotificationsOfLeads(db: Executor, workspaceId: string, leadIds: string[]) {
  if (leadIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('notifications')
    .select(['id', 'title', 'body'])
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', 'in', leadIds)
    .execute();
}

export async function updateNotificationText(
  db: Executor,
  workspaceId: string,
  id: string,
  text: { title: string; body: string },
) {
  await db
    .updateTable('notifications')
    .set(text)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}
