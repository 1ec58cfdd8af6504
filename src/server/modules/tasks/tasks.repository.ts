// The only SQL for tasks; every function is scoped by workspace.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { TaskStatus, TasksTable } from '../../platform/db/schema.js';
import { startOfLocalDay } from '../../platform/db/local-time.js';
import type { TaskDueFilter } from './tasks.schemas.js';

const OPEN: TaskStatus[] = ['pending', 'in_progress'];
// Tasks without a due date sort after every dated one.
const DUE_KEY = sql<Date>`coalesce(tasks.due_at, 'infinity'::timestamptz)`;

export function insertTasks(db: Executor, values: Insertable<TasksTable>[]) {
  return db.insertInto('tasks').values(values).returningAll().execute();
}

export function findTask(db: Executor, workspaceId: string, taskId: string, lock = false) {
  const query = db
    .selectFrom('tasks')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', taskId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export function updateTaskRow(
  db: Executor,
  workspaceId: string,
  taskId: string,
  patch: Omit<Updateable<TasksTable>, 'workspace_id' | 'id' | 'version'>,
  now: Date,
) {
  return db
    .updateTable('tasks')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: now }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', taskId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The open task of a lead that comes due first: the lead's next follow-up. */
export function findEarliestOpenTask(db: Executor, workspaceId: string, leadId: string) {
  return db
    .selectFrom('tasks')
    .select(['due_at', 'type'])
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId)
    .where('status', 'in', OPEN)
    .where('due_at', 'is not', null)
    .orderBy('due_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export interface TaskFilter {
  assignee?: { id: string } | 'none' | undefined;
  /** Limits to tasks the user is assigned or whose lead they own (agents on their own leads). */
  visibleTo?: string | undefined;
  due?: TaskDueFilter | undefined;
  status: TaskStatus | 'open';
  leadId?: string | undefined;
  contactId?: string | undefined;
  now: Date;
  timeZone: string;
  /** The last row of the previous page: its due time (null = undated) and id. */
  after?: [Date | null, string] | undefined;
  limit: number;
}

/** Soonest due first (undated last), keyset-paged on (due key, id). */
export function listTasks(db: Executor, workspaceId: string, filter: TaskFilter) {
  let query = db
    .selectFrom('tasks')
    .selectAll('tasks')
    .where('tasks.workspace_id', '=', workspaceId);
  query =
    filter.status === 'open'
      ? query.where('tasks.status', 'in', OPEN)
      : query.where('tasks.status', '=', filter.status);
  if (filter.assignee === 'none') query = query.where('tasks.assignee_id', 'is', null);
  else if (filter.assignee) query = query.where('tasks.assignee_id', '=', filter.assignee.id);
  if (filter.leadId) query = query.where('tasks.lead_id', '=', filter.leadId);
  if (filter.contactId) query = query.where('tasks.contact_id', '=', filter.contactId);
  if (filter.visibleTo) {
    const userId = filter.visibleTo;
    query = query.where((eb) =>
      eb.or([
        eb('tasks.assignee_id', '=', userId),
        eb.exists(
          eb
            .selectFrom('leads')
            .select('leads.id')
            .whereRef('leads.workspace_id', '=', 'tasks.workspace_id')
            .whereRef('leads.id', '=', 'tasks.lead_id')
            .where('leads.assignee_id', '=', userId),
        ),
      ]),
    );
  }
  switch (filter.due) {
    case undefined:
      break;
    case 'overdue':
      query = query.where('tasks.due_at', '<', filter.now);
      break;
    case 'today':
      query = query
        .where('tasks.due_at', '>=', startOfLocalDay(filter.now, filter.timeZone))
        .where('tasks.due_at', '<', startOfLocalDay(filter.now, filter.timeZone, 1));
      break;
    case 'week':
      query = query
        .where('tasks.due_at', '>=', startOfLocalDay(filter.now, filter.timeZone))
        .where('tasks.due_at', '<', startOfLocalDay(filter.now, filter.timeZone, 7));
      break;
    case 'none':
      query = query.where('tasks.due_at', 'is', null);
      break;
  }
  if (filter.after) {
    const [dueAt, id] = filter.after;
    const dueKey = dueAt ? sql<Date>`${dueAt}::timestamptz` : sql<Date>`'infinity'::timestamptz`;
    query = query.where((eb) =>
      eb.or([
        eb(DUE_KEY, '>', dueKey),
        eb.and([eb(DUE_KEY, '=', dueKey), eb('tasks.id', '>', id)]),
      ]),
    );
  }
  return query
    .orderBy(DUE_KEY)
    .orderBy('tasks.id')
    .limit(filter.limit + 1)
    .execute();
}

/** Moves tasks from one lead or contact to another (a merge). */
export function moveTasks(
  db: Executor,
  workspaceId: string,
  move: { fromLeadId: string; toLeadId: string } | { fromContactId: string; toContactId: string },
  now: Date,
) {
  const query = db.updateTable('tasks').where('workspace_id', '=', workspaceId);
  return 'fromLeadId' in move
    ? query
        .set((eb) => ({ lead_id: move.toLeadId, version: eb('version', '+', 1), updated_at: now }))
        .where('lead_id', '=', move.fromLeadId)
        .execute()
    : query
        .set((eb) => ({
          contact_id: move.toContactId,
          version: eb('version', '+', 1),
          updated_at: now,
        }))
        .where('contact_id', '=', move.fromContactId)
        .execute();
}
