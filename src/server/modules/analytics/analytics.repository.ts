// The SQL of the analytics reports: a read model over leads, stage history, stages, sources,
// lost reasons and activities (decision 022). Every query is scoped by workspace, and counts the
// cohort of leads created in the period (archived and merged-away leads left out).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { PLAN_EACH_TIME as PLAN_EACH_TIME_COMMENT } from '../../platform/db/prepared-statements.js';
import type { DB } from '../../platform/db/schema.js';

type Executor = Kysely<DB>;

// Reports read many rows and their best plan depends on the period: planned for their values each
// time, never as one generic prepared plan (decision 015).
const PLAN_EACH_TIME = sql.raw(PLAN_EACH_TIME_COMMENT);

/** Activity types that count as a touch (as for a lead's last contact, activities.touch). */
const TOUCH_TYPES = ['call', 'email', 'sms', 'meeting', 'document_sent'];

export interface ReportScope {
  workspaceId: string;
  /** First and last day of the period (included), in the workspace's time zone. */
  from: string;
  to: string;
  timeZone: string;
  currency: string;
  pipelineId?: string | undefined;
  sourceId?: string | undefined;
  assigneeId?: string | undefined;
  tag?: string | undefined;
}

function periodStart(scope: ReportScope) {
  return sql<Date>`(${scope.from}::date::timestamp at time zone ${scope.timeZone})`;
}

function periodEnd(scope: ReportScope) {
  return sql<Date>`((${scope.to}::date + 1)::timestamp at time zone ${scope.timeZone})`;
}

