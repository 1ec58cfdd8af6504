import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import type { WorkService } from './work.service.js';
import { myWorkQuerySchema, myWorkSchema } from './work.schemas.js';

export function registerWorkRoutes(app: App, work: WorkService): void {
  app.get(
    '/api/me/work',
    {
      config: { access: 'lead:read' },
      schema: {
        tags: ['tasks'],
        summary: 'My work: overdue and today’s tasks, follow-ups, leads not contacted, stuck leads',
        querystring: myWorkQuerySchema,
        response: { 200: myWorkSchema },
      },
    },
    (request) => work.getMyWork(actorOf(request), request.query.limit),
  );
}
