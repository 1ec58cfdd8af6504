import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import { warningsSchema } from '../duplicates/duplicates.schemas.js';
import type { LeadsService } from './leads.service.js';
import {
  assignBodySchema,
  bulkBodySchema,
  bulkResultSchema,
  createLeadBodySchema,
  leadDetailSchema,
  leadIdParamsSchema,
  leadListItemSchema,
  leadSchema,
  listLeadsQuerySchema,
  stageSummaryQuerySchema,
  stageSummarySchema,
  markLostBodySchema,
  moveStageBodySchema,
  updateLeadBodySchema,
} from './leads.schemas.js';

const tags = ['leads'];
const one = { 200: leadSchema };

export function registerLeadsRoutes(app: App, leads: LeadsService): void {
  const ifMatch = (headers: { 'if-match'?: string }) => parseIfMatch(headers['if-match']);

  app.get(
    '/api/leads',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List leads, newest first, with filters and search',
        querystring: listLeadsQuerySchema,
        response: { 200: pageSchema(leadListItemSchema) },
      },
    },
    (request) => leads.listLeads(actorOf(request), request.query),
  );

  app.get(
    '/api/leads/stage-summary',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "Count, value and weighted value of a pipeline's leads per stage",
        description: 'Takes the filters of GET /api/leads; counts every matching lead.',
        querystring: stageSummaryQuerySchema,
        response: { 200: stageSummarySchema },
      },
    },
    (request) => leads.summarizeStages(actorOf(request), request.query),
  );

  app.post(
    '/api/leads/bulk',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Assign, move, tag or archive up to 500 leads',
        description:
          'Each lead is changed in its own transaction under the rules of its single-lead route ' +
          '(assigning needs lead:assign); the leads it could not change are listed with the ' +
          'problem that route would have returned.',
        body: bulkBodySchema,
        response: { 200: bulkResultSchema },
      },
    },
    (request) => leads.bulkUpdateLeads(actorOf(request), request.body),
  );

  app.post(
    '/api/leads',
    {
      config: { access: 'lead:create' },
      schema: {
        tags,
        summary:
          'Create a lead, with contactId or a new contact (409 with candidates on a known email/phone)',
        body: createLeadBodySchema,
        response: { 201: leadSchema.extend({ warnings: warningsSchema }) },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await leads.createLead(actorOf(request), request.body)),
  );

  app.get(
    '/api/leads/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Get a lead with its contact, company, stage, assignee and stage history',
        params: leadIdParamsSchema,
        response: { 200: leadDetailSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await leads.getLead(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/leads/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Change a lead (If-Match: its version; 412 when stale)',
        params: leadIdParamsSchema,
        body: updateLeadBodySchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await leads.updateLead(
          actorOf(request),
          request.params.id,
          request.body,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/leads/:id/stage',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: "Move a lead to another stage under the pipeline's policy",
        description:
          'forward_only pipelines never move back (except to a lost stage); backward_with_reason ' +
          'pipelines need a reason to move back; a lost stage needs lostReasonId.',
        params: leadIdParamsSchema,
        body: moveStageBodySchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await leads.moveLeadToStage(
          actorOf(request),
          request.params.id,
          request.body,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/leads/:id/lost',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: "Mark a lead lost with a reason (moves it to the pipeline's lost stage)",
        params: leadIdParamsSchema,
        body: markLostBodySchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await leads.markLeadLost(
          actorOf(request),
          request.params.id,
          request.body,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/leads/:id/assign',
    {
      config: { access: 'lead:assign' },
      schema: {
        tags,
        summary: 'Assign a lead to a person of the workspace (or unassign it)',
        params: leadIdParamsSchema,
        body: assignBodySchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await leads.assignLead(
          actorOf(request),
          request.params.id,
          request.body.userId,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/leads/:id/archive',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Archive a lead (nothing is deleted)',
        params: leadIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await leads.archiveLead(actorOf(request), request.params.id, ifMatch(request.headers)),
      ),
  );

  app.delete(
    '/api/leads/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Archive a lead (DELETE never deletes a lead)',
        params: leadIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await leads.archiveLead(actorOf(request), request.params.id, ifMatch(request.headers)),
      ),
  );

  app.post(
    '/api/leads/:id/restore',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Restore an archived lead',
        params: leadIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await leads.restoreLead(actorOf(request), request.params.id, ifMatch(request.headers)),
      ),
  );
}
