// The only SQL for assignment rules and members' away ranges; every function is scoped by
// workspace. Picking an assignee also reads members and open-lead counts (a read model: the
// leads module calls this one when it creates a lead, so it can't call back into leads).
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { AssignmentRuleType } from '../../platform/db/schema.js';

export interface RuleValues {
  name: string;
  type: AssignmentRuleType;
  userIds: string[];
  sourceIds: string[];
  postalCodes: string[];
  cities: string[];
  regions: string[];
  minValue: number | null;
  maxValue: number | null;
  maxOpenLeads: number | null;
  order: number;
  active: boolean;
}

const columnsOf = (values: Partial<RuleValues>) => ({
  ...(values.name !== undefined ? { name: values.name } : {}),
  ...(values.type !== undefined ? { type: values.type } : {}),
  ...(values.userIds !== undefined ? { user_ids: values.userIds } : {}),
  ...(values.sourceIds !== undefined ? { source_ids: values.sourceIds } : {}),
  ...(values.postalCodes !== undefined ? { postal_codes: values.postalCodes } : {}),
  ...(values.cities !== undefined ? { cities: values.cities } : {}),
  ...(values.regions !== undefined ? { regions: values.regions } : {}),
  ...(values.minValue !== undefined ? { min_value: values.minValue } : {}),
  ...(values.maxValue !== undefined ? { max_value: values.maxValue } : {}),
  ...(values.maxOpenLeads !== undefined ? { max_open_leads: values.maxOpenLeads } : {}),
  ...(values.order !== undefined ? { position: values.order } : {}),
  ...(values.active !== undefined ? { is_active: values.active } : {}),
});

export function listRules(db: Executor, workspaceId: string, options: { activeOnly: boolean }) {
  let query = db.selectFrom('assignment_rules').selectAll().where('workspace_id', '=', workspaceId);
  if (options.activeOnly) query = query.where('is_active', '=', true);
  return query.orderBy('position').orderBy('created_at').orderBy('id').execute();
}

export function findRule(db: Executor, workspaceId: string, ruleId: string) {
  return db
    .selectFrom('assignment_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ruleId)
    .executeTakeFirst();
}

/** The rule's row, locked until the transaction ends: concurrent picks take turns. */
export function lockRule(db: Executor, workspaceId: string, ruleId: string) {
  return db
    .selectFrom('assignment_rules')
    .select(['last_user_id'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ruleId)
    .forUpdate()
    .executeTakeFirst();
}

export async function nextPosition(db: Executor, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('assignment_rules')
    .select(sql<number>`coalesce(max(position) + 1, 0)::int`.as('next'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row?.next ?? 0;
}

export function insertRule(db: Executor, workspaceId: string, values: RuleValues, now: Date) {
  return db
    .insertInto('assignment_rules')
    .values({
      workspace_id: workspaceId,
      name: values.name,
      type: values.type,
      user_ids: values.userIds,
      source_ids: values.sourceIds,
      postal_codes: values.postalCodes,
      cities: values.cities,
      regions: values.regions,
      min_value: values.minValue,
      max_value: values.maxValue,
      max_open_leads: values.maxOpenLeads,
      position: values.order,
      is_active: values.active,
      last_user_id: null,
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
  values: Partial<RuleValues>,
  now: Date,
) {
  return db
    .updateTable('assignment_rules')
    .set({ ...columnsOf(values), version: sql`version + 1`, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ruleId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setLastAssigned(
  db: Executor,
  workspaceId: string,
  ruleId: string,
  userId: string,
) {
  // The pointer moves without a new version: it is the rule's state, not its settings.
  await db
    .updateTable('assignment_rules')
    .set({ last_user_id: userId })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', ruleId)
    .execute();
}

/** Of these people, the active members who are not away at `now`. */
export async function availableMembers(
  db: Executor,
  workspaceId: string,
  userIds: string[],
  now: Date,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.workspace_id', '=', workspaceId)
    .where('m.user_id', '=', sql<string>`any(${userIds}::uuid[])`)
    .where('m.is_active', '=', true)
    .where('u.is_active', '=', true)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('member_away_ranges as a')
            .select(sql`1`.as('one'))
            .whereRef('a.workspace_id', '=', 'm.workspace_id')
            .whereRef('a.user_id', '=', 'm.user_id')
            .where('a.starts_at', '<=', now)
            .where('a.ends_at', '>', now),
        ),
      ),
    )
    .execute();
  return new Set(rows.map((row) => row.user_id));
}

/** Open (not archived) leads per person, for these people. */
export async function openLeadCounts(
  db: Executor,
  workspaceId: string,
  userIds: string[],
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('leads')
    .select(['assignee_id', sql<number>`count(*)::int`.as('open')])
    .where('workspace_id', '=', workspaceId)
    .where('assignee_id', '=', sql<string>`any(${userIds}::uuid[])`)
    .where('status', '=', 'open')
    .where('archived_at', 'is', null)
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((row) => [row.assignee_id ?? '', row.open]));
}

export function listAwayRanges(db: Executor, workspaceId: string, userId: string) {
  return db
    .selectFrom('member_away_ranges')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .orderBy('starts_at')
    .execute();
}

export async function replaceAwayRanges(
  db: Executor,
  workspaceId: string,
  userId: string,
  ranges: { startsAt: string; endsAt: string; note: string }[],
) {
  await db
    .deleteFrom('member_away_ranges')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
  if (ranges.length === 0) return;
  await db
    .insertInto('member_away_ranges')
    .values(
      ranges.map((range) => ({
        workspace_id: workspaceId,
        user_id: userId,
        starts_at: range.startsAt,
        ends_at: range.endsAt,
        note: range.note,
      })),
    )
    .execute();
}

/** Every active member with their open leads, overdue tasks and the end of a current absence. */
export async function workload(db: Executor, workspaceId: string, now: Date) {
  const { rows } = await sql<{
    user_id: string;
    name: string;
    role: string;
    open_leads: number;
    overdue_tasks: number;
    away_until: Date | null;
  }>`
    select m.user_id, u.name, m.role,
      (select count(*) from leads l where l.workspace_id = m.workspace_id
        and l.assignee_id = m.user_id and l.status = 'open' and l.archived_at is null)::int
        as open_leads,
      (select count(*) from tasks t where t.workspace_id = m.workspace_id
        and t.assignee_id = m.user_id and t.status in ('pending', 'in_progress')
        and t.due_at < ${now})::int as overdue_tasks,
      (select max(a.ends_at) from member_away_ranges a where a.workspace_id = m.workspace_id
        and a.user_id = m.user_id and a.starts_at <= ${now} and a.ends_at > ${now}) as away_until
    from memberships m join users u on u.id = m.user_id
    where m.workspace_id = ${workspaceId} and m.is_active and u.is_active
    order by u.name, m.user_id`.execute(db);
  return rows;
}