/** The filters every report shares, on leads `l` (the period on created_at when `inPeriod`). */
function leadConditions(scope: ReportScope, options: { inPeriod: boolean }): RawBuilder<boolean> {
  const conditions: RawBuilder<unknown>[] = [
    sql`l.workspace_id = ${scope.workspaceId}`,
    sql`l.archived_at is null`,
    sql`l.merged_into_id is null`,
  ];
  if (options.inPeriod) {
    conditions.push(sql`l.created_at >= ${periodStart(scope)}`);
    conditions.push(sql`l.created_at < ${periodEnd(scope)}`);
  }
  if (scope.pipelineId) conditions.push(sql`l.pipeline_id = ${scope.pipelineId}`);
  if (scope.sourceId) conditions.push(sql`l.source_id = ${scope.sourceId}`);
  if (scope.assigneeId) conditions.push(sql`l.assignee_id = ${scope.assigneeId}`);
  if (scope.tag) conditions.push(sql`${scope.tag} = any(l.tags)`);
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/** Seconds between two timestamps, as a number of days. */
const daysBetween = (from: RawBuilder<unknown>, to: RawBuilder<unknown>) =>
  sql`extract(epoch from (${to} - ${from})) / 86400.0`;

export async function funnelCounts(db: Executor, scope: ReportScope & { pipelineId: string }) {
  // The furthest open or won stage each lead entered (skipped stages count as reached).
  const { rows } = await sql<{ max_position: number | null; leads: number; lost: number }>`
    ${PLAN_EACH_TIME}
    with cohort as (
      select l.id, l.status from leads l where ${leadConditions(scope, { inPeriod: true })}
    ), furthest as (
      select c.id, c.status, max(s.position) as max_position
      from cohort c
      left join stage_history h on h.workspace_id = ${scope.workspaceId} and h.lead_id = c.id
      left join stages s on s.workspace_id = ${scope.workspaceId} and s.id = h.to_stage_id
        and s.kind <> 'lost'
      group by c.id, c.status
    )
    select max_position, count(*)::int as leads,
      (count(*) filter (where status = 'lost'))::int as lost
    from furthest group by max_position`.execute(db);
  return rows;
}

export async function consultationOutcomes(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{
    spoke: number;
    no_show: number;
    accepted: number;
    rejected: number;
  }>`
    ${PLAN_EACH_TIME}
    select
      (count(*) filter (where a.type = 'meeting' and a.outcome = 'spoke'))::int as spoke,
      (count(*) filter (where a.type = 'meeting' and a.outcome = 'no_show'))::int as no_show,
      (count(*) filter (where a.outcome = 'accepted_proposal'))::int as accepted,
      (count(*) filter (where a.outcome = 'rejected_proposal'))::int as rejected
    from activities a
    join leads l on l.workspace_id = a.workspace_id and l.id = a.lead_id
    where a.workspace_id = ${scope.workspaceId}
      and a.occurred_at >= ${periodStart(scope)} and a.occurred_at < ${periodEnd(scope)}
      and ${leadConditions(scope, { inPeriod: false })}`.execute(db);
  return rows[0] ?? { spoke: 0, no_show: 0, accepted: 0, rejected: 0 };
}

export async function sourceCounts(db: Executor, scope: ReportScope) {
  // First touch: the source of the contact's earliest lead (any time); last touch: the lead's own.
  const { rows } = await sql<{
    source_id: string | null;
    leads: number;
    won: number;
    lost: number;
    won_value: number;
    first_touch_won: number;
    first_touch_won_value: number;
  }>`
    ${PLAN_EACH_TIME}
    with cohort as (
      select l.id, l.source_id, l.contact_id, l.status, l.value, l.currency
      from leads l where ${leadConditions(scope, { inPeriod: true })}
    ), first_touch as (
      select c.id, coalesce((
        select f.source_id from leads f
        where f.workspace_id = ${scope.workspaceId} and f.contact_id = c.contact_id
          and f.merged_into_id is null
        order by f.created_at, f.id limit 1), c.source_id) as source_id
      from cohort c where c.status = 'won'
    ), own as (
      select source_id, count(*)::int as leads,
        (count(*) filter (where status = 'won'))::int as won,
        (count(*) filter (where status = 'lost'))::int as lost,
        coalesce(sum(value) filter (where status = 'won' and currency = ${scope.currency}), 0)::bigint
          as won_value
      from cohort group by source_id
    ), first as (
      select ft.source_id, count(*)::int as won,
        coalesce(sum(c.value) filter (where c.currency = ${scope.currency}), 0)::bigint as won_value
      from first_touch ft join cohort c on c.id = ft.id group by ft.source_id
    )
    select ids.source_id,
      coalesce(own.leads, 0) as leads, coalesce(own.won, 0) as won, coalesce(own.lost, 0) as lost,
      coalesce(own.won_value, 0) as won_value,
      coalesce(first.won, 0) as first_touch_won,
      coalesce(first.won_value, 0) as first_touch_won_value
    from (select source_id from own union select source_id from first) ids
    left join own on own.source_id is not distinct from ids.source_id
    left join first on first.source_id is not distinct from ids.source_id`.execute(db);
  return rows;
}

export async function coordinatorCounts(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{
    assignee_id: string | null;
    leads: number;
    within_5_minutes: number;
    contacted: number;
    median_minutes_to_first_contact: number | null;
    won: number;
    median_days_to_convert: number | null;
  }>`
    ${PLAN_EACH_TIME}
    with cohort as (
      select l.id, l.assignee_id, l.status, l.created_at, l.stage_entered_at
      from leads l where ${leadConditions(scope, { inPeriod: true })}
    ), first_touch as (
      select a.lead_id, min(a.occurred_at) as first_at
      from activities a join cohort c on a.lead_id = c.id
      where a.workspace_id = ${scope.workspaceId} and a.type::text = any(${TOUCH_TYPES}::text[])
        and a.direction is distinct from 'inbound'
        -- A touch logged with a date before the lead existed is not its first contact.
        and a.occurred_at >= c.created_at
      group by a.lead_id
    )
    select c.assignee_id, count(*)::int as leads,
      (count(*) filter (where ft.first_at <= c.created_at + interval '5 minutes'))::int
        as within_5_minutes,
      count(ft.first_at)::int as contacted,
      percentile_cont(0.5) within group (
        order by extract(epoch from (ft.first_at - c.created_at)) / 60.0
      ) as median_minutes_to_first_contact,
      (count(*) filter (where c.status = 'won'))::int as won,
      percentile_cont(0.5) within group (
        order by case when c.status = 'won'
          then ${daysBetween(sql`c.created_at`, sql`c.stage_entered_at`)} end
      ) as median_days_to_convert
    from cohort c left join first_touch ft on ft.lead_id = c.id
    group by c.assignee_id`.execute(db);
  return rows;
}

/** Touches each member logged in the period, on leads that match the filters. */
export async function touchesByMember(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ created_by: string; activities: number }>`
    ${PLAN_EACH_TIME}
    select a.created_by, count(*)::int as activities
    from activities a
    join leads l on l.workspace_id = a.workspace_id and l.id = a.lead_id
    where a.workspace_id = ${scope.workspaceId} and a.created_by is not null
      and a.type::text = any(${TOUCH_TYPES}::text[])
      and a.occurred_at >= ${periodStart(scope)} and a.occurred_at < ${periodEnd(scope)}
      and ${leadConditions(scope, { inPeriod: false })}
    group by a.created_by`.execute(db);
  return rows;
}

