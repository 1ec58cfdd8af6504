import { z } from 'zod';
import { AUTOMATION_RUN_STATUSES, PRIORITIES, TASK_TYPES } from '../../platform/db/schema.js';

const uuids = z.array(z.uuid()).max(100);

/** A span of time, counted in open business time or on the calendar. */
export const offsetSchema = z.object({
  amount: z.number().int().min(0).max(10_000),
  unit: z.enum(['minutes', 'hours', 'days']),
  businessTime: z
    .boolean()
    .default(true)
    .describe("Counted in the workspace's business hours (true) or on the calendar"),
});
export type Offset = z.infer<typeof offsetSchema>;

export const TRIGGER_TYPES = [
  'lead_created',
  'stage_changed',
  'field_changed',
  'no_activity',
  'time_in_stage',
  'task_overdue',
  'form_submitted',
  'score_crossed',
  'contact_attempts',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const triggerSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('lead_created') }),
    z.object({
      type: z.literal('stage_changed'),
      fromStageIds: uuids.default([]).describe('Empty: from any stage'),
      toStageIds: uuids.default([]).describe('Empty: to any stage'),
    }),
    z.object({
      type: z.literal('field_changed'),
      fields: z
        .array(z.string().min(1).max(100))
        .min(1)
        .max(50)
        .describe('Lead fields as the API names them (value, priority, tags, customFields, …)'),
    }),
    z.object({
      type: z.literal('no_activity'),
      after: offsetSchema.describe(
        'No call, email, SMS, meeting, note or stage change for this long',
      ),
    }),
    z.object({
      type: z.literal('time_in_stage'),
      stageIds: uuids
        .default([])
        .describe("Empty: any stage; fires past the stage's maxDaysInStage"),
    }),
    z.object({ type: z.literal('task_overdue') }),
    z.object({ type: z.literal('form_submitted'), formIds: uuids.default([]) }),
    z.object({
      type: z.literal('score_crossed'),
      threshold: z.number().int().min(0).max(100),
      direction: z.enum(['up', 'down']).default('up'),
    }),
    z.object({
      type: z.literal('contact_attempts'),
      attempts: z.number().int().min(1).max(50).describe('Unanswered attempts in a row'),
    }),
  ])
  .meta({ id: 'AutomationTrigger' });
export type Trigger = z.infer<typeof triggerSchema>;

export const CONDITION_FIELDS = [
  'value',
  'priority',
  'contactStatus',
  'status',
  'title',
  'probability',
  'score',
] as const;

export const conditionSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('source'), op: z.enum(['in', 'not_in']), values: uuids.min(1) }),
    z.object({ type: z.literal('pipeline'), op: z.enum(['in', 'not_in']), values: uuids.min(1) }),
    z.object({ type: z.literal('stage'), op: z.enum(['in', 'not_in']), values: uuids.min(1) }),
    z.object({
      type: z.literal('assignee'),
      op: z.enum(['in', 'not_in', 'is_set', 'is_empty']),
      values: uuids.default([]),
    }),
    z.object({
      type: z.literal('tags'),
      op: z.enum(['has_any', 'has_none']),
      values: z.array(z.string().trim().min(1).max(50)).min(1).max(50),
    }),
    z.object({
      type: z.literal('field'),
      field: z
        .union([z.enum(CONDITION_FIELDS), z.string().regex(/^custom\.[a-z][a-z0-9_]{0,49}$/)])
        .describe('A lead field, or custom.<key> for a custom field'),
      op: z.enum(['eq', 'neq', 'gt', 'lt', 'contains', 'is_set', 'is_empty']),
      value: z
        .union([z.string().max(500), z.number(), z.boolean()])
        .nullable()
        .default(null),
    }),
  ])
  .meta({ id: 'AutomationCondition' });
export type Condition = z.infer<typeof conditionSchema>;

export const ACTION_TYPES = [
  'create_task',
  'assign',
  'set_field',
  'move_stage',
  'add_tag',
  'notify',
  'send_message',
  'enrol_in_sequence',
  'call_webhook',
] as const;

