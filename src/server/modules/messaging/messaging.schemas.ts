import { z } from 'zod';
import {
  MESSAGE_CHANNELS,
  MESSAGE_ORIGINS,
  MESSAGE_PURPOSES,
  MESSAGE_STATUSES,
  SUPPRESSION_REASONS,
} from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';
import { TEMPLATE_VARIABLES } from './templates.render.js';

const channel = z.enum(MESSAGE_CHANNELS).describe('email or sms');
const purpose = z
  .enum(MESSAGE_PURPOSES)
  .describe('marketing messages go only to contacts who opted in to the channel');
const subject = z.string().trim().max(200);
const body = z.string().trim().min(1).max(20_000);

export const idParamsSchema = z.object({ id: z.uuid() });

// Templates

const templateFields = {
  name: z.string().trim().min(1).max(100),
  channel,
  purpose,
  subject: subject.describe('Email only; may use variables'),
  body: body.describe('May use variables such as {{contact.firstName}}'),
  stageSlug: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .nullable()
    .describe('The stage this follow-up template is meant for (its slug), if any'),
};

export const createTemplateBodySchema = z.object({
  ...templateFields,
  purpose: purpose.default('transactional'),
  subject: templateFields.subject.default(''),
  stageSlug: templateFields.stageSlug.default(null),
});
export type CreateTemplateInput = z.infer<typeof createTemplateBodySchema>;

export const updateTemplateBodySchema = z.object(templateFields).partial();
export type UpdateTemplateInput = z.infer<typeof updateTemplateBodySchema>;

export const templateSchema = z
  .object({
    id: z.uuid(),
    ...templateFields,
    subject: z.string(),
    body: z.string(),
    stageSlug: z.string().nullable(),
    shipped: z.boolean().describe('Shipped with the preset (still editable)'),
    archived: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'MessageTemplate' });
export type TemplateDto = z.infer<typeof templateSchema>;

export const listTemplatesQuerySchema = z.object({
  channel: channel.optional(),
  archived: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false)
    .describe('true lists the archived ones instead'),
});
export type ListTemplatesQuery = z.infer<typeof listTemplatesQuerySchema>;

export const templatesListSchema = z.object({
  items: z.array(templateSchema),
  nextCursor: z.null(),
  variables: z
    .array(z.object({ name: z.string(), description: z.string() }))
    .describe('Every variable a template may use'),
});

export const templateVariablesList = Object.entries(TEMPLATE_VARIABLES).map(
  ([name, description]) => ({ name, description }),
);

export const previewBodySchema = z.object({
  leadId: z.uuid().describe('Render with this lead, its contact and its owner'),
  channel: channel.optional().describe('Unsaved text: its channel (default email)'),
  subject: subject.optional().describe("Unsaved text to render instead of the template's"),
  body: z.string().max(20_000).optional(),
});
export type PreviewInput = z.infer<typeof previewBodySchema>;

export const previewSchema = z.object({
  subject: z.string(),
  body: z.string(),
  to: z.string().describe("The contact's address on the channel, '' when they have none"),
});
export type PreviewDto = z.infer<typeof previewSchema>;

// Messages and the outbox

export const createMessageBodySchema = z
  .object({
    leadId: z.uuid().optional(),
    contactId: z.uuid().optional(),
    channel,
    templateId: z.uuid().optional(),
    subject: subject.optional(),
    body: body.optional(),
    purpose: purpose.optional().describe("Default: the template's, else transactional"),
  })
  .superRefine((input, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message });
    if (!input.leadId && !input.contactId) issue('leadId', 'Give a lead or a contact.');
    if (!input.templateId && !input.body) issue('body', 'Give a template or a body.');
    if (input.channel === 'email' && !input.templateId && !input.subject) {
      issue('subject', 'An email needs a subject.');
    }
  });
export type CreateMessageInput = z.infer<typeof createMessageBodySchema>;

export const updateMessageBodySchema = z.object({
  subject: subject.optional(),
  body: body.optional(),
  purpose: purpose.optional(),
});
export type UpdateMessageInput = z.infer<typeof updateMessageBodySchema>;

export const rejectBodySchema = z.object({
  reason: z.string().trim().max(500).default('').describe('Why (shown in the outbox)'),
});

export const messageSchema = z
  .object({
    id: z.uuid(),
    leadId: z.uuid().nullable(),
    contactId: z.uuid().nullable(),
    channel,
    purpose,
    templateId: z.uuid().nullable(),
    recipientName: z.string(),
    to: z.string().describe('The email address or E.164 number it goes to'),
    subject: z.string(),
    body: z.string(),
    status: z
      .enum(MESSAGE_STATUSES)
      .describe('draft → approved → sent | failed; or suppressed (see statusReason) or rejected'),
    statusReason: z
      .string()
      .nullable()
      .describe(
        'suppressed: do_not_contact, suppressed_address, no_opt_in, no_address, no_contact or ' +
          "contact_archived; rejected: the approver's note",
      ),
    lastError: z.string().nullable().describe('The last delivery error'),
    attempts: z.number().int().describe('Delivery attempts so far'),
    origin: z.object({ kind: z.enum(MESSAGE_ORIGINS), id: z.string().nullable() }),
    autoSend: z.boolean(),
    createdBy: z.uuid().nullable(),
    approvedBy: z.uuid().nullable(),
    approvedAt: z.iso.datetime().nullable(),
    sentAt: z.iso.datetime().nullable(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Message' });
export type MessageDto = z.infer<typeof messageSchema>;

export const outboxQuerySchema = pageQuerySchema.extend({
  status: z.enum(MESSAGE_STATUSES).optional().describe('Only messages in this status'),
  leadId: z.uuid().optional(),
  contactId: z.uuid().optional(),
});
export type OutboxQuery = z.infer<typeof outboxQuerySchema>;

export const outboxPageSchema = z.object({
  items: z.array(messageSchema),
  nextCursor: z.string().nullable(),
});

// Suppressions

export const suppressionSchema = z
  .object({
    id: z.uuid(),
    channel,
    address: z.string(),
    reason: z.enum(SUPPRESSION_REASONS),
    note: z.string(),
    contactId: z.uuid().nullable(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Suppression' });
export type SuppressionDto = z.infer<typeof suppressionSchema>;

export const createSuppressionBodySchema = z.object({
  channel,
  address: z.string().trim().min(3).max(320).describe('An email address or a phone number'),
  note: z.string().trim().max(500).default(''),
});
export type CreateSuppressionInput = z.infer<typeof createSuppressionBodySchema>;

export const suppressionsQuerySchema = pageQuerySchema.extend({
  channel: channel.optional(),
  q: z.string().trim().max(320).optional().describe('Part of an address'),
});
export type SuppressionsQuery = z.infer<typeof suppressionsQuerySchema>;

export const suppressionsPageSchema = z.object({
  items: z.array(suppressionSchema),
  nextCursor: z.string().nullable(),
});
