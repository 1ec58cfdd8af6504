// The only SQL for lost reasons; every function is scoped by workspace.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';

export function listLostReasons(db: Executor, workspaceId: string, active: boolean | undefined) {
  let query = db.selectFrom('lost_reasons').selectAll().where('workspace_id', '=', workspaceId);
  if (active !== undefined) query = query.where('is_active', '=', active);
  return query.orderBy('position').orderBy('name').execute();
}

export function findLostReason(db: Executor, workspaceId: string, reasonId: string) {
  return db
    .selectFrom('lost_reasons')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', reasonId)
    .executeTakeFirst();
}

export function insertLostReason(db: Executor, workspaceId: string, name: string, now: Date) {
  return db
    .insertInto('lost_reasons')
    .values({
      workspace_id: workspaceId,
      name,
      // New reasons go to the end of the list.
      position: sql<number>`(select coalesce(max(position), -1) + 1 from lost_reasons where workspace_id = ${workspaceId})`,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateLostReasonRow(
  db: Executor,
  workspaceId: string,
  reasonId: string,
  patch: { name?: string; position?: number; active?: boolean },
  now: Date,
) {
  return db
    .updateTable('lost_reasons')
    .set((eb) => ({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.position !== undefined ? { position: patch.position } : {}),
      ...(patch.active !== undefined ? { is_active: patch.active } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', reasonId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