export const actionSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('create_task'),
      title: z.string().trim().min(1).max(200),
      description: z.string().max(5000).default(''),
      taskType: z.enum(TASK_TYPES).default('follow_up'),
      priority: z.enum(PRIORITIES).default('normal'),
      due: offsetSchema.describe('Due this long after the rule fires'),
      assigneeId: z.uuid().nullable().default(null).describe("null: the lead's assignee"),
    }),
    z.object({
      type: z.literal('assign'),
      userId: z.uuid().nullable().default(null).describe('null: by the assignment rules'),
    }),
    z.object({
      type: z.literal('set_field'),
      field: z
        .union([
          z.enum(['priority', 'value', 'contactStatus', 'expectedCloseDate']),
          z.string().regex(/^custom\.[a-z][a-z0-9_]{0,49}$/),
        ])
        .describe('A lead field, or custom.<key>'),
      value: z.union([z.string().max(500), z.number(), z.boolean()]).nullable(),
    }),
    z.object({ type: z.literal('move_stage'), stageId: z.uuid() }),
    z.object({ type: z.literal('add_tag'), tag: z.string().trim().min(1).max(50) }),
    z.object({
      type: z.literal('notify'),
      to: z.enum(['assignee', 'managers', 'user']),
      userId: z.uuid().nullable().default(null).describe('to: user'),
      title: z.string().trim().min(1).max(200),
      body: z.string().max(2000).default(''),
    }),
    z.object({
      type: z.literal('send_message'),
      channel: z.enum(['email', 'sms']),
      templateId: z.uuid(),
      autoSend: z
        .boolean()
        .default(false)
        .describe('Send without approval (setting it needs message:auto_send); else a draft'),
    }),
    z.object({ type: z.literal('enrol_in_sequence'), sequenceId: z.uuid() }),
    z.object({
      type: z.literal('call_webhook'),
      url: z.url().max(2000).describe('Receives the lead as JSON (event automation.rule_fired)'),
    }),
  ])
  .meta({ id: 'AutomationAction' });
export type Action = z.infer<typeof actionSchema>;

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000),
  trigger: triggerSchema,
  conditions: z.array(conditionSchema).max(20).describe('All must hold (AND)'),
  actions: z.array(actionSchema).min(1).max(10).describe('Run in order, all or none'),
  order: z.number().int().min(0).max(10_000).describe('Rules run from the lowest order up'),
  active: z.boolean(),
};

function checkRuleShape(rule: { actions?: Action[] | undefined }, context: z.RefinementCtx): void {
  rule.actions?.forEach((action, i) => {
    if (action.type === 'notify' && action.to === 'user' && !action.userId) {
      context.addIssue({
        code: 'custom',
        path: ['actions', i, 'userId'],
        message: 'Choose whom to notify.',
      });
    }
  });
}

export const createAutomationRuleBodySchema = z
  .object({
    ...ruleFields,
    description: ruleFields.description.default(''),
    conditions: ruleFields.conditions.default([]),
    order: ruleFields.order.optional().describe('Default: after the last rule'),
    active: ruleFields.active.default(true),
  })
  .superRefine(checkRuleShape);
export type CreateAutomationRuleInput = z.infer<typeof createAutomationRuleBodySchema>;

export const updateAutomationRuleBodySchema = z
  .object(ruleFields)
  .partial()
  .superRefine(checkRuleShape);
export type UpdateAutomationRuleInput = z.infer<typeof updateAutomationRuleBodySchema>;

export const automationRuleSchema = z
  .object({
    id: z.uuid(),
    ...ruleFields,
    defaultKey: z.string().nullable().describe('The shipped default it came from, if any'),
    archived: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'AutomationRule' });
export type AutomationRuleDto = z.infer<typeof automationRuleSchema>;

export const ruleIdParamsSchema = z.object({ id: z.uuid() });

export const listRulesQuerySchema = z.object({
  archived: z.stringbool().default(false).describe('true: the archived rules instead'),
});

export const automationRunSchema = z
  .object({
    id: z.uuid(),
    ruleId: z.uuid(),
    ruleName: z.string(),
    leadId: z.uuid().nullable(),
    eventType: z.string().describe('The event, or scan.<trigger> for a time-based trigger'),
    eventId: z.uuid().nullable(),
    reason: z.string().describe('Why it fired'),
    status: z.enum(AUTOMATION_RUN_STATUSES),
    attempts: z.number().int(),
    causedByRules: z.array(z.uuid()),
    results: z.array(z.object({ action: z.string(), outcome: z.string() })),
    errors: z.array(
      z.object({
        attempt: z.number().int(),
        at: z.string(),
        action: z.string().nullable(),
        message: z.string(),
      }),
    ),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AutomationRun' });
export type AutomationRunDto = z.infer<typeof automationRunSchema>;

export const listRunsQuerySchema = z.object({
  status: z.enum(AUTOMATION_RUN_STATUSES).optional(),
  leadId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListRunsQuery = z.infer<typeof listRunsQuerySchema>;

export const runPageSchema = z.object({
  items: z.array(automationRunSchema),
  nextCursor: z.string().nullable(),
});
