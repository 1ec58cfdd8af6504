// In-app notifications: what the server tells a member (a new inquiry for them, later: rules and
// reminders). Other modules write them with notify() inside their own transaction; each member
// reads and marks only their own.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { NotificationRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import * as repo from './notifications.repository.js';
import type { ListNotificationsQuery, NotificationDto } from './notifications.schemas.js';

function toNotificationDto(row: NotificationRow): NotificationDto {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    leadId: row.lead_id,
    read: row.read_at !== null,
    readAt: row.read_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export interface NewNotification {
  workspaceId: string;
  userIds: string[];
  kind: string;
  title: string;
  body?: string;
  leadId?: string | null;
}

/** How often an open live stream asks the database for the member's new notifications. */
export const STREAM_POLL_MS = 2000;
/**
 * How far back each poll looks: a notification written in a transaction that committed late can
 * carry an earlier time than one already shown, and must still arrive (ids already sent are
 * skipped).
 */
const STREAM_LOOKBACK_MS = 60_000;

export type StreamMessage =
  | { type: 'ready'; unreadCount: number }
  | { type: 'notification'; notification: NotificationDto; unreadCount: number }
  | { type: 'unread'; unreadCount: number };

export function createNotificationsService({ db, clock }: ServiceDeps) {
  return {
    /**
     * The live stream of the caller's notifications (server-sent events): polls the database,
     * so it works the same on PGlite and PostgreSQL and with any number of instances (a
     * notification written by another instance arrives within one poll). Returns stop().
     */
    async watchNotifications(
      actor: Actor,
      send: (message: StreamMessage) => void,
      onError: (error: unknown) => void,
    ): Promise<() => void> {
      requirePermission(actor, 'lead:read');
      const { workspaceId, userId } = actor;
      const sent = new Map<string, number>();
      let newest = clock.now().getTime();
      for (const row of await repo.listNotificationsSince(
        db,
        workspaceId,
        userId,
        new Date(newest - STREAM_LOOKBACK_MS),
        1000,
      )) {
        sent.set(row.id, row.created_at.getTime());
        newest = Math.max(newest, row.created_at.getTime());
      }
      let unreadCount = await repo.countUnread(db, workspaceId, userId);
      send({ type: 'ready', unreadCount });
      let polling = false;
      let stopped = false;
      const poll = async () => {
        const since = newest - STREAM_LOOKBACK_MS;
        const rows = await repo.listNotificationsSince(
          db,
          workspaceId,
          userId,
          new Date(since),
          200,
        );
        const fresh = rows.filter((row) => !sent.has(row.id));
        const count = await repo.countUnread(db, workspaceId, userId);
        if (stopped) return;
        for (const row of fresh) {
          sent.set(row.id, row.created_at.getTime());
          newest = Math.max(newest, row.created_at.getTime());
          send({ type: 'notification', notification: toNotificationDto(row), unreadCount: count });
        }
        if (fresh.length === 0 && count !== unreadCount)
          send({ type: 'unread', unreadCount: count });
        unreadCount = count;
        for (const [id, at] of sent) if (at < since) sent.delete(id);
      };
      const timer = setInterval(() => {
        if (polling) return;
        polling = true;
        poll()
          .catch(onError)
          .finally(() => (polling = false));
      }, STREAM_POLL_MS);
      return () => {
        stopped = true;
        clearInterval(timer);
      };
    },

    /** Writes one notification per recipient inside the caller's transaction. */
    async notify(trx: Executor, notification: NewNotification) {
      const now = clock.now();
      const rows = await repo.insertNotifications(
        trx,
        [...new Set(notification.userIds)].map((userId) => ({
          workspaceId: notification.workspaceId,
          userId,
          kind: notification.kind,
          title: notification.title.slice(0, 300),
          body: notification.body ?? '',
          leadId: notification.leadId ?? null,
          now,
        })),
      );
      return rows.map(toNotificationDto);
    },

    /**
     * For a privacy erasure, inside its transaction: notifications about the person's leads
     * keep their links but lose the person's names and what they wrote.
     */
    async redactAboutLeads(
      trx: Executor,
      workspaceId: string,
      leadIds: string[],
      redact: (text: string) => string,
    ): Promise<number> {
      const rows = await repo.listNotificationsOfLeads(trx, workspaceId, leadIds);
      for (const row of rows) {
        await repo.updateNotificationText(trx, workspaceId, row.id, {
          title: redact(row.title),
          body: '',
        });
      }
      return rows.length;
    },

    async listNotifications(actor: Actor, query: ListNotificationsQuery) {
      requirePermission(actor, 'lead:read');
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const rows = await repo.listNotifications(db, actor.workspaceId, actor.userId, {
        unread: query.unread,
        before,
        limit: query.limit,
      });
      const page = toPage(rows, query.limit, toNotificationDto, (row) => [
        row.created_at.toISOString(),
        row.id,
      ]);
      return {
        ...page,
        unreadCount: await repo.countUnread(db, actor.workspaceId, actor.userId),
      };
    },

    /** Marks one of the caller's notifications read; another member's is not found. */
    async markRead(actor: Actor, notificationId: string) {
      requirePermission(actor, 'lead:read');
      return db.transaction().execute(async (trx) => {
        const row = await repo.findNotification(
          trx,
          actor.workspaceId,
          actor.userId,
          notificationId,
        );
        if (!row) throw notFound('Notification');
        if (row.read_at) return toNotificationDto(row);
        const now = clock.now();
        await repo.markRead(trx, actor.workspaceId, actor.userId, notificationId, now);
        await recordAudit(trx, clock, actor, {
          action: 'notification.read',
          entityType: 'notification',
          entityId: notificationId,
          before: { read: false },
          after: { read: true },
        });
        return toNotificationDto({ ...row, read_at: now });
      });
    },

    async markAllRead(actor: Actor) {
      requirePermission(actor, 'lead:read');
      return db.transaction().execute(async (trx) => {
        const marked = await repo.markRead(trx, actor.workspaceId, actor.userId, null, clock.now());
        if (marked.length > 0) {
          await recordAudit(trx, clock, actor, {
            action: 'notification.read_all',
            entityType: 'user',
            entityId: actor.userId,
            after: { marked: marked.length },
          });
        }
        return { marked: marked.length };
      });
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