export async function lostReasonCounts(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ lost_reason_id: string | null; leads: number; value: number }>`
    ${PLAN_EACH_TIME}
    select l.lost_reason_id, count(*)::int as leads,
      coalesce(sum(l.value) filter (where l.currency = ${scope.currency}), 0)::bigint as value
    from leads l
    where ${leadConditions(scope, { inPeriod: true })} and l.status = 'lost'
    group by l.lost_reason_id`.execute(db);
  return rows;
}

export async function stageStays(db: Executor, scope: ReportScope & { pipelineId: string }) {
  // A stay ends when the lead's next move is recorded; the current stay of an open lead is open.
  const { rows } = await sql<{
    stage_id: string;
    stays: number;
    median_days: number | null;
    p90_days: number | null;
  }>`
    ${PLAN_EACH_TIME}
    with cohort as (
      select l.id from leads l where ${leadConditions(scope, { inPeriod: true })}
    ), moves as (
      select h.to_stage_id as stage_id, h.moved_at,
        lead(h.moved_at) over (partition by h.lead_id order by h.moved_at, h.id) as left_at
      from stage_history h join cohort c on c.id = h.lead_id
      where h.workspace_id = ${scope.workspaceId}
    )
    select stage_id, count(*)::int as stays,
      percentile_cont(0.5) within group (order by ${daysBetween(sql`moved_at`, sql`left_at`)})
        as median_days,
      percentile_cont(0.9) within group (order by ${daysBetween(sql`moved_at`, sql`left_at`)})
        as p90_days
    from moves where left_at is not null
    group by stage_id`.execute(db);
  return rows;
}

/** Open leads per stage now, and how many of them have been there longer than its limit. */
export async function openByStage(
  db: Executor,
  scope: ReportScope & { pipelineId: string },
  now: Date,
) {
  const { rows } = await sql<{ stage_id: string; open_now: number; past_limit: number }>`
    ${PLAN_EACH_TIME}
    select l.stage_id, count(*)::int as open_now,
      (count(*) filter (where s.max_days_in_stage is not null
        and l.stage_entered_at < ${now}::timestamptz - make_interval(days => s.max_days_in_stage)))::int
        as past_limit
    from leads l
    join stages s on s.workspace_id = l.workspace_id and s.id = l.stage_id
    where ${leadConditions(scope, { inPeriod: true })} and l.status = 'open'
    group by l.stage_id`.execute(db);
  return rows;
}

export async function timeToConvert(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ won: number; median_days: number | null; p90_days: number | null }>`
    ${PLAN_EACH_TIME}
    select count(*)::int as won,
      percentile_cont(0.5) within group (order by ${daysBetween(sql`l.created_at`, sql`l.stage_entered_at`)})
        as median_days,
      percentile_cont(0.9) within group (order by ${daysBetween(sql`l.created_at`, sql`l.stage_entered_at`)})
        as p90_days
    from leads l where ${leadConditions(scope, { inPeriod: true })} and l.status = 'won'`.execute(
    db,
  );
  return rows[0] ?? { won: 0, median_days: null, p90_days: null };
}

