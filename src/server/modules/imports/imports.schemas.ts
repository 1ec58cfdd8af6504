import { z } from 'zod';
import { DUPLICATE_POLICIES, IMPORT_STATUSES } from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';
import { IMPORT_ENTITIES } from './imports.mapping.js';

export const importEntitySchema = z.enum(IMPORT_ENTITIES);

const columnMappingSchema = z.object({
  header: z.string().describe('The column header as in the file'),
  target: z
    .string()
    .describe('A field (firstName, email, title, …), custom:<key> for a custom field, or ignore'),
});
export const mappingSchema = z.array(columnMappingSchema).meta({ id: 'ImportMapping' });

// Multipart fields arrive as text; flags accept true/false/1/0/on.
const flag = z
  .enum(['true', 'false', '1', '0', 'on', 'off', ''])
  .transform((value) => value === 'true' || value === '1' || value === 'on')
  .default(false);

/** The mapping field: {"Header": "target", …} or [{header, target}, …] as JSON. */
const mappingFieldSchema = z
  .string()
  .max(1_000_000)
  .transform((text, ctx) => {
    if (text.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Expected JSON' });
      return z.NEVER;
    }
    const asObject = z.record(z.string(), z.string()).safeParse(parsed);
    if (asObject.success) {
      return Object.entries(asObject.data).map(([header, target]) => ({ header, target }));
    }
    const asList = mappingSchema.safeParse(parsed);
    if (asList.success) return asList.data;
    ctx.addIssue({
      code: 'custom',
      message: 'Expected {"Header": "target"} or [{"header": …, "target": …}]',
    });
    return z.NEVER;
  })
  .optional();

export const importFieldsSchema = z.object({
  entity: importEntitySchema.default('leads'),
  mapping: mappingFieldSchema,
  duplicatePolicy: z.enum(DUPLICATE_POLICIES).default('skip'),
  dryRun: flag,
  allOrNothing: flag,
  createFields: flag,
});
export type ImportFields = z.infer<typeof importFieldsSchema>;

export const importErrorSchema = z
  .object({
    row: z.number().int().describe('Row of the spreadsheet (the header is row 1)'),
    column: z.string(),
    value: z.string(),
    message: z.string(),
  })
  .meta({ id: 'ImportError' });

export const importSchema = z
  .object({
    id: z.uuid(),
    entity: importEntitySchema,
    status: z.enum(IMPORT_STATUSES),
    phase: z.enum(['validate', 'write']),
    fileName: z.string(),
    fileSize: z.number().int(),
    encoding: z.string(),
    delimiter: z.string(),
    duplicatePolicy: z.enum(DUPLICATE_POLICIES),
    dryRun: z.boolean(),
    allOrNothing: z.boolean(),
    totalRows: z.number().int().nullable().describe('Estimated from the line count until done'),
    totalRowsExact: z.boolean(),
    processedRows: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    errorCount: z.number().int(),
    errors: z.array(importErrorSchema).describe('The first 100; all in report.csv'),
    mapping: mappingSchema,
    message: z.string(),
    rate: z.number().nullable().describe('Rows per second so far'),
    eta: z.number().int().nullable().describe('Seconds left, estimated'),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    undoneAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Import' });
export type ImportDto = z.infer<typeof importSchema>;

export const importTargetSchema = z.object({
  value: z.string(),
  label: z.string(),
});

export const importPreviewSchema = z
  .object({
    entity: importEntitySchema,
    encoding: z.string(),
    delimiter: z.string(),
    headers: z.array(z.string()),
    rows: z.array(z.array(z.string())).describe('The first rows after the header'),
    mapping: mappingSchema,
    targets: z.array(importTargetSchema).describe('What a column can be mapped to'),
  })
  .meta({ id: 'ImportPreview' });
export type ImportPreviewDto = z.infer<typeof importPreviewSchema>;

export const importIdParamsSchema = z.object({ id: z.uuid() });

export const listImportsQuerySchema = pageQuerySchema;
export type ListImportsQuery = z.infer<typeof listImportsQuerySchema>;

export const savedMappingSchema = z
  .object({
    id: z.uuid(),
    entity: importEntitySchema,
    name: z.string(),
    mapping: mappingSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SavedImportMapping' });
export type SavedMappingDto = z.infer<typeof savedMappingSchema>;

export const saveMappingBodySchema = z.object({
  entity: importEntitySchema,
  name: z.string().trim().min(1).max(100),
  mapping: mappingSchema.max(2000),
});
export type SaveMappingInput = z.infer<typeof saveMappingBodySchema>;

export const undoResultSchema = z.object({
  leads: z.number().int(),
  contacts: z.number().int(),
  companies: z.number().int(),
});
