// Sign-in, sign-out, the current user, switching workspace, and resolving a request's actor
// from a session cookie or an API token.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/auth/actor.js';
import type { Credentials, ResolvedActor } from '../../platform/auth/authenticate.js';
import { PERMISSIONS, permissionsOf } from '../../platform/auth/permissions.js';
import {
  burnPasswordCheck,
  generateSecret,
  hashSecret,
  verifyPassword,
} from '../../platform/auth/secrets.js';
import type { UserRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { ApiTokensService } from '../api-tokens/api-tokens.service.js';
import type { UsersService } from '../users/users.service.js';
import { toWorkspaceDto, type WorkspacesService } from '../workspaces/workspaces.service.js';
import * as repo from './auth.repository.js';
import type { SessionUserDto } from './auth.schemas.js';

const TOUCH_EVERY_MS = 60_000;
const MINUTE_MS = 60_000;

export interface NewSession {
  sessionToken: string;
  expiresAt: Date;
  csrfToken: string;
  user: SessionUserDto;
  workspace: NonNullable<Awaited<ReturnType<WorkspacesService['findWorkspace']>>>;
}

function toSessionUser(user: Pick<UserRow, 'id' | 'email' | 'name' | 'is_instance_admin'>) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isInstanceAdmin: user.is_instance_admin,
  };
}

export function createAuthService(
  { db, clock, config }: ServiceDeps,
  users: UsersService,
  workspaces: WorkspacesService,
  apiTokens: ApiTokensService,
) {
  async function startSession(
    user: Pick<UserRow, 'id' | 'email' | 'name' | 'is_instance_admin'>,
    workspaceId: string,
    client: { ip: string | null; userAgent: string | null },
  ): Promise<NewSession> {
    const workspace = await workspaces.findWorkspace(workspaceId);
    if (!workspace) throw notFound('Workspace');
    const now = clock.now();
    const sessionToken = generateSecret('lks');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + config.session.maxDays * 24 * 60 * MINUTE_MS);
    await repo.insertSession(db, {
      tokenHash: hashSecret(sessionToken),
      userId: user.id,
      workspaceId,
      csrfToken,
      ...client,
      now,
      expiresAt,
    });
    return { sessionToken, expiresAt, csrfToken, user: toSessionUser(user), workspace };
  }

  async function resolveSession(token: string, request: { requestId: string; ip: string }) {
    const now = clock.now();
    const idleSince = new Date(now.getTime() - config.session.idleMinutes * MINUTE_MS);
    const row = await repo.findLiveSession(db, hashSecret(token), now, idleSince);
    if (!row) return null;
    if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await repo.touchSession(db, row.id, now);
    }
    const actor: Actor = {
      userId: row.user_id,
      workspaceId: row.workspace_id,
      role: row.role,
      permissions: permissionsOf(row.role),
      isInstanceAdmin: row.is_instance_admin,
      leadScope: row.role === 'agent' && row.agents_own_leads_only ? 'own' : 'all',
      via: 'session',
      sessionId: row.id,
      tokenId: null,
      requestId: request.requestId,
      ip: request.ip,
    };
    return { actor, csrfToken: row.csrf_token };
  }

  return {
    startSession,

    async login(email: string, password: string, client: { ip: string; userAgent: string | null }) {
      const user = await users.findUserByEmail(email);
      // Unknown email, no password yet, deactivated and wrong password all look the same.
      const isValid =
        user?.password_hash && user.is_active
          ? await verifyPassword(user.password_hash, password)
          : await burnPasswordCheck(password);
      if (!user || !isValid) {
        throw new AppError('unauthenticated', { message: 'The email or password is wrong.' });
      }
      const [first] = await users.listWorkspacesOf(user.id);
      if (!first) {
        throw new AppError('forbidden', {
          message: 'Your account is not an active member of any workspace; ask your admin.',
        });
      }
      return startSession(user, first.id, client);
    },

    async logout(actor: Actor) {
      if (actor.sessionId) await repo.revokeSession(db, actor.sessionId, clock.now());
    },

    async revokeSessionsOfUser(userId: string) {
      await repo.revokeSessionsOfUser(db, userId, clock.now());
    },

    async acceptInvite(
      input: { token: string; password: string; name?: string | undefined },
      client: { ip: string; userAgent: string | null },
    ) {
      const member = await users.acceptInvite(input.token, input.password, input.name);
      return startSession(member, member.workspace_id, client);
    },

    async me(actor: Actor, csrfToken: string | null) {
      const memberships = await users.listMembershipsWithWorkspaces(actor.userId);
      const current = memberships.find((m) => m.id === actor.workspaceId);
      if (!current) throw new AppError('unauthenticated');
      return {
        user: {
          id: actor.userId,
          email: current.user_email,
          name: current.user_name,
          isInstanceAdmin: current.user_is_instance_admin,
        },
        workspace: toWorkspaceDto(current),
        workspaces: memberships.map((m) => ({ id: m.id, name: m.name, role: m.role })),
        role: actor.role,
        permissions: PERMISSIONS.filter((permission) => actor.permissions.has(permission)),
        csrfToken,
      };
    },

    async switchWorkspace(actor: Actor, workspaceId: string) {
      if (!actor.sessionId) {
        throw new AppError('conflict', {
          message: 'An API token belongs to one workspace; make a token in the other workspace.',
        });
      }
      const member = await users.findMemberForSignIn(workspaceId, actor.userId);
      if (!member?.member_active) throw notFound('Workspace');
      await repo.setSessionWorkspace(db, actor.sessionId, workspaceId);
    },

    /** Resolves the caller: a Bearer token first, else the session cookie. */
    async resolveActor(credentials: Credentials): Promise<ResolvedActor | null> {
      if (credentials.bearerToken) {
        const actor = await apiTokens.authenticateToken(credentials.bearerToken, credentials);
        return actor ? { actor, csrfToken: null } : null;
      }
      if (credentials.sessionToken) return resolveSession(credentials.sessionToken, credentials);
      return null;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
