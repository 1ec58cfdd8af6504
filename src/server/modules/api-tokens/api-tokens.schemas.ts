import { z } from 'zod';
import { roleSchema } from '../users/users.schemas.js';

export const apiTokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: roleSchema,
    userId: z.uuid(),
    prefix: z.string().describe('The first characters of the token, to recognise it'),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiTokenDto = z.infer<typeof apiTokenSchema>;

export const createApiTokenBodySchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: roleSchema.optional().describe('Defaults to your own role; may not exceed it'),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenBodySchema>;

export const createdApiTokenSchema = apiTokenSchema
  .extend({ token: z.string().describe('Shown once; store it now') })
  .meta({ id: 'CreatedApiToken' });

export const apiTokenIdParamsSchema = z.object({ id: z.uuid() });
