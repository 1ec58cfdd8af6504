import { z } from 'zod';
import { actorOf } from '../../platform/auth/authenticate.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import {
  automationRuleSchema,
  createAutomationRuleBodySchema,
  listRulesQuerySchema,
  listRunsQuerySchema,
  ruleIdParamsSchema,
  runPageSchema,
  updateAutomationRuleBodySchema,
} from './automation.schemas.js';
import type { AutomationService } from './automation.service.js';

const tags = ['automation'];

export function registerAutomationRoutes(app: App, automation: AutomationService): void {
  app.get(
    '/api/automation-rules',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: 'Automation rules, in the order they run (archived ones with archived=true)',
        querystring: listRulesQuerySchema,
        response: {
          200: z.object({ items: z.array(automationRuleSchema), nextCursor: z.null() }),
        },
      },
    },
    (request) => automation.listRules(actorOf(request), request.query),
  );

  app.post(
    '/api/automation-rules',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: 'Add an automation rule: a trigger, conditions (all must hold) and actions',
        body: createAutomationRuleBodySchema,
        response: { 201: automationRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await automation.createRule(actorOf(request), request.body)),
  );

  app.get(
    '/api/automation-rules/:id',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: 'An automation rule',
        params: ruleIdParamsSchema,
        response: { 200: automationRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await automation.getRule(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/automation-rules/:id',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: 'Change an automation rule (active: false switches it off)',
        params: ruleIdParamsSchema,
        body: updateAutomationRuleBodySchema,
        response: { 200: automationRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await automation.updateRule(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.delete(
    '/api/automation-rules/:id',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: 'Archive an automation rule (it stops firing; its run log stays)',
        params: ruleIdParamsSchema,
        response: { 200: automationRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await automation.setRuleArchived(
          actorOf(request),
          request.params.id,
          true,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.post(
    '/api/automation-rules/:id/restore',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: 'Restore an archived automation rule',
        params: ruleIdParamsSchema,
        response: { 200: automationRuleSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await automation.setRuleArchived(
          actorOf(request),
          request.params.id,
          false,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.get(
    '/api/automation-rules/:id/runs',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: "A rule's run log, newest first: why it fired, what each action did, errors",
        params: ruleIdParamsSchema,
        querystring: listRunsQuerySchema,
        response: { 200: runPageSchema },
      },
    },
    (request) =>
      automation.listRuns(actorOf(request), { ...request.query, ruleId: request.params.id }),
  );

  app.get(
    '/api/automation-runs',
    {
      config: { access: 'automation:manage' },
      schema: {
        tags,
        summary: 'The run log of every rule, newest first (filter by status or lead)',
        querystring: listRunsQuerySchema,
        response: { 200: runPageSchema },
      },
    },
    (request) => automation.listRuns(actorOf(request), request.query),
  );
}
