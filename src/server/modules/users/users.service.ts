// Use cases for the people of a workspace: list, add (with a password or an invite link),
// change name/role/active, and the password operations used by sign-in, invites and the CLI.
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { permissionsOf } from '../../platform/auth/permissions.js';
import { generateSecret, hashPassword, hashSecret } from '../../platform/auth/secrets.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, fieldError, notFound } from '../../platform/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { assertVersion } from '../../platform/http/versioning.js';
import type { Role } from '../../platform/db/schema.js';
import * as repo from './users.repository.js';
import type {
  CreateUserInput,
  ListUsersQuery,
  UpdateUserInput,
  WorkspaceUserDto,
} from './users.schemas.js';

const INVITE_DAYS = 7;

export function toWorkspaceUserDto(row: repo.MemberRow): WorkspaceUserDto {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.member_active && row.user_active,
    hasPassword: row.password_hash !== null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
  };
}

function auditView(row: repo.MemberRow) {
  return { name: row.name, role: row.role, active: row.member_active && row.user_active };
}

export function createUsersService({ db, clock, config, credentials }: ServiceDeps) {
  async function getMemberOrThrow(executor: Executor, workspaceId: string, userId: string) {
    const member = await repo.findMember(executor, workspaceId, userId);
    if (!member) throw notFound('User');
    return member;
  }

  const service = {
    async listUsers(actor: Actor, query: ListUsersQuery) {
      const after = query.cursor
        ? decodeCursor(query.cursor, z.tuple([z.string(), z.string()]))
        : undefined;
      const rows = await repo.listMembers(db, actor.workspaceId, { ...query, after });
      return toPage(rows, query.limit, toWorkspaceUserDto, (row) => [row.name, row.id]);
    },

    /** Every member's name by id, former members too (for reports and exports that show names). */
    async memberNames(actor: Actor): Promise<Map<string, string>> {
      const names = new Map<string, string>();
      let cursor: string | undefined;
      do {
        const page = await service.listUsers(actor, { limit: 200, cursor });
        for (const user of page.items) names.set(user.id, user.name);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return names;
    },

    /** A 404 unless the person is a member (active or not) of the actor's workspace. */
    async assertMember(actor: Actor, userId: string, executor: Executor = db) {
      await getMemberOrThrow(executor, actor.workspaceId, userId);
    },

    async getUser(actor: Actor, userId: string) {
      return toWorkspaceUserDto(await getMemberOrThrow(db, actor.workspaceId, userId));
    },

    async createUser(actor: Actor, input: CreateUserInput) {
      requirePermission(actor, 'user:manage');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        let user = await repo.findUserByEmail(trx, input.email);
        let inviteUrl: string | null = null;
        if (user) {
          if (await repo.findMember(trx, actor.workspaceId, user.id)) {
            throw new AppError('conflict', {
              message: `${input.email} is already a member of this workspace.`,
              fields: [{ field: 'email', message: 'Already a member' }],
            });
          }
          if (input.password !== undefined) {
            // Another workspace's person keeps their own password; we only add the membership.
            throw fieldError(
              'password',
              'This person already has an account; leave the password empty.',
            );
          }
        } else {
          user = await repo.insertUser(trx, {
            email: input.email,
            name: input.name,
            passwordHash: input.password ? await hashPassword(input.password) : null,
            now,
          });
        }
        await repo.insertMembership(trx, {
          workspaceId: actor.workspaceId,
          userId: user.id,
          role: input.role,
          now,
        });
        if (user.password_hash === null) {
          inviteUrl = await createInvite(trx, actor, user.id, now);
        }
        const member = await getMemberOrThrow(trx, actor.workspaceId, user.id);
        await recordAudit(trx, clock, actor, {
          action: 'user.added',
          entityType: 'user',
          entityId: user.id,
          after: { email: member.email, ...auditView(member) },
        });
        return { user: toWorkspaceUserDto(member), inviteUrl };
      });
    },

    async updateUser(actor: Actor, userId: string, input: UpdateUserInput, ifMatch?: number) {
      requirePermission(actor, 'user:manage');
      const now = clock.now();
      const updated = await db.transaction().execute(async (trx) => {
        const before = await getMemberOrThrow(trx, actor.workspaceId, userId);
        assertVersion(before.version, ifMatch);
        const losesAdmin =
          before.role === 'admin' &&
          before.member_active &&
          ((input.role !== undefined && input.role !== 'admin') || input.active === false);
        if (losesAdmin && (await repo.countActiveAdmins(trx, actor.workspaceId)) <= 1) {
          throw new AppError('conflict', {
            message: 'A workspace needs at least one active admin; make someone else admin first.',
          });
        }
        if (input.name !== undefined && input.name !== before.name) {
          await repo.updateUserRow(trx, userId, { name: input.name }, now);
        }
        await repo.updateMembership(
          trx,
          actor.workspaceId,
          userId,
          { role: input.role, isActive: input.active },
          now,
        );
        const after = await getMemberOrThrow(trx, actor.workspaceId, userId);
        await recordAudit(trx, clock, actor, {
          action: 'user.updated',
          entityType: 'user',
          entityId: userId,
          before: auditView(before),
          after: auditView(after),
        });
        return toWorkspaceUserDto(after);
      });
      credentials.clear(); // the member's tokens now act with the new role, or not at all
      return updated;
    },

    /** Adds an existing user to a workspace inside the caller's transaction (workspace creation). */
    async addMembership(trx: Executor, workspaceId: string, userId: string, role: Role) {
      await repo.insertMembership(trx, { workspaceId, userId, role, now: clock.now() });
    },

    async findMemberForSignIn(workspaceId: string, userId: string) {
      return repo.findMember(db, workspaceId, userId);
    },

    /** Refuses (422 on `field`) anyone who is not an active member of the actor's workspace. */
    async assertActiveMember(actor: Actor, userId: string, field: string, executor: Executor = db) {
      const member = await repo.findMember(executor, actor.workspaceId, userId);
      if (!member?.member_active || !member.user_active) {
        throw fieldError(field, 'No such active person in this workspace.');
      }
    },

    /** Everything /api/me shows about a person: their workspaces with settings and roles. */
    listMembershipsWithWorkspaces(userId: string) {
      return repo.listMembershipsWithWorkspaces(db, userId);
    },

    /** The workspaces a person actively belongs to, with their role there. */
    async listWorkspacesOf(userId: string) {
      const memberships = await repo.listMembershipsWithWorkspaces(db, userId);
      return memberships.map(({ id, name, role }) => ({ id, name, role }));
    },

    countUsers(executor: Executor = db) {
      return repo.countUsers(executor);
    },

    /** The first user of an instance (setup), inside the caller's transaction. */
    insertInstanceAdmin(
      trx: Executor,
      input: { email: string; name: string; passwordHash: string },
    ) {
      return repo.insertUser(trx, { ...input, isInstanceAdmin: true, now: clock.now() });
    },

    /** A person with a password, inside the caller's transaction (demo data, tests). */
    async insertUserWithPassword(
      trx: Executor,
      input: { email: string; name: string; password: string },
    ) {
      const passwordHash = await hashPassword(input.password);
      return repo.insertUser(trx, { ...input, passwordHash, now: clock.now() });
    },

    findUserByEmail(email: string) {
      return repo.findUserByEmail(db, email);
    },

    /** Sets a password from an invite link; returns the invited user and workspace. */
    async acceptInvite(token: string, password: string, name: string | undefined) {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const invite = await repo.findOpenInvite(trx, hashSecret(token), now);
        if (!invite) {
          throw new AppError('not_found', {
            message: 'This invite link is not valid any more; ask your admin for a new one.',
          });
        }
        const claimed = await repo.markInviteAccepted(trx, invite.id, now);
        if (Number(claimed.numUpdatedRows) !== 1) throw notFound('Invite');
        const passwordHash = await hashPassword(password);
        await repo.updateUserRow(trx, invite.user_id, { passwordHash, name }, now);
        const member = await getMemberOrThrow(trx, invite.workspace_id, invite.user_id);
        await recordAudit(trx, clock, systemActorFor(invite.workspace_id, invite.user_id), {
          action: 'user.invite_accepted',
          entityType: 'user',
          entityId: invite.user_id,
          before: { hasPassword: false },
          after: { hasPassword: true },
        });
        return member;
      });
    },

    /** CLI: set a user's password by email and sign them out everywhere. */
    async resetPassword(email: string, password: string) {
      const user = await repo.findUserByEmail(db, email);
      if (!user) throw notFound('User');
      await repo.updateUserRow(
        db,
        user.id,
        { passwordHash: await hashPassword(password) },
        clock.now(),
      );
      return user;
    },
  };
  return service;

  async function createInvite(trx: Executor, actor: Actor, userId: string, now: Date) {
    const token = generateSecret('lki');
    await repo.insertInvite(trx, {
      workspaceId: actor.workspaceId,
      userId,
      tokenHash: hashSecret(token),
      createdBy: actor.via === 'system' ? null : actor.userId,
      now,
      expiresAt: new Date(now.getTime() + INVITE_DAYS * 24 * 3600 * 1000),
    });
    return `${config.publicUrl}/invite?token=${encodeURIComponent(token)}`;
  }
}

export type UsersService = ReturnType<typeof createUsersService>;

/**
 * An actor for changes made by the system itself (CLI, first start, invite acceptance), acting
 * for `userId` when a person is behind it and for no one when it is ''.
 */
export function systemActorFor(workspaceId: string, userId: string): Actor {
  return {
    userId,
    workspaceId,
    role: 'admin',
    permissions: permissionsOf('admin'),
    isInstanceAdmin: false,
    leadScope: 'all',
    via: 'system',
    sessionId: null,
    tokenId: null,
    requestId: null,
    ip: null,
  };
}
