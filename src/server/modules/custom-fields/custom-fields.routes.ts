import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { CustomFieldsService } from './custom-fields.service.js';
import {
  createCustomFieldBodySchema,
  customFieldIdParamsSchema,
  customFieldSchema,
  listCustomFieldsQuerySchema,
  updateCustomFieldBodySchema,
} from './custom-fields.schemas.js';

const tags = ['custom fields'];
const one = { 200: customFieldSchema };

export function registerCustomFieldsRoutes(app: App, fields: CustomFieldsService): void {
  const ifMatch = (headers: { 'if-match'?: string }) => parseIfMatch(headers['if-match']);

  app.get(
    '/api/custom-fields',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List custom fields (filter by record type; archived ones on request)',
        querystring: listCustomFieldsQuerySchema,
        response: { 200: z.object({ items: z.array(customFieldSchema), nextCursor: z.null() }) },
      },
    },
    (request) => fields.listCustomFields(actorOf(request), request.query),
  );

  app.post(
    '/api/custom-fields',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Add a custom field to leads, contacts or companies (409 when the key is taken)',
        body: createCustomFieldBodySchema,
        response: { 201: customFieldSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await fields.createCustomField(actorOf(request), request.body)),
  );

  app.get(
    '/api/custom-fields/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Get a custom field',
        params: customFieldIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(reply, await fields.getCustomField(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/custom-fields/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Change a custom field (label, options, required, help text, position)',
        description: 'Key, type and sensitive never change: a different value is 422.',
        params: customFieldIdParamsSchema,
        body: updateCustomFieldBodySchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await fields.updateCustomField(
          actorOf(request),
          request.params.id,
          request.body,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/custom-fields/:id/archive',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Archive a custom field (its values stay stored, no longer checked or shown)',
        params: customFieldIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await fields.archiveCustomField(
          actorOf(request),
          request.params.id,
          ifMatch(request.headers),
        ),
      ),
  );

  app.delete(
    '/api/custom-fields/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Archive a custom field (DELETE never deletes one)',
        params: customFieldIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await fields.archiveCustomField(
          actorOf(request),
          request.params.id,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/custom-fields/:id/restore',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Restore an archived custom field (its stored values show again)',
        params: customFieldIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await fields.restoreCustomField(
          actorOf(request),
          request.params.id,
          ifMatch(request.headers),
        ),
      ),
  );
}
