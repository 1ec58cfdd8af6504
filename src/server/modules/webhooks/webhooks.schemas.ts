import { z } from 'zod';
import type { EventType } from '../../platform/events.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';
import { WEBHOOK_DELIVERY_STATUSES } from '../../platform/db/schema.js';

/** The domain events a workspace can subscribe a webhook to. */
export const WEBHOOK_EVENTS = [
  'lead.created',
  'lead.updated',
  'lead.stage_changed',
  'lead.assigned',
  'lead.won',
  'lead.lost',
  'lead.converted',
  'contact.created',
  'task.overdue',
] as const satisfies readonly EventType[];

const url = z.string().trim().min(8).max(2000).describe('Where events are POSTed (http or https)');
const events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1, 'Pick at least one event.')
  .max(WEBHOOK_EVENTS.length)
  .transform((list) => [...new Set(list)]);
const description = z.string().trim().max(200);

export const webhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    active: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Webhook' });
export type WebhookDto = z.infer<typeof webhookSchema>;

export const webhookWithSecretSchema = webhookSchema
  .extend({
    secret: z
      .string()
      .describe('The signing secret: shown only now, when made or rotated. Keep it safe.'),
  })
  .meta({ id: 'WebhookWithSecret' });

export const createWebhookBodySchema = z.object({
  url,
  description: description.default(''),
  events,
  active: z.boolean().default(true),
});
export type CreateWebhookInput = z.infer<typeof createWebhookBodySchema>;

export const updateWebhookBodySchema = z.object({
  url: url.optional(),
  description: description.optional(),
  events: events.optional(),
  active: z.boolean().optional(),
  rotateSecret: z
    .literal(true)
    .optional()
    .describe('Make a new signing secret (returned once); the old one stops at once'),
});
export type UpdateWebhookInput = z.infer<typeof updateWebhookBodySchema>;

export const webhookIdParamsSchema = z.object({ id: z.uuid() });

export const deliverySchema = z
  .object({
    id: z.uuid(),
    webhookId: z.uuid().nullable().describe('Null for a one-off delivery (an automation action)'),
    url: z.string(),
    event: z.string(),
    eventId: z.uuid().nullable(),
    payload: z.record(z.string(), z.unknown()),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    nextAttemptAt: z.iso.datetime().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    responseBody: z.string().nullable().describe("The start of the receiver's last answer"),
    redeliveryOf: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    deliveredAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type DeliveryDto = z.infer<typeof deliverySchema>;

export const listDeliveriesQuerySchema = pageQuerySchema.extend({
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
});
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuerySchema>;

export const deliveryIdParamsSchema = z.object({ id: z.uuid() });
