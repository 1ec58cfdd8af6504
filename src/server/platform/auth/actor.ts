// The actor: who is calling, in which workspace, with what permissions. Services take it first.
import type { Role } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Permission } from './permissions.js';

export interface Actor {
  userId: string;
  workspaceId: string;
  role: Role;
  permissions: ReadonlySet<Permission>;
  isInstanceAdmin: boolean;
  /** 'own' when the workspace limits agents to their own leads. */
  leadScope: 'all' | 'own';
  via: 'session' | 'token' | 'system';
  sessionId: string | null;
  tokenId: string | null;
  requestId: string | null;
  ip: string | null;
  /** Set when an automation rule acts: the rules whose actions led here (no rule re-fires on its own work). */
  causedByRules?: readonly string[];
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) {
    throw new AppError('forbidden', {
      message: `Your role (${actor.role}) does not allow this (needs ${permission}).`,
    });
  }
}
