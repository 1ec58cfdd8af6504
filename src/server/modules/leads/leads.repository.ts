// The only SQL for leads and their stage history; every function is scoped by workspace.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { LeadStatus, LeadsTable, Priority } from '../../platform/db/schema.js';

export function insertLead(db: Executor, values: Insertable<LeadsTable>) {
  return db.insertInto('leads').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findLead(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .executeTakeFirst();
}

/** Locks the lead for the rest of the transaction, so concurrent moves are serialised. */
export function lockLead(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .forUpdate()
    .executeTakeFirst();
}

export function updateLeadRow(
  db: Executor,
  workspaceId: string,
  leadId: string,
  patch: Omit<Updateable<LeadsTable>, 'workspace_id' | 'id' | 'version'>,
  now: Date,
) {
  return db
    .updateTable('leads')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', leadId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function insertStageMove(
  db: Executor,
  values: {
    workspaceId: string;
    leadId: string;
    fromStageId: string | null;
    toStageId: string;
    movedBy: string | null;
    reason: string;
    now: Date;
  },
) {
  return db
    .insertInto('stage_history')
    .values({
      workspace_id: values.workspaceId,
      lead_id: values.leadId,
      from_stage_id: values.fromStageId,
      to_stage_id: values.toStageId,
      moved_by: values.movedBy,
      reason: values.reason,
      moved_at: values.now,
    })
    .execute();
}

export function listStageHistory(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('stage_history')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId)
    .orderBy('moved_at')
    .orderBy('id')
    .execute();
}

export interface LeadFilter {
  q?: string | undefined;
  qPhone?: string | undefined;
  pipelineId?: string | undefined;
  stageId?: string | undefined;
  status?: LeadStatus | undefined;
  assignee?: { id: string } | 'none' | undefined;
  sourceId?: string | undefined;
  priority?: Priority | undefined;
  tag?: string | undefined;
  includeArchived: boolean;
  before?: [Date, string] | undefined;
  limit: number;
}

/** Newest first, keyset-paged on (created_at, id). */
export function listLeads(db: Executor, workspaceId: string, filter: LeadFilter) {
  let query = db
    .selectFrom('leads')
    .selectAll('leads')
    .where('leads.workspace_id', '=', workspaceId);
  if (!filter.includeArchived) query = query.where('leads.archived_at', 'is', null);
  if (filter.pipelineId) query = query.where('leads.pipeline_id', '=', filter.pipelineId);
  if (filter.stageId) query = query.where('leads.stage_id', '=', filter.stageId);
  if (filter.status) query = query.where('leads.status', '=', filter.status);
  if (filter.assignee === 'none') query = query.where('leads.assignee_id', 'is', null);
  else if (filter.assignee) query = query.where('leads.assignee_id', '=', filter.assignee.id);
  if (filter.sourceId) query = query.where('leads.source_id', '=', filter.sourceId);
  if (filter.priority) query = query.where('leads.priority', '=', filter.priority);
  if (filter.tag) query = query.where(sql<boolean>`${filter.tag} = any(leads.tags)`);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`;
    const phone = filter.qPhone;
    query = query.where((eb) =>
      eb.or([
        eb('leads.title', 'ilike', pattern),
        eb('leads.company_name', 'ilike', pattern),
        eb.exists(
          eb
            .selectFrom('contacts as c')
            .select('c.id')
            .whereRef('c.workspace_id', '=', 'leads.workspace_id')
            .whereRef('c.id', '=', 'leads.contact_id')
            .where((inner) =>
              inner.or([
                inner(sql<string>`c.first_name || ' ' || c.last_name`, 'ilike', pattern),
                inner.exists(
                  inner
                    .selectFrom('contact_points as p')
                    .select('p.contact_id')
                    .whereRef('p.workspace_id', '=', 'c.workspace_id')
                    .whereRef('p.contact_id', '=', 'c.id')
                    .where((point) =>
                      point.or([
                        point('p.value', 'ilike', pattern),
                        ...(phone ? [point('p.value', '=', phone)] : []),
                      ]),
                    ),
                ),
              ]),
            ),
        ),
      ]),
    );
  }
  if (filter.before) {
    const [createdAt, id] = filter.before;
    query = query.where((eb) =>
      eb.or([
        eb('leads.created_at', '<', createdAt),
        eb.and([eb('leads.created_at', '=', createdAt), eb('leads.id', '<', id)]),
      ]),
    );
  }
  return query
    .orderBy('leads.created_at', 'desc')
    .orderBy('leads.id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}
