import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import type { App } from '../../platform/http/types.js';
import type { ActivitiesService } from './activities.service.js';
import {
  activitySchema,
  listActivitiesQuerySchema,
  logActivityBodySchema,
  recordIdParamsSchema,
} from './activities.schemas.js';

const tags = ['activities'];
const LOG_DESCRIPTION =
  "A call, email, message, meeting or document updates the lead's last contact, attempts and " +
  'contact status; a note does not. `followUp` schedules the next step as a task.';

export function registerActivitiesRoutes(app: App, activities: ActivitiesService): void {
  app.get(
    '/api/leads/:id/activities',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "A lead's timeline, newest first",
        params: recordIdParamsSchema,
        querystring: listActivitiesQuerySchema,
        response: { 200: pageSchema(activitySchema) },
      },
    },
    (request) => activities.listLeadActivities(actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/leads/:id/activities',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Log a touch or a note on a lead',
        description: LOG_DESCRIPTION,
        params: recordIdParamsSchema,
        body: logActivityBodySchema,
        response: { 201: activitySchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await activities.logLeadActivity(actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/api/contacts/:id/activities',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "A contact's timeline (including its leads' activities), newest first",
        params: recordIdParamsSchema,
        querystring: listActivitiesQuerySchema,
        response: { 200: pageSchema(activitySchema) },
      },
    },
    (request) =>
      activities.listContactActivities(actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/contacts/:id/activities',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Log a touch or a note on a contact',
        params: recordIdParamsSchema,
        body: logActivityBodySchema,
        response: { 201: activitySchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await activities.logContactActivity(actorOf(request), request.params.id, request.body),
        ),
  );
}
