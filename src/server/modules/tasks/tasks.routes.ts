import { actorOf } from '../../platform/auth/authenticate.js';
import { pageSchema } from '../../platform/http/pagination.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import type { TasksService } from './tasks.service.js';
import {
  completeTaskBodySchema,
  createLeadTaskBodySchema,
  createTaskBodySchema,
  listRecordTasksQuerySchema,
  listTasksQuerySchema,
  taskIdParamsSchema,
  taskSchema,
  updateTaskBodySchema,
} from './tasks.schemas.js';

const tags = ['tasks'];
const one = { 200: taskSchema };

export function registerTasksRoutes(app: App, tasks: TasksService): void {
  const ifMatch = (headers: { 'if-match'?: string }) => parseIfMatch(headers['if-match']);

  app.get(
    '/api/tasks',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'List tasks, soonest due first (open ones unless status says otherwise)',
        querystring: listTasksQuerySchema,
        response: { 200: pageSchema(taskSchema) },
      },
    },
    (request) => tasks.listTasks(actorOf(request), request.query),
  );

  app.post(
    '/api/tasks',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Create a task on a lead, a contact, or for yourself',
        body: createTaskBodySchema,
        response: { 201: taskSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await tasks.createTask(actorOf(request), request.body)),
  );

  app.get(
    '/api/leads/:id/tasks',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "A lead's tasks (open ones unless status says otherwise)",
        params: taskIdParamsSchema,
        querystring: listRecordTasksQuerySchema,
        response: { 200: pageSchema(taskSchema) },
      },
    },
    (request) => tasks.listTasks(actorOf(request), { ...request.query, leadId: request.params.id }),
  );

  app.post(
    '/api/leads/:id/tasks',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: "Create a task on a lead (assigned to the lead's assignee unless given)",
        params: taskIdParamsSchema,
        body: createLeadTaskBodySchema,
        response: { 201: taskSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply.code(201),
        await tasks.createLeadTask(actorOf(request), request.params.id, request.body),
      ),
  );

  app.get(
    '/api/tasks/:id',
    {
      config: { access: 'lead:read' },
      schema: { tags, summary: 'Get a task', params: taskIdParamsSchema, response: one },
    },
    async (request, reply) =>
      withEtag(reply, await tasks.getTask(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/tasks/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Change, snooze (a later dueAt), reassign or cancel a task (If-Match)',
        params: taskIdParamsSchema,
        body: updateTaskBodySchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await tasks.updateTask(
          actorOf(request),
          request.params.id,
          request.body,
          ifMatch(request.headers),
        ),
      ),
  );

  app.post(
    '/api/tasks/:id/complete',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Complete a task (written on the timeline)',
        params: taskIdParamsSchema,
        body: completeTaskBodySchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await tasks.completeTask(
          actorOf(request),
          request.params.id,
          request.body?.notes ?? '',
          ifMatch(request.headers),
        ),
      ),
  );

  app.delete(
    '/api/tasks/:id',
    {
      config: { access: 'lead:update' },
      schema: {
        tags,
        summary: 'Cancel a task (kept, with status cancelled)',
        params: taskIdParamsSchema,
        response: one,
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await tasks.updateTask(
          actorOf(request),
          request.params.id,
          { status: 'cancelled' },
          ifMatch(request.headers),
        ),
      ),
  );
}
