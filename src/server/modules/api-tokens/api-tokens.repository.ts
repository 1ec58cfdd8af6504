// The only SQL for API tokens. A token is looked up by its hash; everything else by workspace.
import type { Executor } from '../../platform/audit.js';
import type { Role } from '../../platform/db/schema.js';

export function insertApiToken(
  db: Executor,
  values: {
    workspaceId: string;
    userId: string;
    name: string;
    role: Role;
    tokenHash: string;
    tokenPrefix: string;
    now: Date;
  },
) {
  return db
    .insertInto('api_tokens')
    .values({
      workspace_id: values.workspaceId,
      user_id: values.userId,
      name: values.name,
      role: values.role,
      token_hash: values.tokenHash,
      token_prefix: values.tokenPrefix,
      created_at: values.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listApiTokens(db: Executor, workspaceId: string, userId: string | undefined) {
  let query = db
    .selectFrom('api_tokens')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('revoked_at', 'is', null);
  if (userId) query = query.where('user_id', '=', userId);
  return query.orderBy('created_at', 'desc').orderBy('id').execute();
}

export function findApiToken(db: Executor, workspaceId: string, tokenId: string) {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', tokenId)
    .executeTakeFirst();
}

export function revokeApiToken(db: Executor, workspaceId: string, tokenId: string, now: Date) {
  return db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** A live token with its owner's membership and workspace, for authenticating a request. */
export function findLiveTokenByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('memberships', (join) =>
      join
        .onRef('memberships.workspace_id', '=', 'api_tokens.workspace_id')
        .onRef('memberships.user_id', '=', 'api_tokens.user_id'),
    )
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .innerJoin('workspaces', 'workspaces.id', 'api_tokens.workspace_id')
    .select([
      'api_tokens.id',
      'api_tokens.workspace_id',
      'api_tokens.user_id',
      'api_tokens.role',
      'api_tokens.last_used_at',
      'memberships.role as member_role',
      'users.is_instance_admin',
      'workspaces.agents_own_leads_only',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where('memberships.is_active', '=', true)
    .where('users.is_active', '=', true)
    .executeTakeFirst();
}

export function touchApiToken(db: Executor, tokenId: string, now: Date) {
  return db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('id', '=', tokenId)
    .execute();
}
