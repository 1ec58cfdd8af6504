import { z } from 'zod';
import { PIPELINE_POLICIES, STAGE_KINDS, TASK_TYPES } from '../../platform/db/schema.js';

export const pipelinePolicySchema = z
  .enum(PIPELINE_POLICIES)
  .describe(
    'forward_only: skip forward freely, never back except to a lost stage; ' +
      'backward_with_reason: moving back needs a reason',
  );
export const stageKindSchema = z.enum(STAGE_KINDS);

const slugSchema = z
  .string()
  .regex(/^[a-z0-9_]{1,60}$/, 'Use lowercase letters, digits and _ (at most 60)');
const colorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #228be6')
  .transform((value) => value.toLowerCase());

export const stageSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    position: z.number().int(),
    color: z.string(),
    probability: z.number().int(),
    kind: stageKindSchema,
    maxDaysInStage: z.number().int().nullable(),
    description: z.string(),
  })
  .meta({ id: 'Stage' });
export type StageDto = z.infer<typeof stageSchema>;

export const onboardingTaskSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    type: z.enum(TASK_TYPES),
    dueInDays: z.number().int().min(0).max(365).describe('Due this many days after conversion'),
  })
  .meta({ id: 'OnboardingTask' });
export type OnboardingTaskDto = z.infer<typeof onboardingTaskSchema>;

const requiredForConversionSchema = z
  .array(z.string().max(80))
  .max(50)
  .describe(
    'Fields a lead needs before it can be converted: value, expectedCloseDate, companyId ' +
      '(a linked company or a company name), contactId, sourceId, contact.email, contact.phone, ' +
      'or custom.<key> for a lead custom field',
  );
const onboardingTasksSchema = z
  .array(onboardingTaskSchema)
  .max(20)
  .describe('Tasks created for the assignee when a lead of this pipeline is converted');

export const pipelineSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    policy: pipelinePolicySchema,
    isDefault: z.boolean(),
    archived: z.boolean(),
    version: z.number().int(),
    stages: z.array(stageSchema).describe('Active stages in order'),
    requiredForConversion: z.array(z.string()),
    onboardingTasks: z.array(onboardingTaskSchema),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Pipeline' });
export type PipelineDto = z.infer<typeof pipelineSchema>;

export const stageInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  slug: slugSchema.optional().describe('Derived from the name when left out'),
  color: colorSchema.optional(),
  probability: z
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe('Default: 10 open, 100 won, 0 lost'),
  kind: stageKindSchema.default('open'),
  maxDaysInStage: z.number().int().min(1).max(3650).nullable().optional(),
  description: z.string().max(2000).optional(),
});
export type StageInput = z.infer<typeof stageInputSchema>;

export const createPipelineBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  policy: pipelinePolicySchema.default('backward_with_reason'),
  isDefault: z.boolean().default(false),
  stages: z.array(stageInputSchema).min(3).max(50),
  requiredForConversion: requiredForConversionSchema.default([]),
  onboardingTasks: onboardingTasksSchema.default([]),
});
export type CreatePipelineInput = z.infer<typeof createPipelineBodySchema>;

export const updatePipelineBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    policy: pipelinePolicySchema,
    isDefault: z.literal(true).describe('Make this the default pipeline'),
    requiredForConversion: requiredForConversionSchema,
    onboardingTasks: onboardingTasksSchema,
  })
  .partial();
export type UpdatePipelineInput = z.infer<typeof updatePipelineBodySchema>;

export const updateStageBodySchema = stageInputSchema
  .omit({ kind: true })
  .extend({ kind: stageKindSchema })
  .partial();
export type UpdateStageInput = z.infer<typeof updateStageBodySchema>;

export const reorderStagesBodySchema = z.object({
  stageIds: z
    .array(z.uuid())
    .min(1)
    .max(50)
    .describe('Every active stage of the pipeline, in the new order'),
});

export const pipelineIdParamsSchema = z.object({ id: z.uuid() });
export const stageIdParamsSchema = z.object({ id: z.uuid(), stageId: z.uuid() });
export const listPipelinesQuerySchema = z.object({
  includeArchived: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
});
