import { z } from 'zod';
import { SOURCE_CATEGORIES } from '../../platform/db/schema.js';

export const sourceCategorySchema = z.enum(SOURCE_CATEGORIES).meta({ id: 'SourceCategory' });

export const leadSourceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    category: sourceCategorySchema,
    monthlyCost: z.number().int().describe('Minor units of the workspace currency'),
    active: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'LeadSource' });
export type LeadSourceDto = z.infer<typeof leadSourceSchema>;

const monthlyCostSchema = z
  .number()
  .int('Use whole minor units (cents)')
  .min(0)
  .max(1_000_000_000_00);

export const createLeadSourceBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  category: sourceCategorySchema.default('other'),
  monthlyCost: monthlyCostSchema.default(0),
});
export type CreateLeadSourceInput = z.infer<typeof createLeadSourceBodySchema>;

export const updateLeadSourceBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    category: sourceCategorySchema,
    monthlyCost: monthlyCostSchema,
    active: z.boolean(),
  })
  .partial();
export type UpdateLeadSourceInput = z.infer<typeof updateLeadSourceBodySchema>;

export const leadSourceIdParamsSchema = z.object({ id: z.uuid() });
export const listLeadSourcesQuerySchema = z.object({
  active: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});
