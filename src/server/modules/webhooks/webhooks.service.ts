// Outbound webhooks: a workspace's subscriptions to domain events, each call signed with the
// subscription's secret (HMAC-SHA256, webhooks.signing.ts), retried with exponential backoff, and
// logged (the delivery log, with manual redelivery). Also one-off deliveries for automation's
// "call an outbound webhook" action (deliverIn), which go through the same log and retries.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import { decryptText, encryptText } from '../../platform/crypto.js';
import type { WebhookDeliveryRow, WebhookRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import type { DomainEvent } from '../../platform/events.js';
import { createExpiringCache } from '../../platform/expiring-cache.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { outboundUrlProblem, postJson } from '../../platform/outbound-http.js';
import * as repo from './webhooks.repository.js';
import {
  WEBHOOK_EVENTS,
  type CreateWebhookInput,
  type DeliveryDto,
  type ListDeliveriesQuery,
  type UpdateWebhookInput,
  type WebhookDto,
} from './webhooks.schemas.js';
import { newSigningSecret, signedHeaders } from './webhooks.signing.js';

/** Attempts of one delivery, the first included (then it is marked failed). */
export const MAX_ATTEMPTS = 8;
/** The wait before the first retry; it doubles on each (1, 2, 4 … 64 minutes). */
export const FIRST_RETRY_MINUTES = 1;
/** A receiver that hasn't answered by then has failed this attempt. */
const TIMEOUT_MS = 10_000;
/** How often the sweep looks for retries that are due (their own schedule). */
const RETRY_SWEEP_MINUTES = 1;

export function retryDelayMinutes(attempt: number): number {
  return FIRST_RETRY_MINUTES * 2 ** (attempt - 1);
}

function toWebhookDto(row: WebhookRow): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as WebhookDto['events'],
    active: row.is_active,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toDeliveryDto(row: WebhookDeliveryRow): DeliveryDto {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    url: row.url,
    event: row.event_type,
    eventId: row.event_id,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    responseBody: row.response_body,
    redeliveryOf: row.redelivery_of,
    createdAt: row.created_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
  };
}

const auditView = ({ id, version, createdAt, updatedAt, ...settings }: WebhookDto) => settings;

/** The body receivers get for a domain event. */
function eventPayload(event: DomainEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    workspaceId: event.workspaceId,
    leadId: event.leadId,
    contactId: event.contactId,
    actor: { userId: event.actor.userId, via: event.actor.via },
    data: event.data,
  };
}

export interface OneOffDelivery {
  url: string;
  /** Signs the call like a subscription's when given. */
  secret?: string | null | undefined;
  /** The name receivers see in Leadkeeper-Event, e.g. "automation.rule_fired". */
  event: string;
  payload: Record<string, unknown>;
}

