import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import { leadIdParamsSchema } from '../leads/leads.schemas.js';
import type { InsightsService } from './insights.service.js';
import { leadInsightsSchema } from './insights.schemas.js';

export function registerInsightsRoutes(app: App, insights: InsightsService): void {
  app.get(
    '/api/leads/:id/insights',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: ['leads'],
        summary: "A lead's suggested next step and best hour to call",
        description:
          'The next action follows from the stage, the last outcome, attempts without an answer ' +
          'and days since the last touch; the best hour from answered calls by hour of week (the ' +
          "contact's, else the workspace's, else the next business hour).",
        params: leadIdParamsSchema,
        response: { 200: leadInsightsSchema },
      },
    },
    (request) => insights.getLeadInsights(actorOf(request), request.params.id),
  );
}
