import { z } from 'zod';
import { emailSchema, passwordSchema } from '../users/users.schemas.js';
import { createWorkspaceBodySchema } from '../workspaces/workspaces.schemas.js';

export const completeSetupBodySchema = z.object({
  token: z.string().min(1).max(200),
  workspaceName: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(200),
  email: emailSchema,
  password: passwordSchema,
  timeZone: createWorkspaceBodySchema.shape.timeZone,
  locale: createWorkspaceBodySchema.shape.locale,
  currency: createWorkspaceBodySchema.shape.currency,
  country: createWorkspaceBodySchema.shape.country,
  preset: createWorkspaceBodySchema.shape.preset.optional(),
});
export type CompleteSetupInput = z.infer<typeof completeSetupBodySchema>;
