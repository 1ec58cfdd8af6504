// The only SQL of automation: rules, their run log, and the read-only scans of leads, tasks and
// activities that time-based triggers need (decision 028 says why the scans read those tables
// here rather than through each module's service).
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type {
  AutomationRuleRow,
  AutomationRunRow,
  AutomationRunStatus,
} from '../../platform/db/schema.js';
import type { Action, Condition, Trigger } from './automation.schemas.js';
import { newestFirst } from '../../platform/db/keyset.js';

export interface RuleValues {
  name: string;
  description: string;
  trigger: Trigger;
  conditions: Condition[];
  actions: Action[];
  order: number;
  active: boolean;
  defaultKey?: string | null;
}

export function listRules(
  db: Executor,
  workspaceId: string,
  filter: { archived?: boolean; activeTriggerTypes?: readonly string[] },
) {
  let query = db.selectFrom('automation_rules').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.activeTriggerTypes) {
    if (filter.activeTriggerTypes.length === 0) return Promise.resolve([]);
    query = query
      .where('trigger_type', 'in', filter.activeTriggerTypes)
      .where('is_active', '=', true)
      .where('archived_at', 'is', null);
  } else {
    query = query.where('archived_at', filter.archived ? 'is not' : 'is', null);
  }
  return query.orderBy('position').orderBy('created_at').execute();
}

