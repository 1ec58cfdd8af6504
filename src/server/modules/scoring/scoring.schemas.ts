import { z } from 'zod';
import { PRIORITIES } from '../../platform/db/schema.js';

export const ENGAGEMENT_EVENTS = [
  'call_answered',
  'meeting_held',
  'email_inbound',
  'email_outbound',
  'sms_inbound',
  'form_submission',
  'document_sent',
  'proposal_accepted',
] as const;
export type EngagementEvent = (typeof ENGAGEMENT_EVENTS)[number];

export const CUSTOM_OPERATORS = ['equals', 'not_equals', 'gte', 'lte', 'is_set'] as const;
export type CustomOperator = (typeof CUSTOM_OPERATORS)[number];

const ids = z.array(z.uuid()).min(1).max(200);

export const fieldConditionSchema = z
  .discriminatedUnion('field', [
    z.object({ field: z.literal('source'), sourceIds: ids }),
    z.object({ field: z.literal('priority'), priorities: z.array(z.enum(PRIORITIES)).min(1) }),
    z.object({ field: z.literal('pipeline'), pipelineIds: ids }),
    z.object({ field: z.literal('stage'), stageIds: ids }),
    z.object({ field: z.literal('tag'), tag: z.string().trim().min(1).max(50) }),
    z.object({
      field: z.literal('assignee'),
      isSet: z.boolean().describe('true: the lead has an assignee; false: it has none'),
    }),
    z.object({
      field: z.literal('value'),
      min: z.number().int().min(0).nullable().describe('From (minor units), included'),
      max: z.number().int().min(0).nullable().describe('Up to (minor units), included'),
    }),
    z.object({
      field: z.literal('custom'),
      key: z.string().min(1).max(63).describe("A lead custom field's key"),
      operator: z
        .enum(CUSTOM_OPERATORS)
        .describe(
          'equals / not_equals (select: an option value; multiselect: contains it; boolean: ' +
            'true/false), gte / lte (number, money, date), is_set',
        ),
      value: z.union([z.string().max(200), z.number(), z.boolean()]).nullable(),
    }),
  ])
  .meta({ id: 'ScoringCondition' });
export type FieldCondition = z.infer<typeof fieldConditionSchema>;

const labelSchema = z.string().trim().min(1).max(100).describe('Shown as the factor on the lead');
const pointsSchema = z.number().int().min(-100).max(100);

export const fieldRuleSchema = z
  .object({ label: labelSchema, points: pointsSchema, condition: fieldConditionSchema })
  .meta({ id: 'ScoringFieldRule' });
export type FieldRule = z.infer<typeof fieldRuleSchema>;

export const engagementRuleSchema = z
  .object({
    label: labelSchema,
    event: z
      .enum(ENGAGEMENT_EVENTS)
      .describe(
        'call_answered: a call that reached the person; meeting_held: a meeting not missed or ' +
          'moved; form_submission: an inquiry from a web form',
      ),
    points: pointsSchema.describe('For each such event, on the day it happened'),
    halfLifeDays: z
      .number()
      .positive()
      .max(3650)
      .nullable()
      .describe('The points halve every this many days; null: they never fade'),
  })
  .meta({ id: 'ScoringEngagementRule' });
export type EngagementRule = z.infer<typeof engagementRuleSchema>;

export const scoringRulesBodySchema = z
  .object({
    fieldRules: z.array(fieldRuleSchema).max(200),
    engagementRules: z.array(engagementRuleSchema).max(100),
  })
  .superRefine((body, context) => {
    body.fieldRules.forEach((rule, i) => {
      const { condition } = rule;
      if (condition.field === 'value') {
        if (condition.min === null && condition.max === null) {
          context.addIssue({
            code: 'custom',
            path: ['fieldRules', i, 'condition', 'min'],
            message: 'A value range needs a minimum, a maximum or both.',
          });
        } else if (
          condition.min !== null &&
          condition.max !== null &&
          condition.min > condition.max
        ) {
          context.addIssue({
            code: 'custom',
            path: ['fieldRules', i, 'condition', 'max'],
            message: 'The maximum must not be below the minimum.',
          });
        }
      }
      if (
        condition.field === 'custom' &&
        condition.operator !== 'is_set' &&
        condition.value === null
      ) {
        context.addIssue({
          code: 'custom',
          path: ['fieldRules', i, 'condition', 'value'],
          message: 'This comparison needs a value.',
        });
      }
    });
  });
export type ScoringRulesInput = z.infer<typeof scoringRulesBodySchema>;

export const scoringRulesSchema = z
  .object({
    fieldRules: z.array(fieldRuleSchema),
    engagementRules: z.array(engagementRuleSchema),
    version: z.number().int(),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ScoringRules' });
export type ScoringRulesDto = z.infer<typeof scoringRulesSchema>;

export const scoreFactorSchema = z
  .object({ label: z.string(), points: z.number() })
  .meta({ id: 'ScoreFactor' });
export type ScoreFactor = z.infer<typeof scoreFactorSchema>;

export const MODEL_STATUSES = [
  'untrained',
  'training',
  'ready',
  'insufficient_data',
  'failed',
] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const scoringModelSchema = z
  .object({
    status: z
      .enum(MODEL_STATUSES)
      .describe(
        'untrained: never trained; insufficient_data: too few closed leads (scores come from ' +
          'the rules); ready: trained (in use when it beats the baseline)',
      ),
    kind: z.literal('logistic_regression'),
    inUse: z.boolean().describe("Leads' scores come from the model (else from the rules)"),
    scoringBy: z.enum(['model', 'rules']),
    message: z.string().describe('Why the model is or is not in use, in words'),
    trainedAt: z.iso.datetime().nullable(),
    requestedAt: z.iso.datetime().nullable(),
    trainingRows: z.number().int().describe('Closed leads the model was fitted on'),
    holdoutRows: z.number().int().describe('Closed leads held out to evaluate it'),
    closedLeads: z.object({ won: z.number().int(), lost: z.number().int() }),
    minimum: z.object({ closed: z.number().int(), perClass: z.number().int() }),
    auc: z.number().nullable().describe('Area under the ROC curve on the held-out leads'),
    baselineAuc: z.number().describe("The constant predictor's AUC (0.5)"),
    ruleAuc: z.number().nullable().describe("The rule score's AUC on the same held-out leads"),
    calibration: z.array(
      z.object({
        decile: z.number().int(),
        count: z.number().int(),
        predicted: z.number(),
        observed: z.number(),
      }),
    ),
  })
  .meta({ id: 'ScoringModel' });
export type ScoringModelDto = z.infer<typeof scoringModelSchema>;
