import { z } from 'zod';
import { SUBMISSION_ADAPTERS, SUBMISSION_STATUSES } from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';
import { TARGET_PATTERN } from './forms.mapping.js';

const targetSchema = z
  .string()
  .regex(
    TARGET_PATTERN,
    'A target is firstName, lastName, name, email, phone, company, message, submissionId, ignore, lead.<key> or contact.<key>',
  );

const fieldMappingSchema = z
  .record(z.string().trim().min(1).max(200), targetSchema)
  .refine((mapping) => Object.keys(mapping).length <= 100, 'At most 100 mapped fields')
  .describe(
    'Posted field name (for Typeform: a question ref, id or title) → target. Unmapped names fall back to the usual ones (firstName, first_name, email, phone, …).',
  );

const adapterMappingSchema = z
  .record(
    z
      .string()
      .trim()
      .min(1)
      .max(300)
      .regex(
        /^(\$\.?)?[\w-]+(\.[\w-]+|\[\d+\])*$/,
        'A path such as $.data.contact.email or answers[0].text',
      ),
    targetSchema,
  )
  .refine((mapping) => Object.keys(mapping).length <= 100, 'At most 100 paths')
  .describe('For the generic adapter (Zapier, Make): JSON path → target');

const originSchema = z
  .string()
  .trim()
  .max(200)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'An origin such as https://www.example.com (scheme and host, no path)');

const redirectUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .describe('Where a browser goes after a plain form post (303); else the thank-you page');

const secretSchema = z.string().min(16, 'Use at least 16 characters').max(200);

export const formSchema = z
  .object({
    id: z.uuid(),
    key: z.string().describe('The public key in /f/<key> and /api/capture/<key>'),
    name: z.string(),
    fields: z.record(z.string(), z.string()),
    adapterMapping: z.record(z.string(), z.string()),
    sourceId: z.uuid().nullable(),
    pipelineId: z.uuid().nullable(),
    stageId: z.uuid().nullable().describe("Null: the pipeline's first open stage"),
    assigneeId: z.uuid().nullable(),
    allowedOrigins: z.array(z.string()),
    thankYouMessage: z.string(),
    redirectUrl: z.string().nullable(),
    honeypotField: z.string(),
    hasSigningSecret: z.boolean(),
    hasGoogleKey: z.boolean(),
    active: z.boolean(),
    hostedUrl: z.string(),
    captureUrl: z.string(),
    embedHtml: z.string().describe('A plain HTML form to paste into a website'),
    iframeHtml: z
      .string()
      .describe('The hosted page in an iframe (list the site in allowedOrigins)'),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Form' });
export type FormDto = z.infer<typeof formSchema>;

const formFields = {
  name: z.string().trim().min(1).max(100),
  fields: fieldMappingSchema,
  adapterMapping: adapterMappingSchema,
  sourceId: z.uuid().nullable(),
  pipelineId: z.uuid().nullable().describe('Null: the default pipeline'),
  stageId: z.uuid().nullable(),
  assigneeId: z.uuid().nullable().describe('Null: unassigned; admins and managers are notified'),
  allowedOrigins: z.array(originSchema).max(20),
  thankYouMessage: z.string().trim().max(2000),
  redirectUrl: redirectUrlSchema.nullable(),
  honeypotField: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[A-Za-z][\w-]*$/, 'Letters, digits, - and _'),
  signingSecret: secretSchema
    .nullable()
    .describe('HMAC-SHA256 key: posts must carry X-Leadkeeper-Signature: sha256=<hex>'),
  googleKey: z
    .string()
    .min(1)
    .max(200)
    .nullable()
    .describe('The key set in the Google Ads lead form webhook; google_key must match'),
  active: z.boolean(),
};

export const createFormBodySchema = z.object({
  ...formFields,
  fields: formFields.fields.default({}),
  adapterMapping: formFields.adapterMapping.default({}),
  sourceId: formFields.sourceId.default(null),
  pipelineId: formFields.pipelineId.default(null),
  stageId: formFields.stageId.default(null),
  assigneeId: formFields.assigneeId.default(null),
  allowedOrigins: formFields.allowedOrigins.default([]),
  thankYouMessage: formFields.thankYouMessage.default(''),
  redirectUrl: formFields.redirectUrl.default(null),
  honeypotField: formFields.honeypotField.default('website_url'),
  signingSecret: formFields.signingSecret.default(null),
  googleKey: formFields.googleKey.default(null),
  active: formFields.active.default(true),
});
export type CreateFormInput = z.infer<typeof createFormBodySchema>;

export const updateFormBodySchema = z.object(formFields).partial();
export type UpdateFormInput = z.infer<typeof updateFormBodySchema>;

export const formIdParamsSchema = z.object({ id: z.uuid() });
export const formsPageSchema = z.object({
  items: z.array(formSchema),
  nextCursor: z.null(),
});

export const submissionSchema = z
  .object({
    id: z.uuid(),
    formId: z.uuid(),
    adapter: z.enum(SUBMISSION_ADAPTERS),
    status: z.enum(SUBMISSION_STATUSES),
    submissionKey: z.string().nullable(),
    fields: z.record(z.string(), z.string()).describe('The values as mapped, by target'),
    extras: z.array(z.object({ label: z.string(), value: z.string() })),
    errors: z.array(z.object({ field: z.string(), message: z.string() })),
    rawBody: z.string(),
    contentType: z.string(),
    leadId: z.uuid().nullable(),
    contactId: z.uuid().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    acceptedBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'FormSubmission' });
export type SubmissionDto = z.infer<typeof submissionSchema>;

export const listSubmissionsQuerySchema = pageQuerySchema.extend({
  status: z.enum(SUBMISSION_STATUSES).optional(),
});
export type ListSubmissionsQuery = z.infer<typeof listSubmissionsQuerySchema>;

export const submissionsPageSchema = z.object({
  items: z.array(submissionSchema),
  nextCursor: z.string().nullable(),
});

export const acceptSubmissionBodySchema = z.object({
  fields: z
    .record(z.string().regex(TARGET_PATTERN), z.string().max(10_000))
    .default({})
    .describe('Corrected values by target (e.g. email); they replace the stored ones'),
});
export type AcceptSubmissionInput = z.infer<typeof acceptSubmissionBodySchema>;

export const captureParamsSchema = z.object({ formKey: z.string().min(1).max(100) });
export const adapterParamsSchema = captureParamsSchema.extend({
  adapter: z.enum(['meta', 'google-ads', 'typeform', 'generic']),
});

export const captureResultSchema = z
  .object({
    submissionId: z.uuid(),
    status: z.enum(SUBMISSION_STATUSES),
    leadId: z.uuid().nullable(),
  })
  .meta({ id: 'CaptureResult' });
export type CaptureResult = z.infer<typeof captureResultSchema>;

export const metaNoticeResultSchema = z.object({
  status: z.literal('needs_lead_data'),
  detail: z.string(),
  submissions: z.array(z.object({ submissionId: z.uuid(), leadgenId: z.string() })),
});
