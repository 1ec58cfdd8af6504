import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import {
  scoringModelSchema,
  scoringRulesBodySchema,
  scoringRulesSchema,
} from './scoring.schemas.js';
import type { ScoringService } from './scoring.service.js';

const tags = ['scoring'];

export function registerScoringRoutes(app: App, scoring: ScoringService): void {
  app.get(
    '/api/scoring/rules',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "The workspace's scoring rules (version 0: none set yet)",
        response: { 200: scoringRulesSchema },
      },
    },
    async (request, reply) => withEtag(reply, await scoring.getRules(actorOf(request))),
  );

  app.put(
    '/api/scoring/rules',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary:
          'Replace the scoring rules (the whole list); every open lead is rescored after commit',
        body: scoringRulesBodySchema,
        response: { 200: scoringRulesSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await scoring.updateRules(
          actorOf(request),
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.get(
    '/api/scoring/model',
    {
      config: { access: 'lead:analytics' },
      schema: {
        tags,
        summary: 'The predictive model: status, and its evaluation on held-out closed leads',
        response: { 200: scoringModelSchema },
      },
    },
    (request) => scoring.getModel(actorOf(request)),
  );

  app.post(
    '/api/scoring/model/train',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Retrain the model now (a background job; GET /api/scoring/model shows when done)',
        response: { 202: scoringModelSchema },
      },
    },
    async (request, reply) => {
      const model = await scoring.requestTraining(actorOf(request));
      return reply.code(202).send(model);
    },
  );
}
