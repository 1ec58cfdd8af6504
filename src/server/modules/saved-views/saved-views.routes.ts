import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { emptyResponse } from '../../platform/http/openapi.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { SavedViewsService } from './saved-views.service.js';
import {
  createSavedViewBodySchema,
  savedViewIdParamsSchema,
  savedViewSchema,
  updateSavedViewBodySchema,
} from './saved-views.schemas.js';

const tags = ['saved views'];

export function registerSavedViewsRoutes(app: App, views: SavedViewsService): void {
  app.get(
    '/api/saved-views',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "The leads list's saved views: the caller's own and the shared ones",
        response: { 200: z.object({ items: z.array(savedViewSchema), nextCursor: z.null() }) },
      },
    },
    (request) => views.listSavedViews(actorOf(request)),
  );

  app.post(
    '/api/saved-views',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Save filters, columns and sort under a name (shared: needs lead:configure)',
        body: createSavedViewBodySchema,
        response: { 201: savedViewSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await views.createSavedView(actorOf(request), request.body)),
  );

  app.patch(
    '/api/saved-views/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Change a saved view (its owner; a shared one needs lead:configure)',
        params: savedViewIdParamsSchema,
        body: updateSavedViewBodySchema,
        response: { 200: savedViewSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await views.updateSavedView(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.delete(
    '/api/saved-views/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Remove a saved view (its owner; a shared one needs lead:configure)',
        params: savedViewIdParamsSchema,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await views.deleteSavedView(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return reply.code(204).send(null);
    },
  );
}
