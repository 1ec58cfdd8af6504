import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import {
  assignmentRuleSchema,
  availabilityBodySchema,
  availabilitySchema,
  createAssignmentRuleBodySchema,
  ruleIdParamsSchema,
  updateAssignmentRuleBodySchema,
  workloadSchema,
} from './assignment.schemas.js';
import type { AssignmentService } from './assignment.service.js';

const tags = ['assignment'];
const userIdParamsSchema = z.object({ id: z.uuid() });

export function registerAssignmentRoutes(app: App, assignment: AssignmentService): void {
  app.get(
    '/api/assignment-rules',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'Assignment rules, in the order they are tried on a new lead without an assignee',
        response: {
          200: z.object({ items: z.array(assignmentRuleSchema), nextCursor: z.null() }),
        },
      },
    },
    (request) => assignment.listRules(actorOf(request)),
  );

  app.post(
    '/api/assignment-rules',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Add an assignment rule',
        body: createAssignmentRuleBodySchema,
        response: { 201: assignmentRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await assignment.createRule(actorOf(request), request.body)),
  );

  app.get(
    '/api/assignment-rules/:id',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: 'An assignment rule',
        params: ruleIdParamsSchema,
        response: { 200: assignmentRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await assignment.getRule(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/assignment-rules/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Change an assignment rule (order, members, conditions; active: false pauses it)',
        params: ruleIdParamsSchema,
        body: updateAssignmentRuleBodySchema,
        response: { 200: assignmentRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await assignment.updateRule(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.get(
    '/api/users/workload',
    {
      config: { access: 'lead:assign' },
      schema: {
        tags,
        summary: 'Open leads, overdue tasks and absence of every active member',
        response: { 200: workloadSchema },
      },
    },
    (request) => assignment.getWorkload(actorOf(request)),
  );

  app.get(
    '/api/users/:id/availability',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "A member's out-of-office ranges (assignment rules skip them while away)",
        params: userIdParamsSchema,
        response: { 200: availabilitySchema },
      },
    },
    (request) => assignment.getAvailability(actorOf(request), request.params.id),
  );

  app.put(
    '/api/users/:id/availability',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary:
          "Replace a member's out-of-office ranges (their own, or anyone's with user:manage)",
        params: userIdParamsSchema,
        body: availabilityBodySchema,
        response: { 200: availabilitySchema },
      },
    },
    (request) => assignment.setAvailability(actorOf(request), request.params.id, request.body),
  );
}
