import { z } from 'zod';
import { CONTACT_STATUSES, LEAD_STATUSES, PRIORITIES } from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';
import { companySchema } from '../companies/companies.schemas.js';
import { contactSchema, createContactBodySchema } from '../contacts/contacts.schemas.js';
import {
  customFieldFilterSchema,
  customFieldsInputSchema,
  customFieldValuesSchema,
} from '../custom-fields/custom-fields.schemas.js';
import { stageSchema } from '../pipelines/pipelines.schemas.js';
import { currencySchema } from '../workspaces/workspaces.schemas.js';

const deletedLinkSchema = z
  .object({ id: z.uuid(), deleted: z.literal(true) })
  .describe('The linked record was archived');

export const leadSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    contactId: z.uuid().nullable(),
    companyId: z.uuid().nullable(),
    companyName: z.string(),
    sourceId: z.uuid().nullable(),
    sourceCampaign: z.string(),
    sourceDetail: z.string(),
    pipelineId: z.uuid(),
    stageId: z.uuid(),
    stageEnteredAt: z.iso.datetime(),
    daysInStage: z.number().int(),
    status: z.enum(LEAD_STATUSES),
    converted: z.boolean(),
    convertedAt: z.iso.datetime().nullable(),
    convertedBy: z.uuid().nullable(),
    archived: z.boolean(),
    lostReasonId: z.uuid().nullable(),
    lostNotes: z.string(),
    value: z.number().int().describe('Minor units of currency'),
    currency: z.string(),
    probability: z.number().int(),
    priority: z.enum(PRIORITIES),
    expectedCloseDate: z.iso.date().nullable(),
    assigneeId: z.uuid().nullable(),
    nextFollowUpAt: z.iso.datetime().nullable(),
    nextFollowUpType: z.string().nullable(),
    contactStatus: z.enum(CONTACT_STATUSES),
    lastContactAt: z.iso.datetime().nullable(),
    lastContactMethod: z.string().nullable(),
    lastContactNotes: z.string(),
    contactAttempts: z.number().int(),
    tags: z.array(z.string()),
    customFields: customFieldValuesSchema,
    score: z
      .number()
      .int()
      .nullable()
      .describe('0–100 from the scoring rules or the predictive model; null until first scored'),
    scoreFactors: z
      .array(z.object({ label: z.string(), points: z.number() }))
      .describe('The points that made the score, largest first'),
    version: z.number().int(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Lead' });
export type LeadDto = z.infer<typeof leadSchema>;

export const leadListItemSchema = leadSchema
  .extend({
    contactName: z
      .string()
      .nullable()
      .describe("The contact's full name; null without a contact or when it was archived"),
  })
  .meta({ id: 'LeadListItem' });
export type LeadListItemDto = z.infer<typeof leadListItemSchema>;

export const stageMoveSchema = z
  .object({
    fromStageId: z.uuid().nullable(),
    toStageId: z.uuid(),
    movedAt: z.iso.datetime(),
    movedBy: z.uuid().nullable(),
    reason: z.string(),
  })
  .meta({ id: 'StageMove' });

export const leadDetailSchema = leadSchema
  .extend({
    contact: z.union([contactSchema, deletedLinkSchema]).nullable(),
    company: z.union([companySchema, deletedLinkSchema]).nullable(),
    stage: stageSchema,
    assignee: z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
    stageHistory: z.array(stageMoveSchema),
  })
  .meta({ id: 'LeadDetail' });

const tagsSchema = z.array(z.string().trim().min(1).max(50)).max(50);
const valueSchema = z.number().int('Use whole minor units (cents)').min(0).max(1e13);

export const createLeadBodySchema = z.object({
  title: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .optional()
    .describe('Defaults to the contact or company name'),
  description: z.string().max(10_000).default(''),
  contactId: z.uuid().optional(),
  contact: createContactBodySchema
    .omit({ allowDuplicate: true })
    .optional()
    .describe('A new contact made with the lead, in the same transaction'),
  allowDuplicate: z.boolean().default(false),
  companyId: z.uuid().optional(),
  companyName: z.string().trim().max(300).default(''),
  sourceId: z.uuid().optional(),
  sourceCampaign: z.string().trim().max(200).default(''),
  sourceDetail: z.string().trim().max(500).default(''),
  pipelineId: z.uuid().optional().describe('Defaults to the default pipeline'),
  stageId: z.uuid().optional().describe("Defaults to the pipeline's first stage"),
  value: valueSchema.default(0),
  currency: currencySchema.optional().describe('Defaults to the workspace currency'),
  probability: z.number().int().min(0).max(100).optional().describe("Defaults to the stage's"),
  priority: z.enum(PRIORITIES).default('normal'),
  expectedCloseDate: z.iso.date().optional(),
  assigneeId: z.uuid().optional(),
  tags: tagsSchema.default([]),
  customFields: customFieldsInputSchema.optional(),
});
export type CreateLeadInput = z.infer<typeof createLeadBodySchema>;

export const updateLeadBodySchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    description: z.string().max(10_000),
    contactId: z.uuid().nullable(),
    companyId: z.uuid().nullable(),
    companyName: z.string().trim().max(300),
    sourceId: z.uuid().nullable(),
    sourceCampaign: z.string().trim().max(200),
    sourceDetail: z.string().trim().max(500),
    value: valueSchema,
    currency: currencySchema,
    probability: z
      .number()
      .int()
      .min(0)
      .max(100)
      .nullable()
      .describe("null goes back to the stage's probability"),
    priority: z.enum(PRIORITIES),
    expectedCloseDate: z.iso.date().nullable(),
    contactStatus: z.enum(CONTACT_STATUSES),
    tags: tagsSchema,
    customFields: customFieldsInputSchema,
  })
  .partial();
