// Saved views of the leads list: filters, columns and sort under a name, a member's own or
// shared with the workspace (sharing needs lead:configure).
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import { recordAudit } from '../../platform/audit.js';
import type { SavedViewRow } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { notFound } from '../../platform/errors.js';
import { assertVersion } from '../../platform/http/versioning.js';
import * as repo from './saved-views.repository.js';
import type {
  CreateSavedViewInput,
  SavedViewDto,
  UpdateSavedViewInput,
} from './saved-views.schemas.js';

function toSavedViewDto(row: SavedViewRow): SavedViewDto {
  return {
    id: row.id,
    name: row.name,
    filters: row.filters,
    columns: row.columns,
    sort: row.sort,
    shared: row.is_shared,
    ownerId: row.owner_id,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const auditView = ({ name, filters, columns, sort, shared }: SavedViewDto) => ({
  name,
  filters,
  columns,
  sort,
  shared,
});

export function createSavedViewsService({ db, clock }: ServiceDeps) {
  /** A view the actor may see: their own or a shared one. Another's own view is not found. */
  async function getVisible(executor: typeof db, actor: Actor, viewId: string) {
    const row = await repo.findSavedView(executor, actor.workspaceId, viewId);
    if (!row || (!row.is_shared && row.owner_id !== actor.userId)) throw notFound('Saved view');
    return row;
  }

  /** Changing or removing a view: a shared one needs lead:configure, an own one its owner. */
  function requireMayChange(actor: Actor, row: SavedViewRow) {
    if (row.is_shared || row.owner_id !== actor.userId) requirePermission(actor, 'lead:configure');
  }

  return {
    async listSavedViews(actor: Actor) {
      requirePermission(actor, 'lead:read');
      const rows = await repo.listSavedViews(db, actor.workspaceId, actor.userId);
      return { items: rows.map(toSavedViewDto), nextCursor: null };
    },

    async createSavedView(actor: Actor, input: CreateSavedViewInput) {
      requirePermission(actor, 'lead:read');
      if (input.shared) requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const created = toSavedViewDto(
          await repo.insertSavedView(trx, actor.workspaceId, actor.userId, input, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'saved_view.created',
          entityType: 'saved_view',
          entityId: created.id,
          after: auditView(created),
        });
        return created;
      });
    },

    async updateSavedView(
      actor: Actor,
      viewId: string,
      input: UpdateSavedViewInput,
      ifMatch?: number,
    ) {
      requirePermission(actor, 'lead:read');
      if (input.shared) requirePermission(actor, 'lead:configure');
      return db.transaction().execute(async (trx) => {
        const before = await getVisible(trx, actor, viewId);
        requireMayChange(actor, before);
        assertVersion(before.version, ifMatch);
        const after = toSavedViewDto(
          await repo.updateSavedViewRow(trx, actor.workspaceId, viewId, input, clock.now()),
        );
        await recordAudit(trx, clock, actor, {
          action: 'saved_view.updated',
          entityType: 'saved_view',
          entityId: viewId,
          before: auditView(toSavedViewDto(before)),
          after: auditView(after),
        });
        return after;
      });
    },

    /** Views are settings, not records: removed for good, with the audit row keeping them. */
    async deleteSavedView(actor: Actor, viewId: string, ifMatch?: number) {
      requirePermission(actor, 'lead:read');
      await db.transaction().execute(async (trx) => {
        const before = await getVisible(trx, actor, viewId);
        requireMayChange(actor, before);
        assertVersion(before.version, ifMatch);
        await repo.deleteSavedView(trx, actor.workspaceId, viewId);
        await recordAudit(trx, clock, actor, {
          action: 'saved_view.deleted',
          entityType: 'saved_view',
          entityId: viewId,
          before: auditView(toSavedViewDto(before)),
        });
      });
    },
  };
}

export type SavedViewsService = ReturnType<typeof createSavedViewsService>;
