// The only SQL for saved views; every function is scoped by workspace.
import type { Executor } from '../../platform/audit.js';

export function listSavedViews(db: Executor, workspaceId: string, userId: string) {
  return db
    .selectFrom('saved_views')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('owner_id', '=', userId), eb('is_shared', '=', true)]))
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export function findSavedView(db: Executor, workspaceId: string, viewId: string) {
  return db
    .selectFrom('saved_views')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', viewId)
    .executeTakeFirst();
}

export interface SavedViewValues {
  name?: string;
  filters?: Record<string, string | string[]>;
  columns?: string[];
  sort?: string | null;
  shared?: boolean;
}

export function insertSavedView(
  db: Executor,
  workspaceId: string,
  ownerId: string,
  values: Required<SavedViewValues>,
  now: Date,
) {
  return db
    .insertInto('saved_views')
    .values({
      workspace_id: workspaceId,
      owner_id: ownerId,
      name: values.name,
      filters: JSON.stringify(values.filters),
      columns: values.columns,
      sort: values.sort,
      is_shared: values.shared,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateSavedViewRow(
  db: Executor,
  workspaceId: string,
  viewId: string,
  patch: SavedViewValues,
  now: Date,
) {
  return db
    .updateTable('saved_views')
    .set((eb) => ({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.filters !== undefined ? { filters: JSON.stringify(patch.filters) } : {}),
      ...(patch.columns !== undefined ? { columns: patch.columns } : {}),
      ...(patch.sort !== undefined ? { sort: patch.sort } : {}),
      ...(patch.shared !== undefined ? { is_shared: patch.shared } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', viewId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSavedView(db: Executor, workspaceId: string, viewId: string) {
  await db
    .deleteFrom('saved_views')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', viewId)
    .execute();
}
