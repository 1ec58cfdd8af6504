import { z } from 'zod';
import { PRESET_KEYS } from '../presets/presets.data.js';

const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use HH:MM');

export const businessHoursSchema = z
  .partialRecord(
    z.enum(['1', '2', '3', '4', '5', '6', '7']),
    z
      .array(z.object({ start: hhmm, end: hhmm }))
      .refine(
        (ranges) => ranges.every((r) => r.start < r.end),
        'Each range must end after it starts',
      ),
  )
  .describe('ISO weekday (1 = Monday … 7 = Sunday) → open hours in the workspace time zone')
  .meta({ id: 'BusinessHours' });

export const DEFAULT_BUSINESS_HOURS = Object.fromEntries(
  ['1', '2', '3', '4', '5'].map((day) => [day, [{ start: '09:00', end: '17:00' }]]),
) as z.infer<typeof businessHoursSchema>;

export const timeZoneSchema = z
  .string()
  .refine((value) => TIME_ZONES.has(value), 'Unknown IANA time zone, e.g. Europe/Berlin');
export const localeSchema = z.string().refine((value) => {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}, 'Unknown locale, e.g. de-DE');
export const currencySchema = z
  .string()
  .transform((value) => value.toUpperCase())
  .refine((value) => CURRENCIES.has(value), 'Unknown ISO 4217 currency, e.g. EUR');
export const countrySchema = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'Use a two-letter country code, e.g. DE')
  .transform((value) => value.toUpperCase());

export const workspaceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    timeZone: z.string(),
    locale: z.string(),
    currency: z.string(),
    country: z.string(),
    businessHours: businessHoursSchema,
    agentsOwnLeadsOnly: z.boolean(),
    duplicateSimilarity: z
      .number()
      .describe(
        'Name similarity (0.1–1, pg_trgm) from which records are flagged as likely duplicates',
      ),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Workspace' });
export type WorkspaceDto = z.infer<typeof workspaceSchema>;

export const workspaceSummarySchema = z
  .object({ id: z.uuid(), name: z.string(), role: z.string() })
  .meta({ id: 'WorkspaceSummary' });

export const createWorkspaceBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  timeZone: timeZoneSchema.default('UTC'),
  locale: localeSchema.default('en-US'),
  currency: currencySchema.default('USD'),
  country: countrySchema.default('US'),
  businessHours: businessHoursSchema.default(DEFAULT_BUSINESS_HOURS),
  preset: z
    .enum(PRESET_KEYS)
    .default('b2b')
    .describe('Pipelines, sources and lost reasons to start with (GET /api/presets)'),
});
export type CreateWorkspaceInput = z.infer<typeof createWorkspaceBodySchema>;

export const updateWorkspaceBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    timeZone: timeZoneSchema,
    locale: localeSchema,
    currency: currencySchema,
    country: countrySchema,
    businessHours: businessHoursSchema,
    agentsOwnLeadsOnly: z.boolean(),
    duplicateSimilarity: z.number().min(0.1).max(1),
  })
  .partial();
export type UpdateWorkspaceInput = z.infer<typeof updateWorkspaceBodySchema>;

export const workspaceIdParamsSchema = z.object({ id: z.uuid() });
