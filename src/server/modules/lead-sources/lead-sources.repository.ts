// The only SQL for lead sources; every function is scoped by workspace.
import type { Executor } from '../../platform/audit.js';
import type { SourceCategory } from '../../platform/db/schema.js';

export function listLeadSources(db: Executor, workspaceId: string, active: boolean | undefined) {
  let query = db.selectFrom('lead_sources').selectAll().where('workspace_id', '=', workspaceId);
  if (active !== undefined) query = query.where('is_active', '=', active);
  return query.orderBy('name').orderBy('id').execute();
}

export function findLeadSource(db: Executor, workspaceId: string, sourceId: string) {
  return db
    .selectFrom('lead_sources')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sourceId)
    .executeTakeFirst();
}

export function insertLeadSource(
  db: Executor,
  values: {
    workspaceId: string;
    name: string;
    category: SourceCategory;
    monthlyCost: number;
    now: Date;
  },
) {
  return db
    .insertInto('lead_sources')
    .values({
      workspace_id: values.workspaceId,
      name: values.name,
      category: values.category,
      monthly_cost: values.monthlyCost,
      created_at: values.now,
      updated_at: values.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateLeadSourceRow(
  db: Executor,
  workspaceId: string,
  sourceId: string,
  patch: { name?: string; category?: SourceCategory; monthlyCost?: number; active?: boolean },
  now: Date,
) {
  return db
    .updateTable('lead_sources')
    .set((eb) => ({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.category !== undefined ? { category: patch.category } : {}),
      ...(patch.monthlyCost !== undefined ? { monthly_cost: patch.monthlyCost } : {}),
      ...(patch.active !== undefined ? { is_active: patch.active } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sourceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
