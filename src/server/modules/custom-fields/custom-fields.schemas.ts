import { z } from 'zod';
import { CUSTOM_FIELD_RECORD_TYPES, CUSTOM_FIELD_TYPES } from '../../platform/db/schema.js';

export const CUSTOM_FIELD_KEY = /^[a-z][a-z0-9_]{0,62}$/;
const OPTION_VALUE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const customFieldRecordTypeSchema = z
  .enum(CUSTOM_FIELD_RECORD_TYPES)
  .meta({ id: 'CustomFieldRecordType' });
export const customFieldTypeSchema = z.enum(CUSTOM_FIELD_TYPES).meta({ id: 'CustomFieldType' });

const keySchema = z
  .string()
  .regex(CUSTOM_FIELD_KEY, 'Start with a letter; use lowercase letters, digits and _ (at most 63)');

const optionSchema = z.object({
  value: z
    .string()
    .regex(OPTION_VALUE, 'Use lowercase letters, digits, _ and - (at most 63)')
    .describe('Stored on records and used in filters; never changes meaning'),
  label: z.string().trim().min(1).max(200),
});

export const customFieldSchema = z
  .object({
    id: z.uuid(),
    recordType: customFieldRecordTypeSchema,
    key: z.string(),
    label: z.string(),
    type: customFieldTypeSchema,
    options: z.array(z.object({ value: z.string(), label: z.string() })),
    required: z.boolean(),
    sensitive: z
      .boolean()
      .describe('Encrypted at rest; masked in lists and for roles without lead:read_sensitive'),
    helpText: z.string(),
    position: z.number().int(),
    archived: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'CustomField' });
export type CustomFieldDto = z.infer<typeof customFieldSchema>;

const fieldInput = {
  label: z.string().trim().min(1).max(200),
  options: z.array(optionSchema).max(200).describe('For select and multiselect fields only'),
  required: z.boolean().describe('A new record must have a value'),
  helpText: z.string().trim().max(1000),
  position: z.number().int().min(0).max(1000),
};

export const createCustomFieldBodySchema = z.object({
  recordType: customFieldRecordTypeSchema,
  key: keySchema.describe('Unique per record type; cannot change later'),
  label: fieldInput.label,
  type: customFieldTypeSchema.describe('Cannot change later'),
  options: fieldInput.options.default([]),
  required: fieldInput.required.default(false),
  sensitive: z.boolean().default(false).describe('Cannot change later'),
  helpText: fieldInput.helpText.default(''),
  position: fieldInput.position.optional().describe('Defaults to the end of the list'),
});
export type CreateCustomFieldInput = z.infer<typeof createCustomFieldBodySchema>;

export const updateCustomFieldBodySchema = z
  .object({
    ...fieldInput,
    key: z.string().describe('Only the current key is accepted: keys never change'),
    type: customFieldTypeSchema.describe('Only the current type is accepted'),
    sensitive: z.boolean().describe('Only the current setting is accepted'),
  })
  .partial();
export type UpdateCustomFieldInput = z.infer<typeof updateCustomFieldBodySchema>;

export const customFieldIdParamsSchema = z.object({ id: z.uuid() });

export const listCustomFieldsQuerySchema = z.object({
  recordType: customFieldRecordTypeSchema.optional(),
  includeArchived: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
});
export type ListCustomFieldsQuery = z.infer<typeof listCustomFieldsQuerySchema>;

// Values on records (leads, contacts, companies).

export const maskedValueSchema = z.object({ masked: z.literal(true) }).meta({
  id: 'MaskedValue',
  description:
    'A sensitive value that is set but not shown: in lists always, and in single-record ' +
    'reads for roles without lead:read_sensitive',
});

export const customFieldValueSchema = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.string()), maskedValueSchema])
  .meta({ id: 'CustomFieldValue' });
export type CustomFieldValue = z.infer<typeof customFieldValueSchema>;

export const customFieldValuesSchema = z
  .record(z.string(), customFieldValueSchema)
  .describe(
    'Values of the active custom fields by key (unset ones are left out). text, long_text, email, ' +
      'phone (E.164), url, date (YYYY-MM-DD) and select are strings; number a number; money ' +
      'whole minor units of the workspace currency; boolean; multiselect a list of option values.',
  );

export const customFieldsInputSchema = z
  .record(
    z.string().max(63),
    z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]),
  )
  .describe(
    'Custom field values by key, checked against the active fields of this record type. On ' +
      'PATCH only the keys sent change; null clears a value.',
  );
export type CustomFieldsInput = z.infer<typeof customFieldsInputSchema>;

export const customFieldFilterSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (typeof value === 'string' ? [value] : value))
  .optional()
  .describe(
    'Custom field filter "<key>:<value>", repeatable (all must match): equality for text, ' +
      'number, money, date, boolean, select, email and url fields; "contains this option" for ' +
      'multiselect. Sensitive, long_text and phone fields cannot be filtered on.',
  );
