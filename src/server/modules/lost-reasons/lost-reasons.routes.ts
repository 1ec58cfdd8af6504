import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { LostReasonsService } from './lost-reasons.service.js';
import {
  createLostReasonBodySchema,
  lostReasonIdParamsSchema,
  lostReasonSchema,
  listLostReasonsQuerySchema,
  updateLostReasonBodySchema,
} from './lost-reasons.schemas.js';

const tags = ['lost reasons'];

export function registerLostReasonsRoutes(app: App, reasons: LostReasonsService): void {
  app.get(
    '/api/lost-reasons',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List lost reasons (filter by active)',
        querystring: listLostReasonsQuerySchema,
        response: { 200: z.object({ items: z.array(lostReasonSchema), nextCursor: z.null() }) },
      },
    },
    (request) => reasons.listLostReasons(actorOf(request), request.query.active),
  );

  app.post(
    '/api/lost-reasons',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Add a lost reason at the end of the list',
        body: createLostReasonBodySchema,
        response: { 201: lostReasonSchema },
      },
    },
    async (request, reply) => {
      const reason = await reasons.createLostReason(actorOf(request), request.body.name);
      return withEtag(reply.code(201), reason);
    },
  );

  app.get(
    '/api/lost-reasons/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Get a lost reason',
        params: lostReasonIdParamsSchema,
        response: { 200: lostReasonSchema },
      },
    },
    async (request, reply) => {
      const reason = await reasons.getLostReason(actorOf(request), request.params.id);
      return withEtag(reply, reason);
    },
  );

  app.patch(
    '/api/lost-reasons/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Change a lost reason (name, position, active)',
        params: lostReasonIdParamsSchema,
        body: updateLostReasonBodySchema,
        response: { 200: lostReasonSchema },
      },
    },
    async (request, reply) => {
      const reason = await reasons.updateLostReason(
        actorOf(request),
        request.params.id,
        request.body,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, reason);
    },
  );

  app.delete(
    '/api/lost-reasons/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Archive a lost reason (it stays on lost leads, leaves the pickers)',
        params: lostReasonIdParamsSchema,
        response: { 200: lostReasonSchema },
      },
    },
    async (request, reply) => {
      const reason = await reasons.archiveLostReason(
        actorOf(request),
        request.params.id,
        parseIfMatch(request.headers['if-match']),
      );
      return withEtag(reply, reason);
    },
  );
}
