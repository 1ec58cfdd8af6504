import { z } from 'zod';
import { ROLES } from '../../platform/db/schema.js';
import { pageQuerySchema } from '../../platform/http/pagination.js';

export const roleSchema = z.enum(ROLES).meta({ id: 'Role' });

// Sign-in emails are compared without case; stored as typed, trimmed.
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));
export const passwordSchema = z
  .string()
  .min(10, 'Use at least 10 characters')
  .max(200, 'Use at most 200 characters');

export const workspaceUserSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    active: z.boolean(),
    hasPassword: z.boolean(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WorkspaceUser' });
export type WorkspaceUserDto = z.infer<typeof workspaceUserSchema>;

export const userIdParamsSchema = z.object({ id: z.uuid() });

export const listUsersQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().max(200).optional(),
  role: roleSchema.optional(),
  active: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;

export const createUserBodySchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  role: roleSchema,
  password: passwordSchema.optional(),
});
export type CreateUserInput = z.infer<typeof createUserBodySchema>;

export const createUserResponseSchema = z.object({
  user: workspaceUserSchema,
  /** A one-time link to set a password, when no password was given. */
  inviteUrl: z.string().nullable(),
});

export const updateUserBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: roleSchema,
    active: z.boolean(),
  })
  .partial();
export type UpdateUserInput = z.infer<typeof updateUserBodySchema>;
