import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { PipelinesService } from './pipelines.service.js';
import {
  createPipelineBodySchema,
  listPipelinesQuerySchema,
  pipelineIdParamsSchema,
  pipelineSchema,
  reorderStagesBodySchema,
  stageIdParamsSchema,
  stageInputSchema,
  updatePipelineBodySchema,
  updateStageBodySchema,
} from './pipelines.schemas.js';

const tags = ['pipelines'];

const pipelineResponse = { 200: pipelineSchema };

export function registerPipelinesRoutes(app: App, pipelines: PipelinesService): void {
  const ifMatch = (headers: { 'if-match'?: string }) => parseIfMatch(headers['if-match']);

  app.get(
    '/api/pipelines',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List pipelines, each with its ordered stages (default first)',
        querystring: listPipelinesQuerySchema,
        response: { 200: z.object({ items: z.array(pipelineSchema), nextCursor: z.null() }) },
      },
    },
    (request) => pipelines.listPipelines(actorOf(request), request.query.includeArchived),
  );

  app.post(
    '/api/pipelines',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Create a pipeline with its stages (at least one open, one won, one lost)',
        body: createPipelineBodySchema,
        response: { 201: pipelineSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await pipelines.createPipeline(actorOf(request), request.body)),
  );

  app.get(
    '/api/pipelines/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Get a pipeline with its stages',
        params: pipelineIdParamsSchema,
        response: pipelineResponse,
      },
    },
    async (request, reply) =>
      withEtag(reply, await pipelines.getPipeline(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/pipelines/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Rename a pipeline, change its policy, or make it the default',
        params: pipelineIdParamsSchema,
        body: updatePipelineBodySchema,
        response: pipelineResponse,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await pipelines.updatePipeline(
          actorOf(request),
          request.params.id,
          request.body,
          ifMatch(request.headers),
        ),
      ),
  );

  app.delete(
    '/api/pipelines/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Archive a pipeline (never the default one)',
        params: pipelineIdParamsSchema,
        response: pipelineResponse,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await pipelines.archivePipeline(
          actorOf(request),
          request.params.id,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/pipelines/:id/stages',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Add a stage at the end of a pipeline',
        params: pipelineIdParamsSchema,
        body: stageInputSchema,
        response: { 201: pipelineSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await pipelines.addStage(
            actorOf(request),
            request.params.id,
            request.body,
            ifMatch(request.headers),
          ),
        ),
  );

  app.patch(
    '/api/pipelines/:id/stages/:stageId',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Change a stage (name, colour, probability, kind, max days …)',
        params: stageIdParamsSchema,
        body: updateStageBodySchema,
        response: pipelineResponse,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await pipelines.updateStage(
          actorOf(request),
          request.params.id,
          request.params.stageId,
          request.body,
          ifMatch(request.headers),
        ),
      ),
  );

  app.delete(
    '/api/pipelines/:id/stages/:stageId',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Archive a stage (the pipeline keeps at least one open, won and lost stage)',
        params: stageIdParamsSchema,
        response: pipelineResponse,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await pipelines.archiveStage(
          actorOf(request),
          request.params.id,
          request.params.stageId,
          ifMatch(request.headers),
        ),
      ),
  );

  app.put(
    '/api/pipelines/:id/stages/reorder',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Put the stages of a pipeline in a new order',
        params: pipelineIdParamsSchema,
        body: reorderStagesBodySchema,
        response: pipelineResponse,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await pipelines.reorderStages(
          actorOf(request),
          request.params.id,
          request.body.stageIds,
          ifMatch(request.headers),
        ),
      ),
  );
}
