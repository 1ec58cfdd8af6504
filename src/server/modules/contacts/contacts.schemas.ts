import { z } from 'zod';
import { LIFECYCLE_STAGES, PREFERRED_CHANNELS } from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';
import { addressSchema } from '../companies/companies.schemas.js';
import {
  customFieldsInputSchema,
  customFieldValuesSchema,
} from '../custom-fields/custom-fields.schemas.js';
import { emailSchema } from '../users/users.schemas.js';

const labelSchema = z.string().trim().max(40).default('');

// Emails and phones may be sent as plain strings or as { value, label }; primary first.
const emailEntrySchema = z.union([
  emailSchema.transform((value) => ({ value, label: '' })),
  z.object({ value: emailSchema, label: labelSchema }),
]);
const phoneEntrySchema = z.union([
  z
    .string()
    .trim()
    .min(3)
    .max(40)
    .transform((value) => ({ value, label: '' })),
  z.object({ value: z.string().trim().min(3).max(40), label: labelSchema }),
]);

export const contactSchema = z
  .object({
    id: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    name: z.string(),
    emails: z.array(z.object({ value: z.string(), label: z.string() })),
    phones: z.array(
      z.object({ value: z.string().describe('As typed'), e164: z.string(), label: z.string() }),
    ),
    address: addressSchema.nullable(),
    preferredChannel: z.enum(PREFERRED_CHANNELS),
    preferredTime: z.string(),
    lifecycleStage: z.enum(LIFECYCLE_STAGES),
    tags: z.array(z.string()),
    optInEmail: z.boolean(),
    optInSms: z.boolean(),
    doNotContact: z.boolean(),
    notes: z.string(),
    companyId: z.uuid().nullable(),
    customFields: customFieldValuesSchema,
    archived: z.boolean(),
    erasedAt: z.iso
      .datetime()
      .nullable()
      .describe(
        "When the person's data was erased (a privacy request); such a contact can't change",
      ),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Contact' });
export type ContactDto = z.infer<typeof contactSchema>;

const contactFields = {
  firstName: z.string().trim().max(100),
  lastName: z.string().trim().max(100),
  emails: z.array(emailEntrySchema).max(10),
  phones: z.array(phoneEntrySchema).max(10),
  address: addressSchema.nullable(),
  preferredChannel: z.enum(PREFERRED_CHANNELS),
  preferredTime: z.string().trim().max(200),
  lifecycleStage: z.enum(LIFECYCLE_STAGES),
  tags: z.array(z.string().trim().min(1).max(50)).max(50),
  optInEmail: z.boolean(),
  optInSms: z.boolean(),
  doNotContact: z.boolean(),
  notes: z.string().max(10_000),
  companyId: z.uuid().nullable(),
};

const allowDuplicate = z
  .boolean()
  .default(false)
  .describe('Create or save even when another contact has the same email or phone');

export const createContactBodySchema = z.object({
  firstName: contactFields.firstName.default(''),
  lastName: contactFields.lastName.default(''),
  emails: contactFields.emails.default([]),
  phones: contactFields.phones.default([]),
  address: contactFields.address.default(null),
  preferredChannel: contactFields.preferredChannel.default('any'),
  preferredTime: contactFields.preferredTime.default(''),
  lifecycleStage: contactFields.lifecycleStage.default('prospect'),
  tags: contactFields.tags.default([]),
  optInEmail: contactFields.optInEmail.default(false),
  optInSms: contactFields.optInSms.default(false),
  doNotContact: contactFields.doNotContact.default(false),
  notes: contactFields.notes.default(''),
  companyId: contactFields.companyId.default(null),
  customFields: customFieldsInputSchema.optional(),
  allowDuplicate,
});
export type CreateContactInput = z.infer<typeof createContactBodySchema>;

export const updateContactBodySchema = z
  .object(contactFields)
  .partial()
  .extend({ customFields: customFieldsInputSchema.optional(), allowDuplicate });
export type UpdateContactInput = z.infer<typeof updateContactBodySchema>;

export const contactIdParamsSchema = z.object({ id: z.uuid() });

export const listContactsQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().max(200).optional().describe('Name, email or phone'),
  companyId: z.uuid().optional(),
  lifecycleStage: z.enum(LIFECYCLE_STAGES).optional(),
  tag: z.string().trim().max(50).optional(),
  includeArchived: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
});
export type ListContactsQuery = z.infer<typeof listContactsQuerySchema>;
