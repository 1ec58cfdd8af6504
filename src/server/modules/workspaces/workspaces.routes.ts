import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { WorkspacesService } from './workspaces.service.js';
import {
  createWorkspaceBodySchema,
  updateWorkspaceBodySchema,
  workspaceIdParamsSchema,
  workspaceSchema,
  workspaceSummarySchema,
} from './workspaces.schemas.js';

const tags = ['workspaces'];

export function registerWorkspacesRoutes(app: App, workspaces: WorkspacesService): void {
  app.get(
    '/api/workspaces',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'List the workspaces I belong to',
        response: {
          200: z.object({ items: z.array(workspaceSummarySchema), nextCursor: z.null() }),
        },
      },
    },
    async (request) => ({
      items: await workspaces.listWorkspaces(actorOf(request)),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/workspaces',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Create a workspace; its creator becomes its admin',
        body: createWorkspaceBodySchema,
        response: { 201: workspaceSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await workspaces.createWorkspace(actorOf(request), request.body)),
  );

  app.get(
    '/api/workspaces/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Get a workspace I belong to',
        params: workspaceIdParamsSchema,
        response: { 200: workspaceSchema },
      },
    },
    async (request, reply) => {
      const workspace = await workspaces.getWorkspace(actorOf(request), request.params.id);
      return withEtag(reply, workspace);
    },
  );

  app.patch(
    '/api/workspaces/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Change the current workspace (name, time zone, locale, currency, hours …)',
        params: workspaceIdParamsSchema,
        body: updateWorkspaceBodySchema,
        response: { 200: workspaceSchema },
      },
    },
    async (request, reply) => {
      const workspace = await workspaces.updateWorkspace(
        actorOf(request),
        request.params.id,
        request.body,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, workspace);
    },
  );
}
