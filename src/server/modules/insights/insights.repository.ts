// The SQL of lead insights: a read model over leads, stages and activities (like analytics,
// decision 022): what the next-action rules and the best hour to call need. Every query is
// scoped by workspace.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';

type Executor = Kysely<DB>;

/** Activity types that count as a touch (as for a lead's last contact, activities.touch). */
const TOUCH_TYPES = ['call', 'email', 'sms', 'meeting', 'document_sent'];
/** The touches per lead the rules look at (the latest first). */
const RECENT_TOUCHES = 20;

export interface TouchRow {
  type: string;
  direction: string | null;
  outcome: string;
  occurredAt: string;
}

export interface LeadSignalsRow {
  id: string;
  assignee_id: string | null;
  contact_id: string | null;
  status: 'open' | 'won' | 'lost';
  created_at: Date;
  stage_name: string;
  stage_entered_at: Date;
  max_days_in_stage: number | null;
  next_follow_up_at: Date | null;
  next_follow_up_type: string | null;
  touches: TouchRow[];
}

/** The leads (not archived or merged away) with their stage and latest touches. */
export async function findLeadSignals(
  db: Executor,
  workspaceId: string,
  leadIds: string[],
): Promise<LeadSignalsRow[]> {
  if (leadIds.length === 0) return [];
  const { rows } = await sql<LeadSignalsRow>`
    select l.id, l.assignee_id, l.contact_id, l.status, l.created_at, s.name as stage_name,
      l.stage_entered_at, s.max_days_in_stage, l.next_follow_up_at, l.next_follow_up_type,
      coalesce((
        select json_agg(json_build_object('type', t.type, 'direction', t.direction,
          'outcome', t.outcome, 'occurredAt', t.occurred_at) order by t.occurred_at desc, t.id desc)
        from (
          select a.id, a.type, a.direction, a.outcome, a.occurred_at from activities a
          where a.workspace_id = l.workspace_id and a.lead_id = l.id
            and a.type::text = any(${TOUCH_TYPES}::text[])
          order by a.occurred_at desc, a.id desc limit ${RECENT_TOUCHES}
        ) t), '[]'::json) as touches
    from leads l
    join stages s on s.workspace_id = l.workspace_id and s.id = l.stage_id
    where l.workspace_id = ${workspaceId} and l.id = any(${leadIds}::uuid[])
      and l.archived_at is null and l.merged_into_id is null`.execute(db);
  return rows;
}

export interface CallHourRow {
  contact_id: string | null;
  hour_of_week: number;
  calls: number;
  answered: number;
}

const hourOfWeek = (timeZone: string) => sql`
  ((extract(isodow from a.occurred_at at time zone ${timeZone})::int - 1) * 24
    + extract(hour from a.occurred_at at time zone ${timeZone})::int)`;

/**
 * Outgoing calls by hour of week (local) and how many were answered (outcome "spoke"), per
 * contact: calls logged on the contact or on any of its leads.
 */
export async function callsByHourForContacts(
  db: Executor,
  workspaceId: string,
  timeZone: string,
  contactIds: string[],
): Promise<CallHourRow[]> {
  if (contactIds.length === 0) return [];
  const { rows } = await sql<CallHourRow>`
    with calls as (
      select a.id, a.contact_id, a.occurred_at, a.outcome from activities a
      where a.workspace_id = ${workspaceId} and a.contact_id = any(${contactIds}::uuid[])
        and a.type = 'call' and a.direction is distinct from 'inbound'
      union
      select a.id, l.contact_id, a.occurred_at, a.outcome from leads l
      join activities a on a.workspace_id = l.workspace_id and a.lead_id = l.id
      where l.workspace_id = ${workspaceId} and l.contact_id = any(${contactIds}::uuid[])
        and a.type = 'call' and a.direction is distinct from 'inbound'
    )
    select a.contact_id, ${hourOfWeek(timeZone)} as hour_of_week, count(*)::int as calls,
      (count(*) filter (where a.outcome = 'spoke'))::int as answered
    from calls a group by 1, 2`.execute(db);
  return rows;
}

/** The workspace's outgoing calls by hour of week (local), answered or not. */
export async function callsByHourForWorkspace(
  db: Executor,
  workspaceId: string,
  timeZone: string,
): Promise<CallHourRow[]> {
  const { rows } = await sql<CallHourRow>`
    select null::uuid as contact_id, ${hourOfWeek(timeZone)} as hour_of_week,
      count(*)::int as calls, (count(*) filter (where a.outcome = 'spoke'))::int as answered
    from activities a
    where a.workspace_id = ${workspaceId} and a.type = 'call'
      and a.direction is distinct from 'inbound'
    group by 2`.execute(db);
  return rows;
}
