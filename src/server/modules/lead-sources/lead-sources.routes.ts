import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { LeadSourcesService } from './lead-sources.service.js';
import {
  createLeadSourceBodySchema,
  leadSourceIdParamsSchema,
  leadSourceSchema,
  listLeadSourcesQuerySchema,
  updateLeadSourceBodySchema,
} from './lead-sources.schemas.js';

const tags = ['lead sources'];

export function registerLeadSourcesRoutes(app: App, sources: LeadSourcesService): void {
  app.get(
    '/api/lead-sources',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List lead sources (filter by active)',
        querystring: listLeadSourcesQuerySchema,
        response: { 200: z.object({ items: z.array(leadSourceSchema), nextCursor: z.null() }) },
      },
    },
    (request) => sources.listLeadSources(actorOf(request), request.query.active),
  );

  app.post(
    '/api/lead-sources',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Create a lead source',
        body: createLeadSourceBodySchema,
        response: { 201: leadSourceSchema },
      },
    },
    async (request, reply) => {
      const source = await sources.createLeadSource(actorOf(request), request.body);
      return withEtag(reply.code(201), source);
    },
  );

  app.get(
    '/api/lead-sources/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Get a lead source',
        params: leadSourceIdParamsSchema,
        response: { 200: leadSourceSchema },
      },
    },
    async (request, reply) => {
      const source = await sources.getLeadSource(actorOf(request), request.params.id);
      return withEtag(reply, source);
    },
  );

  app.patch(
    '/api/lead-sources/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Change a lead source (name, category, monthly cost, active)',
        params: leadSourceIdParamsSchema,
        body: updateLeadSourceBodySchema,
        response: { 200: leadSourceSchema },
      },
    },
    async (request, reply) => {
      const source = await sources.updateLeadSource(
        actorOf(request),
        request.params.id,
        request.body,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, source);
    },
  );

  app.delete(
    '/api/lead-sources/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Archive a lead source (it stays in reports, leaves the pickers)',
        params: leadSourceIdParamsSchema,
        response: { 200: leadSourceSchema },
      },
    },
    async (request, reply) => {
      const source = await sources.archiveLeadSource(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, source);
    },
  );
}
