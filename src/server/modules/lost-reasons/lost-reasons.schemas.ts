import { z } from 'zod';

export const lostReasonSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    position: z.number().int(),
    active: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'LostReason' });
export type LostReasonDto = z.infer<typeof lostReasonSchema>;

export const createLostReasonBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
});

export const updateLostReasonBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    position: z.number().int().min(0).max(1000),
    active: z.boolean(),
  })
  .partial();
export type UpdateLostReasonInput = z.infer<typeof updateLostReasonBodySchema>;

export const lostReasonIdParamsSchema = z.object({ id: z.uuid() });
export const listLostReasonsQuerySchema = z.object({
  active: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});
