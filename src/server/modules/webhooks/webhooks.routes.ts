import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { emptyResponse } from '../../platform/http/openapi.js';
import { pageSchema } from '../../platform/http/pagination.js';
import type { App } from '../../platform/http/types.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import {
  createWebhookBodySchema,
  deliveryIdParamsSchema,
  deliverySchema,
  listDeliveriesQuerySchema,
  updateWebhookBodySchema,
  webhookIdParamsSchema,
  webhookSchema,
  webhookWithSecretSchema,
} from './webhooks.schemas.js';
import type { WebhooksService } from './webhooks.service.js';

const tags = ['webhooks'];

export function registerWebhooksRoutes(app: App, webhooks: WebhooksService): void {
  app.get(
    '/api/webhooks',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: "The workspace's outbound webhook subscriptions",
        response: { 200: z.object({ items: z.array(webhookSchema), nextCursor: z.null() }) },
      },
    },
    (request) => webhooks.listWebhooks(actorOf(request)),
  );

  app.post(
    '/api/webhooks',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: 'Subscribe a URL to events; the answer shows the signing secret, only this once',
        body: createWebhookBodySchema,
        response: { 201: webhookWithSecretSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await webhooks.createWebhook(actorOf(request), request.body)),
  );

  app.get(
    '/api/webhooks/:id',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: 'A webhook subscription (never its secret)',
        params: webhookIdParamsSchema,
        response: { 200: webhookSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await webhooks.getWebhook(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/webhooks/:id',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: 'Change a webhook (URL, events, active); rotateSecret returns a new secret once',
        params: webhookIdParamsSchema,
        body: updateWebhookBodySchema,
        response: { 200: webhookWithSecretSchema.partial({ secret: true }) },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await webhooks.updateWebhook(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.delete(
    '/api/webhooks/:id',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: 'Remove a webhook and its delivery log',
        params: webhookIdParamsSchema,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await webhooks.deleteWebhook(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/webhooks/:id/deliveries',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: "A webhook's delivery log, newest first (attempts, answers, next retry)",
        params: webhookIdParamsSchema,
        querystring: listDeliveriesQuerySchema,
        response: { 200: pageSchema(deliverySchema) },
      },
    },
    (request) => webhooks.listDeliveries(actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/webhooks/deliveries/:id/redeliver',
    {
      config: { access: 'webhook:manage' },
      schema: {
        tags,
        summary: 'Send a logged delivery again (a new delivery of the same payload)',
        params: deliveryIdParamsSchema,
        response: { 201: deliverySchema },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.redeliver(actorOf(request), request.params.id);
      return reply.code(201).send(delivery);
    },
  );
}
