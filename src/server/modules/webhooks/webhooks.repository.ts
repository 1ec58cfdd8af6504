// The only SQL for outbound webhooks: subscriptions and their delivery log, scoped by workspace.
// (The retry sweep is the one instance-wide read: it finds due retries in every workspace.)
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { WebhookDeliveryStatus } from '../../platform/db/schema.js';
import { newestFirst } from '../../platform/db/keyset.js';

export function listWebhooks(db: Executor, workspaceId: string) {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function findWebhook(db: Executor, workspaceId: string, id: string, forUpdate = false) {
  let query = db
    .selectFrom('webhooks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The event types some active webhook of the workspace wants. */
export async function subscribedEventTypes(db: Executor, workspaceId: string) {
  const rows = await db
    .selectFrom('webhooks')
    .select(sql<string>`unnest(events)`.as('event'))
    .where('workspace_id', '=', workspaceId)
    .where('is_active', '=', true)
    .execute();
  return new Set(rows.map((row) => row.event));
}

export function listActiveWebhooksFor(db: Executor, workspaceId: string, eventType: string) {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('is_active', '=', true)
    .where(sql<boolean>`events @> array[${eventType}]::text[]`)
    .execute();
}

export function insertWebhook(
  db: Executor,
  row: {
    workspaceId: string;
    url: string;
    description: string;
    events: string[];
    secret: string;
    active: boolean;
    now: Date;
  },
) {
  return db
    .insertInto('webhooks')
    .values({
      workspace_id: row.workspaceId,
      url: row.url,
      description: row.description,
      events: row.events,
      secret: row.secret,
      is_active: row.active,
      created_at: row.now,
      updated_at: row.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateWebhook(
  db: Executor,
  workspaceId: string,
  id: string,
  changes: {
    url?: string | undefined;
    description?: string | undefined;
    events?: string[] | undefined;
    is_active?: boolean | undefined;
    secret?: string | undefined;
  },
  now: Date,
) {
  return db
    .updateTable('webhooks')
    .set((eb) => ({ ...changes, updated_at: now, version: eb('version', '+', 1) }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteWebhook(db: Executor, workspaceId: string, id: string) {
  await db
    .deleteFrom('webhook_deliveries')
    .where('workspace_id', '=', workspaceId)
    .where('webhook_id', '=', id)
    .execute();
  await db
    .deleteFrom('webhooks')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export interface NewDelivery {
  workspaceId: string;
  webhookId: string | null;
  url: string;
  secret: string | null;
  eventType: string;
  eventId: string | null;
  payload: Record<string, unknown>;
  maxAttempts: number;
  redeliveryOf: string | null;
  now: Date;
}

/** Inserts a delivery; undefined when this subscription already has one for this event. */
export function insertDelivery(db: Executor, row: NewDelivery) {
  return db
    .insertInto('webhook_deliveries')
    .values({
      workspace_id: row.workspaceId,
      webhook_id: row.webhookId,
      url: row.url,
      secret: row.secret,
      event_type: row.eventType,
      event_id: row.eventId,
      payload: JSON.stringify(row.payload),
      status: 'pending',
      max_attempts: row.maxAttempts,
      redelivery_of: row.redeliveryOf,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'webhook_id', 'event_id'])
        .where('event_id', 'is not', null)
        .where('redelivery_of', 'is', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export function findDelivery(db: Executor, workspaceId: string, id: string) {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function listDeliveries(
  db: Executor,
  workspaceId: string,
  webhookId: string,
  filter: {
    status?: WebhookDeliveryStatus | undefined;
    before?: [Date, string] | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('webhook_id', '=', webhookId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return newestFirst(query, filter.before, filter.limit + 1).execute();
}

/**
 * Takes the next attempt of a pending delivery: true for the one caller that counted it (a job
 * run twice doesn't call the receiver twice for the same attempt).
 */
export async function claimAttempt(
  db: Executor,
  workspaceId: string,
  id: string,
  attemptsSeen: number,
  now: Date,
) {
  const row = await db
    .updateTable('webhook_deliveries')
    .set({ attempts: attemptsSeen + 1, next_attempt_at: null, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', attemptsSeen)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function recordAttempt(
  db: Executor,
  workspaceId: string,
  id: string,
  result: {
    status: WebhookDeliveryStatus;
    statusCode: number | null;
    error: string | null;
    responseBody: string | null;
    nextAttemptAt: Date | null;
    now: Date;
  },
) {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: result.status,
      last_status_code: result.statusCode,
      last_error: result.error,
      response_body: result.responseBody,
      next_attempt_at: result.nextAttemptAt,
      delivered_at: result.status === 'succeeded' ? result.now : null,
      updated_at: result.now,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

/** Pending retries whose time has come, in every workspace; each is taken off the timer. */
export async function takeDueRetries(db: Executor, now: Date, limit: number) {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['workspace_id', 'id'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', 'is not', null)
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  for (const row of rows) {
    await db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: null })
      .where('workspace_id', '=', row.workspace_id)
      .where('id', '=', row.id)
      .execute();
  }
  return rows;
}
