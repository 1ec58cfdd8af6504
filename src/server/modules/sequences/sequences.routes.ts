import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import {
  bulkEnrolResultSchema,
  createSequenceBodySchema,
  enrolBodySchema,
  enrolmentSchema,
  idParamsSchema,
  listEnrolmentsQuerySchema,
  listSequencesQuerySchema,
  sequenceSchema,
  sequenceStatsSchema,
  updateSequenceBodySchema,
} from './sequences.schemas.js';
import type { SequencesService } from './sequences.service.js';

const tags = ['sequences'];
const enrolmentList = z.object({ items: z.array(enrolmentSchema), nextCursor: z.null() });

export function registerSequencesRoutes(app: App, sequences: SequencesService): void {
  app.get(
    '/api/sequences',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Sequences (drip / nurture), by name',
        querystring: listSequencesQuerySchema,
        response: { 200: z.object({ items: z.array(sequenceSchema), nextCursor: z.null() }) },
      },
    },
    (request) => sequences.listSequences(actorOf(request), request.query),
  );

  app.post(
    '/api/sequences',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Create a sequence with its steps (autoSend: true needs message:auto_send)',
        body: createSequenceBodySchema,
        response: { 201: sequenceSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await sequences.createSequence(actorOf(request), request.body)),
  );

  app.get(
    '/api/sequences/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'A sequence and its steps',
        params: idParamsSchema,
        response: { 200: sequenceSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await sequences.getSequence(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/sequences/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary:
          'Change a sequence; steps replaces the list (running enrolments go on by position)',
        params: idParamsSchema,
        body: updateSequenceBodySchema,
        response: { 200: sequenceSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await sequences.updateSequence(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.post(
    '/api/sequences/:id/archive',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Archive a sequence; its running enrolments end',
        params: idParamsSchema,
        response: { 200: sequenceSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await sequences.archiveSequence(
          actorOf(request),
          request.params.id,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.get(
    '/api/sequences/:id/stats',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Per-step statistics: reached, drafted / sent, replied after, exits by reason',
        params: idParamsSchema,
        response: { 200: sequenceStatsSchema },
      },
    },
    (request) => sequences.getSequenceStats(actorOf(request), request.params.id),
  );

  app.get(
    '/api/sequences/:id/enrolments',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "A sequence's enrolments, newest first",
        params: idParamsSchema,
        querystring: listEnrolmentsQuerySchema,
        response: { 200: enrolmentList },
      },
    },
    (request) =>
      sequences.listSequenceEnrolments(actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/sequences/:id/enrolments',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary:
          'Enrol a lead ({ leadId } → 201) or many ({ leadIds } → 200 with a result per lead)',
        params: idParamsSchema,
        body: enrolBodySchema,
        response: { 200: bulkEnrolResultSchema, 201: enrolmentSchema },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if ('leadIds' in request.body) {
        return sequences.enrolLeads(actor, request.params.id, request.body.leadIds);
      }
      return reply
        .code(201)
        .send(await sequences.enrolLead(actor, request.params.id, request.body.leadId));
    },
  );

  app.get(
    '/api/leads/:id/enrolments',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "A lead's sequence enrolments, newest first",
        params: idParamsSchema,
        response: { 200: enrolmentList },
      },
    },
    (request) => sequences.listLeadEnrolments(actorOf(request), request.params.id),
  );

  for (const action of ['pause', 'resume', 'stop'] as const) {
    app.post(
      `/api/sequence-enrolments/:id/${action}`,
      {
        config: { access: 'lead:update' },
        schema: {
          tags,
          summary: {
            pause: 'Pause an enrolment (no step runs until it is resumed)',
            resume: 'Resume a paused enrolment where it stopped',
            stop: 'Take the lead out of the sequence (exit reason: stopped)',
          }[action],
          params: idParamsSchema,
          response: { 200: enrolmentSchema },
        },
      },
      (request) => {
        const actor = actorOf(request);
        const id = request.params.id;
        switch (action) {
          case 'pause':
            return sequences.pauseEnrolment(actor, id);
          case 'resume':
            return sequences.resumeEnrolment(actor, id);
          case 'stop':
            return sequences.stopEnrolment(actor, id);
        }
      },
    );
  }
}
