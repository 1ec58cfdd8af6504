import { z } from 'zod';
import { listLeadsQuerySchema } from '../leads/leads.schemas.js';

/** The leads list's filters a view can hold: its query without paging, sort and counting. */
const listFiltersSchema = listLeadsQuerySchema
  .omit({ cursor: true, limit: true, count: true, sort: true })
  .strict();

const filterValueSchema = z.union([
  z.string().max(500),
  z.array(z.string().max(500)).max(20).describe('A repeatable filter, e.g. cf'),
]);

/** Kept as the query string has them, and valid as GET /api/leads would read them. */
const viewFiltersSchema = z
  .record(z.string(), filterValueSchema)
  .superRefine((filters, ctx) => {
    const parsed = listFiltersSchema.safeParse(filters);
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  })
  .describe("GET /api/leads's query parameters, without cursor, limit, count and sort");

export const savedViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    filters: z.record(z.string(), filterValueSchema),
    columns: z.array(z.string()),
    sort: z.string().nullable(),
    shared: z.boolean(),
    ownerId: z.uuid(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SavedView' });
export type SavedViewDto = z.infer<typeof savedViewSchema>;

const viewFieldsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  filters: viewFiltersSchema,
  columns: z
    .array(z.string().trim().min(1).max(60))
    .max(60)
    .describe("The list's columns in order, as the web app names them"),
  sort: listLeadsQuerySchema.shape.sort.unwrap().nullable(),
  shared: z.boolean().describe('Shown to the whole workspace; needs lead:configure'),
});

export const createSavedViewBodySchema = viewFieldsSchema.extend({
  filters: viewFieldsSchema.shape.filters.default({}),
  columns: viewFieldsSchema.shape.columns.default([]),
  sort: viewFieldsSchema.shape.sort.default(null),
  shared: viewFieldsSchema.shape.shared.default(false),
});
export type CreateSavedViewInput = z.infer<typeof createSavedViewBodySchema>;

export const updateSavedViewBodySchema = viewFieldsSchema.partial();
export type UpdateSavedViewInput = z.infer<typeof updateSavedViewBodySchema>;

export const savedViewIdParamsSchema = z.object({ id: z.uuid() });
