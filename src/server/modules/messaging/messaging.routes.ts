import formbody from '@fastify/formbody';
import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import {
  createMessageBodySchema,
  createSuppressionBodySchema,
  createTemplateBodySchema,
  idParamsSchema,
  listTemplatesQuerySchema,
  messageSchema,
  outboxPageSchema,
  outboxQuerySchema,
  previewBodySchema,
  previewSchema,
  rejectBodySchema,
  suppressionSchema,
  suppressionsPageSchema,
  suppressionsQuerySchema,
  templateSchema,
  templatesListSchema,
  updateMessageBodySchema,
  updateTemplateBodySchema,
} from './messaging.schemas.js';
import type { MessagingService } from './messaging.service.js';
import {
  renderUnsubscribeConfirm,
  renderUnsubscribeInvalid,
  renderUnsubscribed,
} from './messaging.pages.js';
import type { TemplatesService } from './templates.service.js';

const templateTags = ['templates'];
const outboxTags = ['outbox'];
const suppressionTags = ['suppressions'];

export function registerMessagingRoutes(
  app: App,
  templates: TemplatesService,
  messaging: MessagingService,
): void {
  // Templates

  app.get(
    '/api/templates',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: templateTags,
        summary: 'Email and SMS templates, with the variables they may use',
        querystring: listTemplatesQuerySchema,
        response: { 200: templatesListSchema },
      },
    },
    (request) => templates.listTemplates(actorOf(request), request.query),
  );

  app.post(
    '/api/templates',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags: templateTags,
        summary: 'Add a template (an unknown variable is a 422)',
        body: createTemplateBodySchema,
        response: { 201: templateSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await templates.createTemplate(actorOf(request), request.body)),
  );

  app.post(
    '/api/templates/preview',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: templateTags,
        summary: 'Render unsaved template text with a real lead (the editor’s live preview)',
        body: previewBodySchema,
        response: { 200: previewSchema },
      },
    },
    (request) => messaging.previewTemplate(actorOf(request), undefined, request.body),
  );

  app.get(
    '/api/templates/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: templateTags,
        summary: 'A template',
        params: idParamsSchema,
        response: { 200: templateSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await templates.getTemplate(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/templates/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags: templateTags,
        summary: 'Change a template (If-Match)',
        params: idParamsSchema,
        body: updateTemplateBodySchema,
        response: { 200: templateSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await templates.updateTemplate(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.delete(
    '/api/templates/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags: templateTags,
        summary: 'Archive a template (DELETE never deletes one; drafts keep their text)',
        params: idParamsSchema,
        response: { 200: templateSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await templates.archiveTemplate(
          actorOf(request),
          request.params.id,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.post(
    '/api/templates/:id/preview',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: templateTags,
        summary: 'Render a template with a real lead, its contact and its owner',
        params: idParamsSchema,
        body: previewBodySchema,
        response: { 200: previewSchema },
      },
    },
    (request) => messaging.previewTemplate(actorOf(request), request.params.id, request.body),
  );

  // Messages and the outbox

  app.post(
    '/api/messages',
    {
      config: { access: 'lead:update' },
      schema: {
        tags: outboxTags,
        summary:
          'Write an email or SMS to a lead or contact: a draft in the outbox, never sent yet',
        body: createMessageBodySchema,
        response: { 201: messageSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await messaging.createMessage(actorOf(request), request.body)),
  );

  app.get(
    '/api/messages/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: outboxTags,
        summary: 'A message',
        params: idParamsSchema,
        response: { 200: messageSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await messaging.getMessage(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/messages/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags: outboxTags,
        summary: 'Edit a draft before it is approved (If-Match)',
        params: idParamsSchema,
        body: updateMessageBodySchema,
        response: { 200: messageSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await messaging.updateMessage(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.get(
    '/api/outbox',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: outboxTags,
        summary: 'The outbox: messages newest first, by status (draft = waiting for approval)',
        querystring: outboxQuerySchema,
        response: { 200: outboxPageSchema },
      },
    },
    (request) => messaging.listOutbox(actorOf(request), request.query),
  );

  app.post(
    '/api/outbox/:id/approve',
    {
      config: { access: 'message:approve' },
      schema: {
        tags: outboxTags,
        summary:
          "Approve a draft and send it (the lead's owner or a manager); compliance may suppress it",
        params: idParamsSchema,
        response: { 200: messageSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await messaging.approveMessage(
          actorOf(request),
          request.params.id,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.post(
    '/api/outbox/:id/reject',
    {
      config: { access: 'message:approve' },
      schema: {
        tags: outboxTags,
        summary: 'Reject a draft (it is never sent)',
        params: idParamsSchema,
        body: rejectBodySchema.optional(),
        response: { 200: messageSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await messaging.rejectMessage(
          actorOf(request),
          request.params.id,
          request.body?.reason ?? '',
        ),
      ),
  );

  app.post(
    '/api/outbox/:id/retry',
    {
      config: { access: 'message:approve' },
      schema: {
        tags: outboxTags,
        summary: 'Send a failed message again',
        params: idParamsSchema,
        response: { 200: messageSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await messaging.retryMessage(actorOf(request), request.params.id)),
  );

  // Suppression list

  app.get(
    '/api/suppressions',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags: suppressionTags,
        summary: 'Addresses nothing is sent to (unsubscribed, added by hand)',
        querystring: suppressionsQuerySchema,
        response: { 200: suppressionsPageSchema },
      },
    },
    (request) => messaging.listSuppressions(actorOf(request), request.query),
  );

  app.post(
    '/api/suppressions',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags: suppressionTags,
        summary: 'Suppress an email address or phone number (contacts with it are opted out)',
        body: createSuppressionBodySchema,
        response: { 201: suppressionSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await messaging.addSuppression(actorOf(request), request.body)),
  );

  app.delete(
    '/api/suppressions/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags: suppressionTags,
        summary: 'Take an address off the suppression list',
        params: idParamsSchema,
        response: { 200: suppressionSchema },
      },
    },
    (request) => messaging.removeSuppression(actorOf(request), request.params.id),
  );

  // The public unsubscribe link of marketing email (a plain form post or RFC 8058 one-click).
  void app.register(async (pages: App) => {
    await pages.register(formbody);
    const html = { config: { access: 'public' as const }, schema: { hide: true } };
    const params = z.object({ token: z.string().min(1).max(300) });

    pages.get(
      '/unsubscribe/:token',
      { ...html, schema: { hide: true, params } },
      async (request, reply) => {
        const view = await messaging.describeUnsubscribe(request.params.token);
        if (!view) return reply.code(404).type('text/html').send(renderUnsubscribeInvalid());
        const action = `/unsubscribe/${encodeURIComponent(request.params.token)}`;
        return reply.type('text/html').send(renderUnsubscribeConfirm(view, action));
      },
    );

    pages.post(
      '/unsubscribe/:token',
      { ...html, schema: { hide: true, params } },
      async (request, reply) => {
        const done = await messaging.unsubscribe(request.params.token);
        if (!done) return reply.code(404).type('text/html').send(renderUnsubscribeInvalid());
        return reply.type('text/html').send(renderUnsubscribed(done));
      },
    );
  });
}
