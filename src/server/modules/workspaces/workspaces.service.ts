// Use cases for workspaces (tenants): list mine, create (creator becomes admin), read, update.
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { Transaction } from 'kysely';
import { permissionsOf } from '../../platform/auth/permissions.js';
import { recordAudit, type Executor } from '../../platform/audit.js';
import type { DB, WorkspaceRow } from '../../platform/db/schema.js';
import type { PresetKey } from '../presets/presets.data.js';
import type { PresetsService } from '../presets/presets.service.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { createExpiringCache } from '../../platform/expiring-cache.js';
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
    duplicateSimilarity: Math.round(row.duplicate_similarity * 100) / 100,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function auditView(dto: WorkspaceDto) {
  const { id, version, createdAt, updatedAt, ...fields } = dto;
  return fields;
}

// Settings (country, time zone, currency, duplicate threshold) are read by most requests and
// change rarely: answers use a copy up to SETTINGS_CACHE_MS old. This instance's own changes
// drop it at once; another instance's show within the cache time. Who may see what (the
// own-leads rule) is not read from here but with the caller's credentials, every request.
const SETTINGS_CACHE = { ttlMs: 5_000, maxEntries: 10_000 };

export function createWorkspacesService(
  { db, clock, config, credentials }: ServiceDeps,
  users: UsersService,
  presets: PresetsService,
) {
  const settings = createExpiringCache<WorkspaceDto | undefined>(clock, SETTINGS_CACHE);

  /**
   * Creates a workspace owned by `ownerUserId` (its first admin) in the caller's transaction,
   * set up from a preset when one is named.
   */
  async function createWorkspaceFor(
    trx: Transaction<DB>,
    ownerUserId: string,
    input: Omit<CreateWorkspaceInput, 'preset'> & { preset?: PresetKey | undefined },
    actor?: Actor,
  ) {
    const { preset, ...fields } = input;
    const row = await repo.insertWorkspace(trx, fields, clock.now());
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
    if (preset) {
      // The creator is the new workspace's admin, whatever their role elsewhere.
      const owner = { ...auditActor, role: 'admin' as const, permissions: permissionsOf('admin') };
      await presets.applyPreset(owner, preset, trx);
    }
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

    /**
     * Workspace settings (cached, see above). On a miss it reads through `executor`: inside a
     * transaction, PGlite's one connection.
     */
    findWorkspace(workspaceId: string, executor: Executor = db) {
      return settings.get(workspaceId, async () => {
        const row = await repo.findWorkspace(executor, workspaceId);
        return row ? toWorkspaceDto(row) : undefined;
      });
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
      settings.delete(workspaceId);
      const updated = await db.transaction().execute(async (trx) => {
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
      settings.delete(workspaceId);
      credentials.clear(); // the own-leads rule is part of what a token resolves to
      return updated;
    },
  };
}

export type WorkspacesService = ReturnType<typeof createWorkspacesService>;
