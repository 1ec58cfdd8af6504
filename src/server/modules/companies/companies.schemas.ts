import { z } from 'zod';
import { COMPANY_STATUSES, COMPANY_TYPES } from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';
import {
  customFieldsInputSchema,
  customFieldValuesSchema,
} from '../custom-fields/custom-fields.schemas.js';

export const addressSchema = z
  .object({
    street: z.string().trim().max(300).optional(),
    city: z.string().trim().max(120).optional(),
    region: z.string().trim().max(120).optional(),
    postalCode: z.string().trim().max(20).optional(),
    country: z.string().trim().max(60).optional(),
  })
  .meta({ id: 'Address' });

export const companySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    type: z.enum(COMPANY_TYPES),
    mainPhone: z.string().nullable(),
    mainPhoneE164: z.string().nullable(),
    website: z.string().nullable(),
    industry: z.string().nullable(),
    billingAddress: addressSchema.nullable(),
    status: z.enum(COMPANY_STATUSES),
    primaryContactId: z.uuid().nullable(),
    customFields: customFieldValuesSchema,
    archived: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Company' });
export type CompanyDto = z.infer<typeof companySchema>;

const companyFields = {
  name: z.string().trim().min(1).max(300),
  type: z.enum(COMPANY_TYPES),
  mainPhone: z.string().trim().min(3).max(40).nullable(),
  website: z.url().max(500).nullable(),
  industry: z.string().trim().max(120).nullable(),
  billingAddress: addressSchema.nullable(),
  status: z.enum(
    COMPANY_STATUSES.filter((s) => s !== 'archived') as ['prospect', 'active_customer', 'inactive'],
  ),
  primaryContactId: z.uuid().nullable(),
};

export const createCompanyBodySchema = z.object({
  ...companyFields,
  type: companyFields.type.default('business'),
  status: companyFields.status.default('prospect'),
  mainPhone: companyFields.mainPhone.optional(),
  website: companyFields.website.optional(),
  industry: companyFields.industry.optional(),
  billingAddress: companyFields.billingAddress.optional(),
  primaryContactId: companyFields.primaryContactId.optional(),
  customFields: customFieldsInputSchema.optional(),
});
export type CreateCompanyInput = z.infer<typeof createCompanyBodySchema>;

export const updateCompanyBodySchema = z
  .object(companyFields)
  .partial()
  .extend({ customFields: customFieldsInputSchema.optional() });
export type UpdateCompanyInput = z.infer<typeof updateCompanyBodySchema>;

export const companyIdParamsSchema = z.object({ id: z.uuid() });

export const listCompaniesQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().max(200).optional(),
  status: z.enum(COMPANY_STATUSES).optional(),
  includeArchived: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
});
export type ListCompaniesQuery = z.infer<typeof listCompaniesQuerySchema>;
