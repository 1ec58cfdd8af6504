// The only SQL that reads the audit log (writes go through platform/audit.ts).
import type { Executor } from '../../platform/audit.js';
import { newestFirst } from '../../platform/db/keyset.js';

export function listAuditEntries(
  db: Executor,
  workspaceId: string,
  filter: {
    entityType?: string | undefined;
    entityId?: string | undefined;
    actorId?: string | undefined;
    action?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    before?: [Date, string] | undefined;
    limit: number;
  },
) {
  let query = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.actorId) query = query.where('actor_user_id', '=', filter.actorId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.from) query = query.where('created_at', '>=', filter.from);
  if (filter.to) query = query.where('created_at', '<', filter.to);
  return newestFirst(query, filter.before, filter.limit + 1).execute();
}
