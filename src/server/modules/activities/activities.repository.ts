// The only SQL for the timeline; every function is scoped by workspace.
import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { ActivitiesTable, ActivityType } from '../../platform/db/schema.js';
import { newestFirst } from '../../platform/db/keyset.js';

export function insertActivity(db: Executor, values: Insertable<ActivitiesTable>) {
  return db.insertInto('activities').values(values).returningAll().executeTakeFirstOrThrow();
}

export interface ActivityFilter {
  on: { leadId: string } | { contactId: string };
  type?: ActivityType | undefined;
  before?: [Date, string] | undefined;
  limit: number;
}

/** Newest first, keyset-paged on (occurred_at, id). */
export function listActivities(db: Executor, workspaceId: string, filter: ActivityFilter) {
  let query = db.selectFrom('activities').selectAll().where('workspace_id', '=', workspaceId);
  query =
    'leadId' in filter.on
      ? query.where('lead_id', '=', filter.on.leadId)
      : query.where('contact_id', '=', filter.on.contactId);
  if (filter.type) query = query.where('type', '=', filter.type);
  return newestFirst(query, filter.before, filter.limit + 1, 'occurred_at').execute();
}

/** The latest unanswered outbound attempts in a row, newest first (to spot "no response"). */
export function listRecentTouches(
  db: Executor,
  workspaceId: string,
  leadId: string,
  limit: number,
) {
  return db
    .selectFrom('activities')
    .select(['direction', 'outcome', 'type'])
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId)
    .where('type', 'in', ['call', 'email', 'sms', 'meeting'])
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Moves timeline entries from one lead or contact to another (a merge). */
export function moveActivities(
  db: Executor,
  workspaceId: string,
  move: { fromLeadId: string; toLeadId: string } | { fromContactId: string; toContactId: string },
) {
  const query = db.updateTable('activities').where('workspace_id', '=', workspaceId);
  return 'fromLeadId' in move
    ? query.set({ lead_id: move.toLeadId }).where('lead_id', '=', move.fromLeadId).execute()
    : query
        .set({ contact_id: move.toContactId })
        .where('contact_id', '=', move.fromContactId)
        .execute();
}

export interface ActivityExportFilter {
  leadId?: string | undefined;
  contactId?: string | undefined;
  type?: ActivityType | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Only entries of leads assigned to this user, or of no lead (agents limited to their own). */
  ownLeadsOf?: string | undefined;
  before?: [Date, string] | undefined;
  limit: number;
}

/** A page of the workspace's timeline for an export, newest first, keyset-paged on (occurred_at, id). */
export function listActivitiesForExport(
  db: Executor,
  workspaceId: string,
  filter: ActivityExportFilter,
) {
  let query = db.selectFrom('activities').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.leadId) query = query.where('lead_id', '=', filter.leadId);
  if (filter.contactId) query = query.where('contact_id', '=', filter.contactId);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  const owner = filter.ownLeadsOf;
  if (owner) {
    query = query.where((eb) =>
      eb.or([
        eb('lead_id', 'is', null),
        eb(
          'lead_id',
          'in',
          eb
            .selectFrom('leads')
            .select('id')
            .where('workspace_id', '=', workspaceId)
            .where('assignee_id', '=', owner),
        ),
      ]),
    );
  }
  return newestFirst(query, filter.before, filter.limit, 'occurred_at').execute();
}
