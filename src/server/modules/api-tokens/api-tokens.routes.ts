import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { emptyResponse } from '../../platform/http/openapi.js';
import type { App } from '../../platform/http/types.js';
import type { ApiTokensService } from './api-tokens.service.js';
import {
  apiTokenIdParamsSchema,
  apiTokenSchema,
  createApiTokenBodySchema,
  createdApiTokenSchema,
} from './api-tokens.schemas.js';

const tags = ['api tokens'];

export function registerApiTokensRoutes(app: App, apiTokens: ApiTokensService): void {
  app.get(
    '/api/api-tokens',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'List live API tokens (mine; all of the workspace for admins)',
        response: { 200: z.object({ items: z.array(apiTokenSchema), nextCursor: z.null() }) },
      },
    },
    (request) => apiTokens.listApiTokens(actorOf(request)),
  );

  app.post(
    '/api/api-tokens',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Create a personal API token for the current workspace (shown once)',
        body: createApiTokenBodySchema,
        response: { 201: createdApiTokenSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await apiTokens.createApiToken(actorOf(request), request.body)),
  );

  app.delete(
    '/api/api-tokens/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Revoke an API token; it stops working at once',
        params: apiTokenIdParamsSchema,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await apiTokens.revokeApiToken(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
