// The only SQL for sign-in sessions (server-side, revocable, with idle and absolute expiry).
import type { Executor } from '../../platform/audit.js';

export function insertSession(
  db: Executor,
  values: {
    tokenHash: string;
    userId: string;
    workspaceId: string;
    csrfToken: string;
    ip: string | null;
    userAgent: string | null;
    now: Date;
    expiresAt: Date;
  },
) {
  return db
    .insertInto('sessions')
    .values({
      token_hash: values.tokenHash,
      user_id: values.userId,
      workspace_id: values.workspaceId,
      csrf_token: values.csrfToken,
      ip: values.ip,
      user_agent: values.userAgent?.slice(0, 500) ?? null,
      created_at: values.now,
      last_seen_at: values.now,
      expires_at: values.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A live session with its user's membership in the session's workspace. */
export function findLiveSession(db: Executor, tokenHash: string, now: Date, idleSince: Date) {
  return db
    .selectFrom('sessions')
    .innerJoin('memberships', (join) =>
      join
        .onRef('memberships.workspace_id', '=', 'sessions.workspace_id')
        .onRef('memberships.user_id', '=', 'sessions.user_id'),
    )
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('workspaces', 'workspaces.id', 'sessions.workspace_id')
    .select([
      'sessions.id',
      'sessions.user_id',
      'sessions.workspace_id',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'memberships.role',
      'users.is_instance_admin',
      'workspaces.agents_own_leads_only',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', idleSince)
    .where('memberships.is_active', '=', true)
    .where('users.is_active', '=', true)
    .executeTakeFirst();
}

export function touchSession(db: Executor, sessionId: string, now: Date) {
  return db
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where('id', '=', sessionId)
    .execute();
}

export function setSessionWorkspace(db: Executor, sessionId: string, workspaceId: string) {
  return db
    .updateTable('sessions')
    .set({ workspace_id: workspaceId })
    .where('id', '=', sessionId)
    .execute();
}

export function revokeSession(db: Executor, sessionId: string, now: Date) {
  return db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

export function revokeSessionsOfUser(db: Executor, userId: string, now: Date) {
  return db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