export type UpdateLeadInput = z.infer<typeof updateLeadBodySchema>;

export const moveStageBodySchema = z.object({
  stageId: z.uuid(),
  reason: z.string().trim().max(1000).optional().describe('Needed to move back'),
  lostReasonId: z.uuid().optional().describe('Needed to move to a lost stage'),
  lostNotes: z.string().trim().max(2000).optional(),
});
export const markLostBodySchema = z.object({
  reasonId: z.uuid(),
  notes: z.string().trim().max(2000).default(''),
});
export const assignBodySchema = z.object({
  userId: z.uuid().nullable().describe('null leaves the lead unassigned'),
});

export const leadIdParamsSchema = z.object({ id: z.uuid() });

const SORT_KEYS = [
  'createdAt',
  'updatedAt',
  'value',
  'expectedCloseDate',
  'score',
  'nextFollowUpAt',
  'daysInStage',
] as const;
const localBoundSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe("A date (in the workspace's time zone) or an instant");

export const listLeadsQuerySchema = pageQuerySchema.extend({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe(
      'Words (each a prefix) over title, company, contact names and emails; or a phone number',
    ),
  sort: z
    .enum([...SORT_KEYS, ...SORT_KEYS.map((key) => `-${key}` as const)])
    .default('-createdAt')
    .describe('A field, descending with a leading "-"; empty values last'),
  createdFrom: localBoundSchema.optional(),
  createdTo: localBoundSchema.optional().describe('A date includes that whole day'),
  followUp: z
    .enum(['overdue', 'today', 'none'])
    .optional()
    .describe("By next follow-up: before now, today (workspace's time zone), or none"),
  staleDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('No call, email, message or meeting for at least this many days'),
  count: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false)
    .describe('Also return the total number of matching leads'),
  pipelineId: z.uuid().optional(),
  stageId: z.uuid().optional(),
  contactId: z.uuid().optional(),
  companyId: z.uuid().optional(),
  status: z.enum(LEAD_STATUSES).optional(),
  assigneeId: z.union([z.uuid(), z.enum(['me', 'none'])]).optional(),
  sourceId: z.uuid().optional(),
  priority: z.enum(PRIORITIES).optional(),
  tag: z.string().trim().max(50).optional(),
  minScore: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe('Only leads scored at least this (unscored leads are left out)'),
  cf: customFieldFilterSchema,
  includeArchived: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
});
export type ListLeadsQuery = z.infer<typeof listLeadsQuerySchema>;

export const stageSummaryQuerySchema = listLeadsQuerySchema
  .omit({ sort: true, cursor: true, limit: true, count: true, pipelineId: true })
  .extend({ pipelineId: z.uuid() });
export type StageSummaryQuery = z.infer<typeof stageSummaryQuerySchema>;

export const stageSummarySchema = z
  .object({
    pipelineId: z.uuid(),
    stages: z.array(
      z.object({
        stageId: z.uuid(),
        count: z.number().int(),
        totals: z
          .array(
            z.object({
              currency: z.string(),
              value: z.number().int().describe('Minor units'),
              weightedValue: z
                .number()
                .int()
                .describe("Minor units: each lead's value times its probability, rounded"),
            }),
          )
          .describe('One entry per currency among the leads'),
      }),
    ),
  })
  .meta({ id: 'StageSummary' });
export type StageSummaryDto = z.infer<typeof stageSummarySchema>;

export const BULK_LIMIT = 500;

export const bulkActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign'), userId: z.uuid().nullable() }),
  moveStageBodySchema.extend({ type: z.literal('move_stage') }),
  z.object({ type: z.literal('add_tag'), tag: z.string().trim().min(1).max(50) }),
  z.object({ type: z.literal('remove_tag'), tag: z.string().trim().min(1).max(50) }),
  z.object({ type: z.literal('archive') }),
]);
export type BulkAction = z.infer<typeof bulkActionSchema>;

export const bulkBodySchema = z.object({
  leadIds: z
    .array(z.uuid())
    .min(1)
    .max(BULK_LIMIT)
    .refine((ids) => new Set(ids).size === ids.length, 'Each lead once'),
  action: bulkActionSchema,
});
export type BulkInput = z.infer<typeof bulkBodySchema>;

export const bulkResultSchema = z
  .object({
    succeeded: z.array(z.object({ id: z.uuid(), version: z.number().int() })),
    failed: z.array(
      z.object({
        id: z.uuid(),
        status: z.number().int(),
        title: z.string(),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: 'BulkResult' });
export type BulkResultDto = z.infer<typeof bulkResultSchema>;

export const exportLeadsQuerySchema = listLeadsQuerySchema
  .omit({ cursor: true, limit: true, count: true })
  .extend({
    ids: z
      .string()
      .max(BULK_LIMIT * 37)
      .transform((value) => value.split(',').filter(Boolean))
      .pipe(z.array(z.uuid()).max(BULK_LIMIT))
      .optional()
      .describe(
        `Only these leads (comma-separated ids, at most ${BULK_LIMIT}), within the filters`,
      ),
  });
export type ExportLeadsQuery = z.infer<typeof exportLeadsQuerySchema>;