export function findRule(db: Executor, workspaceId: string, ruleId: string) {
  return db
    .selectFrom('automation_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ruleId)
    .executeTakeFirst();
}

export function lockRule(db: Executor, workspaceId: string, ruleId: string) {
  return db
    .selectFrom('automation_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ruleId)
    .forUpdate()
    .executeTakeFirst();
}

/** Whether any active rule of the workspace has one of these triggers (cheap: on every change). */
export async function hasActiveRule(
  db: Executor,
  workspaceId: string,
  triggerTypes: readonly string[],
): Promise<boolean> {
  const row = await db
    .selectFrom('automation_rules')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('trigger_type', 'in', triggerTypes)
    .where('is_active', '=', true)
    .where('archived_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function nextPosition(db: Executor, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('automation_rules')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 10;
}

export async function defaultKeys(db: Executor, workspaceId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('automation_rules')
    .select('default_key')
    .where('workspace_id', '=', workspaceId)
    .where('default_key', 'is not', null)
    .execute();
  return new Set(rows.map((row) => row.default_key!));
}

export function insertRule(
  db: Executor,
  workspaceId: string,
  values: RuleValues,
  createdBy: string | null,
  now: Date,
): Promise<AutomationRuleRow> {
  return db
    .insertInto('automation_rules')
    .values({
      workspace_id: workspaceId,
      name: values.name,
      description: values.description,
      trigger_type: values.trigger.type,
      trigger: JSON.stringify(values.trigger),
      conditions: JSON.stringify(values.conditions),
      actions: JSON.stringify(values.actions),
      position: values.order,
      is_active: values.active,
      default_key: values.defaultKey ?? null,
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateRule(
  db: Executor,
  workspaceId: string,
  ruleId: string,
  patch: Partial<RuleValues> & { archived?: boolean },
  now: Date,
): Promise<AutomationRuleRow> {
  return db
    .updateTable('automation_rules')
    .set((eb) => ({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.trigger !== undefined
        ? { trigger: JSON.stringify(patch.trigger), trigger_type: patch.trigger.type }
        : {}),
      ...(patch.conditions !== undefined ? { conditions: JSON.stringify(patch.conditions) } : {}),
      ...(patch.actions !== undefined ? { actions: JSON.stringify(patch.actions) } : {}),
      ...(patch.order !== undefined ? { position: patch.order } : {}),
      ...(patch.active !== undefined ? { is_active: patch.active } : {}),
      ...(patch.archived !== undefined ? { archived_at: patch.archived ? now : null } : {}),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ruleId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// Runs

export interface NewRun {
  workspaceId: string;
  ruleId: string;
  leadId: string | null;
  eventType: string;
  eventId: string | null;
  triggerKey: string;
  reason: string;
  status: AutomationRunStatus;
  causedByRules: readonly string[];
  errors?: AutomationRunRow['errors'];
  now: Date;
}

/** Records a run unless this rule already ran for this trigger key; undefined when it had. */
export function insertRun(db: Executor, run: NewRun) {
  return db
    .insertInto('automation_runs')
    .values({
      workspace_id: run.workspaceId,
      rule_id: run.ruleId,
      lead_id: run.leadId,
      event_type: run.eventType,
      event_id: run.eventId,
      trigger_key: run.triggerKey,
      reason: run.reason,
      status: run.status,
      caused_by_rules: [...run.causedByRules],
      results: '[]',
      errors: JSON.stringify(run.errors ?? []),
      created_at: run.now,
      updated_at: run.now,
      finished_at: run.status === 'queued' ? null : run.now,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'rule_id', 'trigger_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function lockRun(db: Executor, workspaceId: string, runId: string) {
  return db
    .selectFrom('automation_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', runId)
    .forUpdate()
    .executeTakeFirst();
}

export function updateRun(
  db: Executor,
  workspaceId: string,
  runId: string,
  patch: {
    status?: AutomationRunStatus;
    attempts?: number;
    results?: AutomationRunRow['results'];
    errors?: AutomationRunRow['errors'];
    finishedAt?: Date | null;
  },
  now: Date,
) {
  return db
    .updateTable('automation_runs')
    .set({
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.attempts !== undefined ? { attempts: patch.attempts } : {}),
      ...(patch.results !== undefined ? { results: JSON.stringify(patch.results) } : {}),
      ...(patch.errors !== undefined ? { errors: JSON.stringify(patch.errors) } : {}),
      ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
      updated_at: now,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', runId)
    .execute();
}

export function listRuns(
  db: Executor,
  workspaceId: string,
  filter: {
    ruleId?: string | undefined;
    status?: AutomationRunStatus | undefined;
    leadId?: string | undefined;
    before?: [Date, string] | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('automation_runs as run')
    .innerJoin('automation_rules as rule', (join) =>
      join.onRef('rule.workspace_id', '=', 'run.workspace_id').onRef('rule.id', '=', 'run.rule_id'),
    )
    .selectAll('run')
    .select('rule.name as rule_name')
    .where('run.workspace_id', '=', workspaceId);
  if (filter.ruleId) query = query.where('run.rule_id', '=', filter.ruleId);
  if (filter.status) query = query.where('run.status', '=', filter.status);
  if (filter.leadId) query = query.where('run.lead_id', '=', filter.leadId);
  return newestFirst(query, filter.before, filter.limit + 1, 'run.created_at', 'run.id').execute();
}

// Who hears of it

/** Active members with one of these roles (the managers a rule escalates to, the admins). */
export async function memberIdsWithRoles(
  db: Executor,
  workspaceId: string,
  roles: readonly ('admin' | 'manager')[],
): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('is_active', '=', true)
    .where('role', 'in', roles)
    .execute();
  return rows.map((row) => row.user_id);
}

// Scans (read-only over other modules' tables)

/** Workspaces with an active rule of one of these triggers, with their calendars. */
export function workspacesWithRules(db: Executor, triggerTypes: readonly string[]) {
  return db
    .selectFrom('workspaces')
    .select(['id', 'time_zone', 'business_hours'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('automation_rules')
          .select('automation_rules.id')
          .whereRef('automation_rules.workspace_id', '=', 'workspaces.id')
          .where('automation_rules.trigger_type', 'in', triggerTypes)
          .where('automation_rules.is_active', '=', true)
          .where('automation_rules.archived_at', 'is', null),
      ),
    )
    .execute();
}

/** Activity types that count as working a lead (not system entries or reassignments). */
const WORK_TYPES = ['call', 'email', 'sms', 'meeting', 'note', 'document_sent', 'stage_change'];

/**
 * Open leads whose last activity (or creation) is at or before `quietSince`, oldest first, with
 * that moment: the candidates of "no activity for N".
 */
export async function quietLeads(
  db: Executor,
  workspaceId: string,
  quietSince: Date,
  limit: number,
) {
  const lastWork = sql<Date | null>`(select max(a.occurred_at) from activities a
    where a.workspace_id = leads.workspace_id and a.lead_id = leads.id
    and a.type in (${sql.join(WORK_TYPES)}))`;
  const rows = await db
    .selectFrom('leads')
    .select(['id', 'created_at'])
    .select(lastWork.as('last_work_at'))
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where('archived_at', 'is', null)
    .where('is_converted', '=', false)
    .where('created_at', '<=', quietSince)
    .where(sql<boolean>`coalesce(${lastWork}, leads.created_at) <= ${quietSince}`)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    lastActivityAt:
      row.last_work_at && new Date(row.last_work_at) > row.created_at
        ? new Date(row.last_work_at)
        : row.created_at,
  }));
}

/** Open leads that have been longer in their stage than the stage allows. */
export function leadsPastStageLimit(db: Executor, workspaceId: string, now: Date, limit: number) {
  return db
    .selectFrom('leads')
    .innerJoin('stages', (join) =>
      join
        .onRef('stages.workspace_id', '=', 'leads.workspace_id')
        .onRef('stages.id', '=', 'leads.stage_id'),
    )
    .select(['leads.id', 'leads.stage_id', 'leads.stage_entered_at', 'stages.max_days_in_stage'])
    .where('leads.workspace_id', '=', workspaceId)
    .where('leads.status', '=', 'open')
    .where('leads.archived_at', 'is', null)
    .where('stages.max_days_in_stage', 'is not', null)
    .where(
      sql<boolean>`leads.stage_entered_at + make_interval(days => stages.max_days_in_stage) <= ${now}`,
    )
    .orderBy('leads.stage_entered_at')
    .limit(limit)
    .execute();
}

/** Open tasks past due that task.overdue has not announced for this due time yet. */
export function unannouncedOverdueTasks(db: Executor, now: Date, limit: number) {
  return db
    .selectFrom('tasks')
    .select(['workspace_id', 'id', 'lead_id', 'contact_id', 'title', 'assignee_id', 'due_at'])
    .where('status', 'in', ['pending', 'in_progress'])
    .where('due_at', '<=', now)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('automation_overdue_tasks as mark')
            .select('mark.task_id')
            .whereRef('mark.workspace_id', '=', 'tasks.workspace_id')
            .whereRef('mark.task_id', '=', 'tasks.id')
            .whereRef('mark.due_at', '=', 'tasks.due_at'),
        ),
      ),
    )
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** Marks a task's overdue as announced; false when another scan did it first. */
export async function markOverdueAnnounced(
  db: Executor,
  task: { workspaceId: string; taskId: string; dueAt: Date },
  now: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('automation_overdue_tasks')
    .values({
      workspace_id: task.workspaceId,
      task_id: task.taskId,
      due_at: task.dueAt,
      published_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('task_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The lead's latest contact attempts and conversations, newest first. */
export function recentTouches(db: Executor, workspaceId: string, leadId: string, limit: number) {
  return db
    .selectFrom('activities')
    .select(['id', 'type', 'direction', 'outcome'])
    .where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId)
    .where('type', 'in', ['call', 'email', 'sms', 'meeting'])
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
