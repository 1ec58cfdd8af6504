// Roles and permissions: the one table from role to permission. docs/permissions.md shows it.
import type { Role } from '../db/schema.js';

export const PERMISSIONS = [
  'lead:read',
  'lead:read_sensitive',
  'lead:create',
  'lead:update',
  'lead:assign',
  'lead:convert',
  'lead:configure',
  'lead:analytics',
  'user:manage',
  'audit:read',
  'workspace:export',
  'workspace:import',
  'contact:privacy',
  'automation:manage',
  /** Outbound webhooks and the accounting connector (URLs and secrets). */
  'webhook:manage',
  /** Approve outbox messages on one's own leads (or drafted by oneself). */
  'message:approve',
  /** Approve any outbox message of the workspace. */
  'message:approve_any',
  /** Sequences (and rules) that send without approval: admins only. */
  'message:auto_send',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  manager: [
    'lead:read',
    'lead:read_sensitive',
    'lead:create',
    'lead:update',
    'lead:assign',
    'lead:convert',
    'lead:configure',
    'lead:analytics',
    'audit:read',
    // Privacy requests of one person (docs/data-portability.md says why not agents).
    'contact:privacy',
    'automation:manage',
    'message:approve',
    'message:approve_any',
  ],
  agent: [
    'lead:read',
    'lead:read_sensitive',
    'lead:create',
    'lead:update',
    'lead:convert',
    'message:approve',
  ],
  front_desk: ['lead:read', 'lead:create', 'lead:update'],
  viewer: ['lead:read', 'lead:analytics'],
};

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

/** True when every permission of `role` is also held by `holderRole` (a token can't outrank its owner). */
export function isRoleWithin(role: Role, holderRole: Role): boolean {
  const held = permissionsOf(holderRole);
  return ROLE_PERMISSIONS[role].every((permission) => held.has(permission));
}
