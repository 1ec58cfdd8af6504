// The only SQL for workspaces.
import type { Executor } from '../../platform/audit.js';
import type { CreateWorkspaceInput, UpdateWorkspaceInput } from './workspaces.schemas.js';

export function findWorkspace(db: Executor, workspaceId: string) {
  return db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirst();
}

export function insertWorkspace(
  db: Executor,
  input: Omit<CreateWorkspaceInput, 'preset'>,
  now: Date,
) {
  return db
    .insertInto('workspaces')
    .values({
      name: input.name,
      time_zone: input.timeZone,
      locale: input.locale,
      currency: input.currency,
      country: input.country,
      business_hours: JSON.stringify(input.businessHours),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateWorkspaceRow(
  db: Executor,
  workspaceId: string,
  patch: UpdateWorkspaceInput,
  now: Date,
) {
  return db
    .updateTable('workspaces')
    .set((eb) => ({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
      ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
      ...(patch.currency !== undefined ? { currency: patch.currency } : {}),
      ...(patch.country !== undefined ? { country: patch.country } : {}),
      ...(patch.businessHours !== undefined
        ? { business_hours: JSON.stringify(patch.businessHours) }
        : {}),
      ...(patch.agentsOwnLeadsOnly !== undefined
        ? { agents_own_leads_only: patch.agentsOwnLeadsOnly }
        : {}),
      ...(patch.duplicateSimilarity !== undefined
        ? { duplicate_similarity: patch.duplicateSimilarity }
        : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', workspaceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
