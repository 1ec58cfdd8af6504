// The only SQL of scheduled reviews: read-only figures over leads, tasks and activities (a read
// model, like analytics), the members who get reviews, and the record of what was delivered.
import { sql } from 'kysely';
import type { Executor } from '../../platform/audit.js';
import type { ReviewKind } from '../../platform/db/schema.js';

export function listWorkspaces(db: Executor) {
  return db
    .selectFrom('workspaces')
    .select(['id', 'name', 'time_zone', 'locale', 'currency'])
    .orderBy('id')
    .execute();
}

export function findWorkspace(db: Executor, workspaceId: string) {
  return db
    .selectFrom('workspaces')
    .select(['id', 'name', 'time_zone', 'locale', 'currency'])
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
}

/** Active members of a workspace with their email and role. */
export function listMembers(db: Executor, workspaceId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id as user_id', 'users.email', 'users.name', 'memberships.role'])
    .where('memberships.workspace_id', '=', workspaceId)
    .where('memberships.is_active', '=', true)
    .where('users.is_active', '=', true)
    .orderBy('users.id')
    .execute();
}

/** True for the one caller that records this review as delivered. */
export async function claimDelivery(
  db: Executor,
  row: {
    workspaceId: string;
    userId: string;
    kind: ReviewKind;
    period: string;
    emailed: boolean;
    now: Date;
  },
) {
  const inserted = await db
    .insertInto('review_deliveries')
    .values({
      workspace_id: row.workspaceId,
      user_id: row.userId,
      kind: row.kind,
      period: row.period,
      emailed: row.emailed,
      delivered_at: row.now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Open tasks of a member due before `end` (today's and overdue ones), soonest first. */
export function dueTasks(db: Executor, workspaceId: string, userId: string, end: Date) {
  return db
    .selectFrom('tasks')
    .select(['id', 'title', 'due_at', 'lead_id'])
    .where('workspace_id', '=', workspaceId)
    .where('assignee_id', '=', userId)
    .where('status', 'in', ['pending', 'in_progress'])
    .where('due_at', '<', end)
    .orderBy('due_at')
    .limit(100)
    .execute();
}

/** A member's open leads with no activity, contact or change of stage since `before`. */
export async function staleLeads(db: Executor, workspaceId: string, userId: string, before: Date) {
  const { rows } = await sql<{ id: string; title: string; last_touch: Date }>`
    select id, title, last_touch from (
      select l.id, l.title, greatest(
        l.created_at, l.stage_entered_at, coalesce(l.last_contact_at, l.created_at),
        coalesce((select max(a.occurred_at) from activities a
          where a.workspace_id = l.workspace_id and a.lead_id = l.id), l.created_at)
      ) as last_touch
      from leads l
      where l.workspace_id = ${workspaceId} and l.assignee_id = ${userId}
        and l.status = 'open' and l.archived_at is null and l.merged_into_id is null
    ) t
    where last_touch < ${before}
    order by last_touch
    limit 100`.execute(db);
  return rows;
}

const liveLead = sql`l.archived_at is null and l.merged_into_id is null`;

export async function weeklyFigures(
  db: Executor,
  workspaceId: string,
  range: { start: Date; end: Date },
  currency: string,
  now: Date,
) {
  const { rows } = await sql<{
    new_leads: number;
    in_follow_up: number;
    follow_up_avg_age_days: number | null;
    proposals_out: number;
    proposals_value: string;
    won: number;
    won_value: string;
    lost: number;
    lost_value: string;
  }>`
    select
      (count(*) filter (where l.created_at >= ${range.start} and l.created_at < ${range.end}))::int
        as new_leads,
      (count(*) filter (where l.status = 'open'
        and (l.contact_status = 'follow_up_needed' or l.next_follow_up_at is not null)))::int
        as in_follow_up,
      avg(extract(epoch from (${now}::timestamptz - l.created_at)) / 86400)
        filter (where l.status = 'open'
          and (l.contact_status = 'follow_up_needed' or l.next_follow_up_at is not null))
        as follow_up_avg_age_days,
      (count(*) filter (where l.status = 'open' and l.contact_status = 'proposal_sent'))::int
        as proposals_out,
      coalesce(sum(l.value) filter (where l.status = 'open' and l.contact_status = 'proposal_sent'
        and l.currency = ${currency}), 0)::text as proposals_value,
      (count(*) filter (where l.status = 'won'
        and l.stage_entered_at >= ${range.start} and l.stage_entered_at < ${range.end}))::int as won,
      coalesce(sum(l.value) filter (where l.status = 'won' and l.currency = ${currency}
        and l.stage_entered_at >= ${range.start} and l.stage_entered_at < ${range.end}), 0)::text
        as won_value,
      (count(*) filter (where l.status = 'lost'
        and l.stage_entered_at >= ${range.start} and l.stage_entered_at < ${range.end}))::int as lost,
      coalesce(sum(l.value) filter (where l.status = 'lost' and l.currency = ${currency}
        and l.stage_entered_at >= ${range.start} and l.stage_entered_at < ${range.end}), 0)::text
        as lost_value
    from leads l
    where l.workspace_id = ${workspaceId} and ${liveLead}`.execute(db);
  return rows[0]!;
}

export function oldestOpenLead(db: Executor, workspaceId: string) {
  return db
    .selectFrom('leads')
    .select(['id', 'title', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where('archived_at', 'is', null)
    .where('merged_into_id', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export async function monthlyOutcomes(
  db: Executor,
  workspaceId: string,
  range: { start: Date; end: Date },
  currency: string,
) {
  const { rows } = await sql<{
    status: 'won' | 'lost';
    reason: string | null;
    leads: number;
    value: string;
    avg_days: number | null;
  }>`
    select l.status, r.name as reason, count(*)::int as leads,
      coalesce(sum(l.value) filter (where l.currency = ${currency}), 0)::text as value,
      avg(extract(epoch from (l.stage_entered_at - l.created_at)) / 86400) as avg_days
    from leads l
    left join lost_reasons r on r.workspace_id = l.workspace_id and r.id = l.lost_reason_id
    where l.workspace_id = ${workspaceId} and ${liveLead} and l.status in ('won', 'lost')
      and l.stage_entered_at >= ${range.start} and l.stage_entered_at < ${range.end}
    group by l.status, r.name
    order by l.status desc, count(*) desc, r.name`.execute(db);
  return rows;
}

export async function topSources(
  db: Executor,
  workspaceId: string,
  range: { start: Date; end: Date },
) {
  const { rows } = await sql<{
    source_id: string | null;
    name: string | null;
    leads: number;
    won: number;
  }>`
    select l.source_id, s.name, count(*)::int as leads,
      (count(*) filter (where l.status = 'won'))::int as won
    from leads l
    left join lead_sources s on s.workspace_id = l.workspace_id and s.id = l.source_id
    where l.workspace_id = ${workspaceId} and ${liveLead}
      and l.created_at >= ${range.start} and l.created_at < ${range.end}
    group by l.source_id, s.name
    order by count(*) desc, s.name nulls last
    limit 5`.execute(db);
  return rows;
}

/** Members who already got this review. */
export async function deliveredTo(
  db: Executor,
  workspaceId: string,
  kind: ReviewKind,
  period: string,
) {
  const rows = await db
    .selectFrom('review_deliveries')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .where('period', '=', period)
    .execute();
  return new Set(rows.map((row) => row.user_id));
}

export async function markEmailed(
  db: Executor,
  workspaceId: string,
  userId: string,
  kind: ReviewKind,
  period: string,
) {
  await db
    .updateTable('review_deliveries')
    .set({ emailed: true })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .where('period', '=', period)
    .execute();
}
