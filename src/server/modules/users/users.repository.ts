// The only SQL for users, their workspace memberships and invites.
// Users are instance-wide identities; memberships and invites are scoped by workspace.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { Role } from '../../platform/db/schema.js';

const memberColumns = [
  'users.id',
  'users.email',
  'users.name',
  'users.password_hash',
  'users.is_active as user_active',
  'users.is_instance_admin',
  'memberships.workspace_id',
  'memberships.role',
  'memberships.is_active as member_active',
  'memberships.version',
  'memberships.created_at',
] as const;

export function findUserByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export function countUsers(db: Executor) {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}

export function insertUser(
  db: Executor,
  values: {
    email: string;
    name: string;
    passwordHash: string | null;
    isInstanceAdmin?: boolean;
    now: Date;
  },
) {
  return db
    .insertInto('users')
    .values({
      email: values.email,
      name: values.name,
      password_hash: values.passwordHash,
      is_instance_admin: values.isInstanceAdmin ?? false,
      created_at: values.now,
      updated_at: values.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateUserRow(
  db: Executor,
  userId: string,
  patch: { name?: string; passwordHash?: string; isActive?: boolean },
  now: Date,
) {
  return db
    .updateTable('users')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
      ...(patch.isActive !== undefined ? { is_active: patch.isActive } : {}),
      updated_at: now,
    })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findMember(db: Executor, workspaceId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(memberColumns)
    .where('memberships.workspace_id', '=', workspaceId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
}

export type MemberRow = NonNullable<Awaited<ReturnType<typeof findMember>>>;

export function listMembers(
  db: Executor,
  workspaceId: string,
  filter: {
    q?: string | undefined;
    role?: Role | undefined;
    active?: boolean | undefined;
    after?: [string, string] | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(memberColumns)
    .where('memberships.workspace_id', '=', workspaceId);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`;
    query = query.where((eb) =>
      eb.or([eb('users.name', 'ilike', pattern), eb('users.email', 'ilike', pattern)]),
    );
  }
  if (filter.role) query = query.where('memberships.role', '=', filter.role);
  if (filter.active !== undefined) {
    query = query.where((eb) =>
      filter.active
        ? eb.and([eb('memberships.is_active', '=', true), eb('users.is_active', '=', true)])
        : eb.or([eb('memberships.is_active', '=', false), eb('users.is_active', '=', false)]),
    );
  }
  if (filter.after) {
    const [name, id] = filter.after;
    query = query.where((eb) =>
      eb.or([
        eb('users.name', '>', name),
        eb.and([eb('users.name', '=', name), eb('users.id', '>', id)]),
      ]),
    );
  }
  return query
    .orderBy('users.name')
    .orderBy('users.id')
    .limit(filter.limit + 1)
    .execute();
}

export function insertMembership(
  db: Executor,
  values: { workspaceId: string; userId: string; role: Role; now: Date },
) {
  return db
    .insertInto('memberships')
    .values({
      workspace_id: values.workspaceId,
      user_id: values.userId,
      role: values.role,
      created_at: values.now,
      updated_at: values.now,
    })
    .execute();
}

export function updateMembership(
  db: Executor,
  workspaceId: string,
  userId: string,
  patch: { role?: Role; isActive?: boolean },
  now: Date,
) {
  return db
    .updateTable('memberships')
    .set((eb) => ({
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.isActive !== undefined ? { is_active: patch.isActive } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

export function countActiveAdmins(db: Executor, workspaceId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('memberships.workspace_id', '=', workspaceId)
    .where('memberships.role', '=', 'admin')
    .where('memberships.is_active', '=', true)
    .where('users.is_active', '=', true)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}

/** The person and each workspace they actively belong to (full workspace rows), in one query. */
export function listMembershipsWithWorkspaces(db: Executor, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('workspaces', 'workspaces.id', 'memberships.workspace_id')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .selectAll('workspaces')
    .select([
      'memberships.role',
      'users.email as user_email',
      'users.name as user_name',
      'users.is_instance_admin as user_is_instance_admin',
    ])
    .where('memberships.user_id', '=', userId)
    .where('memberships.is_active', '=', true)
    .where('users.is_active', '=', true)
    .orderBy('workspaces.name')
    .execute();
}

export function insertInvite(
  db: Executor,
  values: {
    workspaceId: string;
    userId: string;
    tokenHash: string;
    createdBy: string | null;
    now: Date;
    expiresAt: Date;
  },
) {
  return db
    .insertInto('invites')
    .values({
      workspace_id: values.workspaceId,
      user_id: values.userId,
      token_hash: values.tokenHash,
      created_by: values.createdBy,
      created_at: values.now,
      expires_at: values.expiresAt,
    })
    .execute();
}

export function findOpenInvite(db: Executor, tokenHash: string, now: Date) {
  return db
    .selectFrom('invites')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export function markInviteAccepted(db: Executor, inviteId: string, now: Date) {
  return db
    .updateTable('invites')
    .set({ accepted_at: now })
    .where('id', '=', inviteId)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
}