export async function newLeadsByWeek(db: Executor, scope: ReportScope) {
  // Weeks start on Monday in the workspace's time zone; weeks without leads are listed too.
  const { rows } = await sql<{ week_start: string; leads: number }>`
    ${PLAN_EACH_TIME}
    with weeks as (
      select generate_series(
        date_trunc('week', ${scope.from}::date::timestamp),
        date_trunc('week', ${scope.to}::date::timestamp),
        interval '1 week')::date as week_start
    ), counted as (
      select date_trunc('week', l.created_at at time zone ${scope.timeZone})::date as week_start,
        count(*)::int as leads
      from leads l where ${leadConditions(scope, { inPeriod: true })}
      group by 1
    )
    select to_char(w.week_start, 'YYYY-MM-DD') as week_start, coalesce(c.leads, 0) as leads
    from weeks w left join counted c on c.week_start = w.week_start
    order by w.week_start`.execute(db);
  return rows;
}

/** Open leads by the month of their expected close date (any creation date). */
export async function openPipelineByMonth(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{
    month: string;
    open_leads: number;
    value: number;
    weighted_value: number;
  }>`
    ${PLAN_EACH_TIME}
    select to_char(l.expected_close_date, 'YYYY-MM') as month, count(*)::int as open_leads,
      coalesce(sum(l.value) filter (where l.currency = ${scope.currency}), 0)::bigint as value,
      coalesce(round(sum(l.value * l.probability / 100.0)
        filter (where l.currency = ${scope.currency})), 0)::bigint as weighted_value
    from leads l
    where ${leadConditions(scope, { inPeriod: false })} and l.status = 'open'
      and l.expected_close_date is not null
    group by 1 order by 1`.execute(db);
  return rows;
}

/**
 * For each month of the period: the weighted forecast as it stood on the month's first day
 * (leads then open, in the stage they were then in, at that stage's probability, with their
 * expected close date in the month) and the value actually won in the month.
 */
export async function forecastBacktest(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ month: string; forecast: number; won_value: number }>`
    ${PLAN_EACH_TIME}
    with months as (
      select m::date as month_start, (m + interval '1 month')::date as month_end
      from generate_series(date_trunc('month', ${scope.from}::date::timestamp),
        date_trunc('month', ${scope.to}::date::timestamp), interval '1 month') m
    ), scoped as (
      select l.id, l.value, l.status, l.created_at, l.stage_entered_at, l.expected_close_date
      from leads l
      where ${leadConditions(scope, { inPeriod: false })} and l.currency = ${scope.currency}
    ), forecast as (
      select m.month_start, coalesce(round(sum(sc.value * st.probability / 100.0)), 0)::bigint
        as forecast
      from months m
      join scoped sc on sc.expected_close_date >= m.month_start
        and sc.expected_close_date < m.month_end
        and sc.created_at < (m.month_start::timestamp at time zone ${scope.timeZone})
      join lateral (
        select h.to_stage_id from stage_history h
        where h.workspace_id = ${scope.workspaceId} and h.lead_id = sc.id
          and h.moved_at < (m.month_start::timestamp at time zone ${scope.timeZone})
        order by h.moved_at desc, h.id desc limit 1
      ) last_move on true
      join stages st on st.workspace_id = ${scope.workspaceId} and st.id = last_move.to_stage_id
        and st.kind = 'open'
      group by m.month_start
    ), won as (
      select m.month_start, coalesce(sum(sc.value), 0)::bigint as won_value
      from months m
      join scoped sc on sc.status = 'won'
        and sc.stage_entered_at >= (m.month_start::timestamp at time zone ${scope.timeZone})
        and sc.stage_entered_at < (m.month_end::timestamp at time zone ${scope.timeZone})
      group by m.month_start
    )
    select to_char(m.month_start, 'YYYY-MM') as month, coalesce(f.forecast, 0) as forecast,
      coalesce(w.won_value, 0) as won_value
    from months m
    left join forecast f on f.month_start = m.month_start
    left join won w on w.month_start = m.month_start
    order by m.month_start`.execute(db);
  return rows;
}
