// Personal API tokens: shown once, stored hashed, scoped to a workspace and a role, revocable.
import type { Actor } from '../../platform/auth/actor.js';
import { isRoleWithin, permissionsOf, ROLE_PERMISSIONS } from '../../platform/auth/permissions.js';
import { generateSecret, hashSecret } from '../../platform/auth/secrets.js';
import { recordAudit } from '../../platform/audit.js';
import type { ApiTokenRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { fieldError, notFound } from '../../platform/errors.js';
import type { ResolvedToken } from '../../platform/auth/credential-cache.js';
import * as repo from './api-tokens.repository.js';
import type { ApiTokenDto, CreateApiTokenInput } from './api-tokens.schemas.js';

type LiveTokenRow = NonNullable<Awaited<ReturnType<typeof repo.findLiveTokenByHash>>>;

const TOUCH_EVERY_MS = 60_000;

export function toApiTokenDto(row: ApiTokenRow): ApiTokenDto {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    userId: row.user_id,
    prefix: row.token_prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

function toResolvedToken(row: LiveTokenRow): ResolvedToken {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    role: row.role,
    memberRole: row.member_role,
    isInstanceAdmin: row.is_instance_admin,
    agentsOwnLeadsOnly: row.agents_own_leads_only,
    lastUsedAt: row.last_used_at,
  };
}

export function createApiTokensService({ db, clock, credentials }: ServiceDeps) {
  return {
    async createApiToken(actor: Actor, input: CreateApiTokenInput) {
      const role = input.role ?? actor.role;
      if (!isRoleWithin(role, actor.role)) {
        throw fieldError(
          'role',
          `A token may not have more rights than your role (${actor.role}).`,
        );
      }
      const token = generateSecret('lk');
      return db.transaction().execute(async (trx) => {
        const row = await repo.insertApiToken(trx, {
          workspaceId: actor.workspaceId,
          userId: actor.userId,
          name: input.name,
          role,
          tokenHash: hashSecret(token),
          tokenPrefix: token.slice(0, 10),
          now: clock.now(),
        });
        await recordAudit(trx, clock, actor, {
          action: 'api_token.created',
          entityType: 'api_token',
          entityId: row.id,
          after: { name: row.name, role: row.role, userId: row.user_id },
        });
        return { ...toApiTokenDto(row), token };
      });
    },

    async listApiTokens(actor: Actor) {
      // Admins see every live token of the workspace; everyone else sees their own.
      const ownerFilter = actor.permissions.has('user:manage') ? undefined : actor.userId;
      const rows = await repo.listApiTokens(db, actor.workspaceId, ownerFilter);
      return { items: rows.map(toApiTokenDto), nextCursor: null };
    },

    async revokeApiToken(actor: Actor, tokenId: string) {
      await db.transaction().execute(async (trx) => {
        const row = await repo.findApiToken(trx, actor.workspaceId, tokenId);
        const mayRevoke =
          row && (row.user_id === actor.userId || actor.permissions.has('user:manage'));
        if (!mayRevoke || row.revoked_at) throw notFound('API token');
        await repo.revokeApiToken(trx, actor.workspaceId, tokenId, clock.now());
        await recordAudit(trx, clock, actor, {
          action: 'api_token.revoked',
          entityType: 'api_token',
          entityId: tokenId,
          before: { revoked: false },
          after: { revoked: true },
        });
      });
      credentials.clear();
    },

    /** The actor behind a Bearer token, or null when the token is unknown, revoked or orphaned. */
    async authenticateToken(
      token: string,
      request: { requestId: string; ip: string },
    ): Promise<Actor | null> {
      const tokenHash = hashSecret(token);
      const resolved = await credentials.get(tokenHash, async () => {
        const row = await repo.findLiveTokenByHash(db, tokenHash);
        return row && toResolvedToken(row);
      });
      if (!resolved) {
        credentials.delete(tokenHash); // unknown tokens are not kept: anyone can send many
        return null;
      }
      const now = clock.now();
      if (!resolved.lastUsedAt || now.getTime() - resolved.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
        resolved.lastUsedAt = now;
        await repo.touchApiToken(db, resolved.id, now);
      }
      // If the owner's role was lowered after the token was made, the token is lowered too.
      const memberPermissions = permissionsOf(resolved.memberRole);
      const permissions = new Set(
        ROLE_PERMISSIONS[resolved.role].filter((permission) => memberPermissions.has(permission)),
      );
      return {
        userId: resolved.userId,
        workspaceId: resolved.workspaceId,
        role: resolved.role,
        permissions,
        isInstanceAdmin: resolved.isInstanceAdmin,
        leadScope: resolved.role === 'agent' && resolved.agentsOwnLeadsOnly ? 'own' : 'all',
        via: 'token',
        sessionId: null,
        tokenId: resolved.id,
        requestId: request.requestId,
        ip: request.ip,
      };
    },
  };
}

export type ApiTokensService = ReturnType<typeof createApiTokensService>;
