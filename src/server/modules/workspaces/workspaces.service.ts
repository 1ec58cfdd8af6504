// Use cases for workspaces (tenants): list mine, create (creator becomes admin), read, update.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { WorkspaceRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { AppError, notFound } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import { systemActorFor, type UsersService } from '../users/users.service.js';
import * as repo from './workspaces.repository.js';
import type {
  CreateWorkspaceInput,
  UpdateWorkspaceInput,
  WorkspaceDto,
} from './workspaces.schemas.js';

export function toWorkspaceDto(row: WorkspaceRow): WorkspaceDto {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    locale: row.locale,
    currency: row.currency,
    country: row.country,
    businessHours: row.business_hours,
    agentsOwnLeadsOnly: row.agents_own_leads_only,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: WorkspaceDto) {
  const { id, version, createdAt, updatedAt, ...fields } = dto;
  return fields;
}

export function createWorkspacesService({ db, clock, config }: ServiceDeps, users: UsersService) {
  /** Creates a workspace owned by `ownerUserId` (its first admin) in the caller's transaction. */
  async function createWorkspaceFor(
    trx: Executor,
    ownerUserId: string,
    input: CreateWorkspaceInput,
    actor?: Actor,
  ) {
    const row = await repo.insertWorkspace(trx, input, clock.now());
    await users.addMembership(trx, row.id, ownerUserId, 'admin');
    const dto = toWorkspaceDto(row);
    const auditActor = actor
      ? { ...actor, workspaceId: row.id }
      : systemActorFor(row.id, ownerUserId);
    await recordAudit(trx, clock, auditActor, {
      action: 'workspace.created',
      entityType: 'workspace',
      entityId: row.id,
      after: auditView(dto),
    });
    return dto;
  }

  return {
    createWorkspaceFor,

    listWorkspaces(actor: Actor) {
      return users.listWorkspacesOf(actor.userId);
    },

    async createWorkspace(actor: Actor, input: CreateWorkspaceInput) {
      if (config.workspaceCreation === 'instance_admins' && !actor.isInstanceAdmin) {
        throw new AppError('forbidden', {
          message: 'On this instance only instance admins may create workspaces.',
        });
      }
      return db.transaction().execute((trx) => createWorkspaceFor(trx, actor.userId, input, actor));
    },

    async getWorkspace(actor: Actor, workspaceId: string) {
      const member = await users.findMemberForSignIn(workspaceId, actor.userId);
      const row = member?.member_active ? await repo.findWorkspace(db, workspaceId) : undefined;
      if (!row) throw notFound('Workspace');
      return toWorkspaceDto(row);
    },

    /** Workspace settings for the current workspace, read by sign-in and the auth hook. */
    async findWorkspace(workspaceId: string) {
      const row = await repo.findWorkspace(db, workspaceId);
      return row ? toWorkspaceDto(row) : undefined;
    },

    async updateWorkspace(
      actor: Actor,
      workspaceId: string,
      input: UpdateWorkspaceInput,
      ifMatch?: number,
    ) {
      // Settings are changed in the workspace you are working in; others are "not found".
      if (workspaceId !== actor.workspaceId) throw notFound('Workspace');
      requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const before = await repo.findWorkspace(trx, workspaceId);
        if (!before) throw notFound('Workspace');
        assertVersion(before.version, ifMatch);
        const after = toWorkspaceDto(
          await repo.updateWorkspaceRow(trx, workspaceId, input, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'workspace.updated',
          entityType: 'workspace',
          entityId: workspaceId,
          before: auditView(toWorkspaceDto(before)),
          after: auditView(after),
        });
        return after;
      });
    },
  };
}

export type WorkspacesService = ReturnType<typeof createWorkspacesService>;
