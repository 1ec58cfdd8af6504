import { z } from 'zod';
import { PERMISSIONS } from '../../platform/auth/permissions.js';
import { emailSchema, passwordSchema, roleSchema } from '../users/users.schemas.js';
import { workspaceSchema, workspaceSummarySchema } from '../workspaces/workspaces.schemas.js';

export const sessionUserSchema = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), isInstanceAdmin: z.boolean() })
  .meta({ id: 'SessionUser' });
export type SessionUserDto = z.infer<typeof sessionUserSchema>;

export const loginBodySchema = z.object({
  email: emailSchema,
  password: z.string().min(1).max(200),
});

export const loginResponseSchema = z
  .object({ user: sessionUserSchema, workspace: workspaceSchema, csrfToken: z.string() })
  .meta({ id: 'LoginResponse' });

export const meResponseSchema = z
  .object({
    user: sessionUserSchema,
    workspace: workspaceSchema,
    workspaces: z.array(workspaceSummarySchema),
    role: roleSchema,
    permissions: z.array(z.enum(PERMISSIONS)),
    csrfToken: z.string().nullable().describe('Null when called with an API token'),
  })
  .meta({ id: 'Me' });

export const switchWorkspaceBodySchema = z.object({ workspaceId: z.uuid() });

export const acceptInviteBodySchema = z.object({
  token: z.string().min(1).max(200),
  password: passwordSchema,
  name: z.string().trim().min(1).max(200).optional(),
});
