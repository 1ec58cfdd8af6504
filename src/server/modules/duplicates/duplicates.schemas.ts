import { z } from 'zod';
import { pageQuerySchema } from '../../platform/http/pagination.js';

export const DUPLICATE_WARNING_KINDS = [
  'similar_contact',
  'similar_company',
  'contact_has_open_lead',
] as const;

export const duplicateWarningSchema = z
  .object({
    kind: z.enum(DUPLICATE_WARNING_KINDS),
    message: z.string(),
    candidates: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        similarity: z.number().describe('0–1; 1 for an exact link'),
      }),
    ),
  })
  .meta({ id: 'DuplicateWarning' });
export type DuplicateWarning = z.infer<typeof duplicateWarningSchema>;

export const warningsSchema = z
  .array(duplicateWarningSchema)
  .describe('Likely duplicates found on creation; the record was created anyway');

export const duplicatePairSchema = z
  .object({
    recordType: z.enum(['contact', 'lead']),
    score: z
      .number()
      .describe('1 for a shared email or phone (or the same contact); else name similarity'),
    reasons: z
      .array(z.string())
      .describe('e.g. email:ana@example.com, phone:+4930123456, name, same_contact'),
    records: z.array(z.object({ id: z.uuid(), name: z.string() })).length(2),
  })
  .meta({ id: 'DuplicatePair' });
export type DuplicatePairDto = z.infer<typeof duplicatePairSchema>;

export const listDuplicatesQuerySchema = pageQuerySchema.extend({
  recordType: z.enum(['contact', 'lead']).default('contact'),
});
export type ListDuplicatesQuery = z.infer<typeof listDuplicatesQuerySchema>;

export const mergeBodySchema = z.object({
  intoId: z.uuid().describe('The record that stays; this one is archived with a pointer to it'),
});

export const mergeParamsSchema = z.object({ id: z.uuid() });