export function createWebhooksService(deps: ServiceDeps) {
  const { db, clock, config, encryptionKey, jobs, events, schedules } = deps;
  // Which event types a workspace's active webhooks want, asked on every change: another
  // instance's edit shows here within the TTL; this instance's at once (cleared on change).
  const subscribed = createExpiringCache<Set<string>>(clock, {
    ttlMs: 30_000,
    maxEntries: 10_000,
  });

  function sealSecret(secret: string) {
    if (!encryptionKey) {
      throw new AppError('conflict', {
        message: 'This server has no encryption key. Set ENCRYPTION_KEY to store webhook secrets.',
      });
    }
    return encryptText(encryptionKey, secret);
  }

  function openSecret(sealed: string): string {
    if (!encryptionKey) {
      throw new Error('A webhook secret cannot be read: ENCRYPTION_KEY is not set');
    }
    return decryptText(encryptionKey, sealed);
  }

  function checkUrl(url: string) {
    const problem = outboundUrlProblem(url, config.webhooksAllowPrivate);
    if (problem) throw fieldError('url', problem);
  }

  async function enqueueAttempt(trx: Executor, workspaceId: string, deliveryId: string) {
    await jobs.send(trx, 'webhook-delivery', { workspaceId, deliveryId });
  }

  /** One subscription's delivery per event, each with its own job (so one slow receiver waits alone). */
  async function fanOut(event: DomainEvent) {
    await db.transaction().execute(async (trx) => {
      const hooks = await repo.listActiveWebhooksFor(trx, event.workspaceId, event.type);
      const now = clock.now();
      for (const hook of hooks) {
        const delivery = await repo.insertDelivery(trx, {
          workspaceId: event.workspaceId,
          webhookId: hook.id,
          url: hook.url,
          secret: null,
          eventType: event.type,
          eventId: event.id,
          payload: eventPayload(event),
          maxAttempts: MAX_ATTEMPTS,
          redeliveryOf: null,
          now,
        });
        // Undefined: this event's job ran before and made the delivery already.
        if (delivery) await enqueueAttempt(trx, event.workspaceId, delivery.id);
      }
    });
  }

  /** One call to the receiver; a failure is retried later by the sweep, never by throwing. */
  async function attemptDelivery(workspaceId: string, deliveryId: string) {
    const delivery = await repo.findDelivery(db, workspaceId, deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    let url = delivery.url;
    let secret: string | null = null;
    const now = clock.now();
    const attempt = delivery.attempts + 1;
    const finish = (result: {
      ok: boolean;
      statusCode: number | null;
      error: string | null;
      responseBody: string | null;
      final?: boolean;
    }) => {
      const last = result.final === true || attempt >= delivery.max_attempts;
      return repo.recordAttempt(db, workspaceId, deliveryId, {
        status: result.ok ? 'succeeded' : last ? 'failed' : 'pending',
        statusCode: result.statusCode,
        error: result.error,
        responseBody: result.responseBody,
        nextAttemptAt:
          result.ok || last ? null : new Date(now.getTime() + retryDelayMinutes(attempt) * 60_000),
        now,
      });
    };
    if (!(await repo.claimAttempt(db, workspaceId, deliveryId, delivery.attempts, now))) return;
    try {
      if (delivery.webhook_id) {
        const hook = await repo.findWebhook(db, workspaceId, delivery.webhook_id);
        if (!hook) throw new Error('The webhook was removed.');
        // A corrected URL or a rotated secret applies to the retries still to come.
        url = hook.url;
        secret = openSecret(hook.secret);
      } else if (delivery.secret) {
        secret = openSecret(delivery.secret);
      }
    } catch (error) {
      await finish({
        ok: false,
        statusCode: null,
        error: (error as Error).message,
        responseBody: null,
        final: true,
      });
      return;
    }
    const body = JSON.stringify(delivery.payload);
    try {
      const response = await postJson(url, body, {
        headers: signedHeaders({
          secret,
          body,
          event: delivery.event_type,
          deliveryId,
          now,
        }),
        allowPrivate: config.webhooksAllowPrivate,
        timeoutMs: TIMEOUT_MS,
      });
      const ok = response.status >= 200 && response.status < 300;
      await finish({
        ok,
        statusCode: response.status,
        error: ok ? null : `The receiver answered ${response.status}`,
        responseBody: response.body.slice(0, 1000),
      });
    } catch (error) {
      await finish({
        ok: false,
        statusCode: null,
        error: (error as Error).message.slice(0, 500),
        responseBody: null,
      });
    }
  }

  jobs.register<{ workspaceId: string; deliveryId: string }>(
    'webhook-delivery',
    ({ workspaceId, deliveryId }) => attemptDelivery(workspaceId, deliveryId),
    // Receiver failures are retried by the sweep with their own backoff; this only covers a
    // crash of this process in the middle of an attempt.
    { retryLimit: 3 },
  );

  events.subscribe({
    name: 'webhooks',
    types: WEBHOOK_EVENTS,
    wants: async (event, trx) =>
      (
        await subscribed.get(event.workspaceId, () =>
          repo.subscribedEventTypes(trx, event.workspaceId),
        )
      ).has(event.type),
    handler: fanOut,
  });

  schedules.every('webhook-retries', RETRY_SWEEP_MINUTES, async () => {
    await db.transaction().execute(async (trx) => {
      const due = await repo.takeDueRetries(trx, clock.now(), 1000);
      for (const row of due) await enqueueAttempt(trx, row.workspace_id, row.id);
    });
  });

  async function findOwnWebhook(actor: Actor, id: string, executor: Executor, forUpdate = false) {
    const row = await repo.findWebhook(executor, actor.workspaceId, id, forUpdate);
    if (!row) throw notFound('Webhook');
    return row;
  }

  return {
    /**
     * For automation's "call an outbound webhook" action: a one-off signed (when a secret is
     * given) POST, made after the caller's transaction commits, retried and logged like a
     * subscription's. The caller has checked the actor may run the action; the URL is checked
     * here (a refused one is a 422 on `url`).
     */
    async deliverIn(trx: Executor, actor: Actor, input: OneOffDelivery): Promise<DeliveryDto> {
      checkUrl(input.url);
      const event = z.string().trim().min(1).max(100).parse(input.event);
      const delivery = await repo.insertDelivery(trx, {
        workspaceId: actor.workspaceId,
        webhookId: null,
        url: input.url,
        secret: input.secret ? sealSecret(input.secret) : null,
        eventType: event,
        eventId: null,
        payload: input.payload,
        maxAttempts: MAX_ATTEMPTS,
        redeliveryOf: null,
        now: clock.now(),
      });
      if (!delivery) throw new Error('A one-off delivery was not written');
      await enqueueAttempt(trx, actor.workspaceId, delivery.id);
      return toDeliveryDto(delivery);
    },

    async listWebhooks(actor: Actor) {
      requirePermission(actor, 'webhook:manage');
      const rows = await repo.listWebhooks(db, actor.workspaceId);
      return { items: rows.map(toWebhookDto), nextCursor: null };
    },

    async getWebhook(actor: Actor, id: string) {
      requirePermission(actor, 'webhook:manage');
      return toWebhookDto(await findOwnWebhook(actor, id, db));
    },

    async createWebhook(actor: Actor, input: CreateWebhookInput) {
      requirePermission(actor, 'webhook:manage');
      checkUrl(input.url);
      const secret = newSigningSecret();
      const sealed = sealSecret(secret);
      const dto = await db.transaction().execute(async (trx) => {
        const row = await repo.insertWebhook(trx, {
          workspaceId: actor.workspaceId,
          url: input.url,
          description: input.description,
          events: input.events,
          secret: sealed,
          active: input.active,
          now: clock.now(),
        });
        const created = toWebhookDto(row);
        await recordAudit(trx, clock, actor, {
          action: 'webhook.created',
          entityType: 'webhook',
          entityId: row.id,
          after: auditView(created),
        });
        return created;
      });
      subscribed.delete(actor.workspaceId);
      return { ...dto, secret };
    },

    async updateWebhook(
      actor: Actor,
      id: string,
      input: UpdateWebhookInput,
      expectedVersion: number | undefined,
    ) {
      requirePermission(actor, 'webhook:manage');
      if (input.url !== undefined) checkUrl(input.url);
      const secret = input.rotateSecret ? newSigningSecret() : undefined;
      const sealed = secret === undefined ? undefined : sealSecret(secret);
      const dto = await db.transaction().execute(async (trx) => {
        const before = await findOwnWebhook(actor, id, trx, true);
        assertVersion(before.version, expectedVersion);
        const row = await repo.updateWebhook(
          trx,
          actor.workspaceId,
          id,
          {
            url: input.url,
            description: input.description,
            events: input.events,
            is_active: input.active,
            secret: sealed,
          },
          clock.now(),
        );
        const after = toWebhookDto(row);
        await recordAudit(trx, clock, actor, {
          action: 'webhook.updated',
          entityType: 'webhook',
          entityId: id,
          before: { ...auditView(toWebhookDto(before)), ...(secret ? { secret: 'old' } : {}) },
          after: { ...auditView(after), ...(secret ? { secret: 'rotated' } : {}) },
        });
        return after;
      });
      subscribed.delete(actor.workspaceId);
      return secret === undefined ? dto : { ...dto, secret };
    },

    async deleteWebhook(actor: Actor, id: string, expectedVersion: number | undefined) {
      requirePermission(actor, 'webhook:manage');
      await db.transaction().execute(async (trx) => {
        const before = await findOwnWebhook(actor, id, trx, true);
        assertVersion(before.version, expectedVersion);
        await repo.deleteWebhook(trx, actor.workspaceId, id);
        await recordAudit(trx, clock, actor, {
          action: 'webhook.deleted',
          entityType: 'webhook',
          entityId: id,
          before: auditView(toWebhookDto(before)),
        });
      });
      subscribed.delete(actor.workspaceId);
    },

    async listDeliveries(actor: Actor, webhookId: string, query: ListDeliveriesQuery) {
      requirePermission(actor, 'webhook:manage');
      await findOwnWebhook(actor, webhookId, db);
      const before = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.coerce.date(), z.uuid()]))
        : undefined;
      const rows = await repo.listDeliveries(db, actor.workspaceId, webhookId, {
        status: query.status,
        before,
        limit: query.limit,
      });
      return toPage(rows, query.limit, toDeliveryDto, (row) => [
        row.created_at.toISOString(),
        row.id,
      ]);
    },

    /** A new delivery of the same payload (fresh attempts); the original stays in the log. */
    async redeliver(actor: Actor, deliveryId: string) {
      requirePermission(actor, 'webhook:manage');
      return db.transaction().execute(async (trx) => {
        const original = await repo.findDelivery(trx, actor.workspaceId, deliveryId);
        if (!original) throw notFound('Delivery');
        if (original.webhook_id) {
          const hook = await repo.findWebhook(trx, actor.workspaceId, original.webhook_id);
          if (!hook) throw notFound('Delivery');
        }
        const copy = await repo.insertDelivery(trx, {
          workspaceId: actor.workspaceId,
          webhookId: original.webhook_id,
          url: original.url,
          secret: original.secret,
          eventType: original.event_type,
          eventId: original.event_id,
          payload: original.payload,
          maxAttempts: MAX_ATTEMPTS,
          redeliveryOf: original.id,
          now: clock.now(),
        });
        if (!copy) throw new Error('A redelivery was not written');
        await enqueueAttempt(trx, actor.workspaceId, copy.id);
        await recordAudit(trx, clock, actor, {
          action: 'webhook.redelivered',
          entityType: 'webhook_delivery',
          entityId: copy.id,
          after: { redeliveryOf: original.id, event: original.event_type },
        });
        return toDeliveryDto(copy);
      });
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
