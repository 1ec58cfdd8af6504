// The SQL of the analytics reports, over the read model of migration 0018 (decision 026): one row
// of facts per live lead, finished stage stays and activity counts per day, kept by
// analytics.facts. Every query is scoped by workspace and counts the cohort of leads created in
// the period (archived and merged-away leads have no facts).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { PLAN_EACH_TIME as PLAN_EACH_TIME_COMMENT } from '../../platform/db/prepared-statements.js';
import type { DB } from '../../platform/db/schema.js';

type Executor = Kysely<DB>;

// Reports read many rows and their best plan depends on the period: planned for their values each
// time, never as one generic prepared plan (decision 015).
const PLAN_EACH_TIME = sql.raw(PLAN_EACH_TIME_COMMENT);

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

/**
 * The filters every report shares, on a facts-like table `f` (the period on created_at when
 * `inPeriod`).
 */
function leadConditions(scope: ReportScope, options: { inPeriod: boolean }): RawBuilder<boolean> {
  const conditions: RawBuilder<unknown>[] = [sql`f.workspace_id = ${scope.workspaceId}`];
  if (options.inPeriod) {
    conditions.push(sql`f.created_at >= ${periodStart(scope)}`);
    conditions.push(sql`f.created_at < ${periodEnd(scope)}`);
  }
  if (scope.pipelineId) conditions.push(sql`f.pipeline_id = ${scope.pipelineId}`);
  if (scope.sourceId) conditions.push(sql`f.source_id = ${scope.sourceId}`);
  if (scope.assigneeId) conditions.push(sql`f.assignee_id = ${scope.assigneeId}`);
  if (scope.tag) conditions.push(sql`${scope.tag} = any(f.tags)`);
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/** The activity rollup's rows of the period's days (local) for leads matching the filters. */
function activityDayConditions(scope: ReportScope): RawBuilder<boolean> {
  return sql<boolean>`(${leadConditions(scope, { inPeriod: false })}
    and f.day >= ${scope.from}::date and f.day <= ${scope.to}::date)`;
}

/** Seconds between two timestamps, as a number of days. */
const daysBetween = (from: RawBuilder<unknown>, to: RawBuilder<unknown>) =>
  sql`extract(epoch from (${to} - ${from})) / 86400.0`;

export async function funnelCounts(db: Executor, scope: ReportScope & { pipelineId: string }) {
  // The furthest open or won stage each lead entered (skipped stages count as reached).
  const { rows } = await sql<{ max_position: number | null; leads: number; lost: number }>`
    ${PLAN_EACH_TIME}
    select f.furthest_position as max_position, count(*)::int as leads,
      (count(*) filter (where f.status = 'lost'))::int as lost
    from analytics_lead_facts f where ${leadConditions(scope, { inPeriod: true })}
    group by f.furthest_position`.execute(db);
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
    select coalesce(sum(f.spoke), 0)::int as spoke, coalesce(sum(f.no_show), 0)::int as no_show,
      coalesce(sum(f.accepted), 0)::int as accepted, coalesce(sum(f.rejected), 0)::int as rejected
    from analytics_activity_days f where ${activityDayConditions(scope)}`.execute(db);
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
      select f.source_id, f.first_touch_source_id, f.status, f.value, f.currency
      from analytics_lead_facts f where ${leadConditions(scope, { inPeriod: true })}
    ), own as (
      select source_id, count(*)::int as leads,
        (count(*) filter (where status = 'won'))::int as won,
        (count(*) filter (where status = 'lost'))::int as lost,
        coalesce(sum(value) filter (where status = 'won' and currency = ${scope.currency}), 0)::bigint
          as won_value
      from cohort group by source_id
    ), first as (
      select first_touch_source_id as source_id, count(*)::int as won,
        coalesce(sum(value) filter (where currency = ${scope.currency}), 0)::bigint as won_value
      from cohort where status = 'won' group by first_touch_source_id
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
    select f.assignee_id, count(*)::int as leads,
      (count(*) filter (where f.first_contact_at <= f.created_at + interval '5 minutes'))::int
        as within_5_minutes,
      count(f.first_contact_at)::int as contacted,
      percentile_cont(0.5) within group (
        order by extract(epoch from (f.first_contact_at - f.created_at)) / 60.0
      ) as median_minutes_to_first_contact,
      (count(*) filter (where f.status = 'won'))::int as won,
      percentile_cont(0.5) within group (
        order by case when f.status = 'won'
          then ${daysBetween(sql`f.created_at`, sql`f.stage_entered_at`)} end
      ) as median_days_to_convert
    from analytics_lead_facts f where ${leadConditions(scope, { inPeriod: true })}
    group by f.assignee_id`.execute(db);
  return rows;
}

/** Touches each member logged in the period, on leads that match the filters. */
export async function touchesByMember(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ created_by: string; activities: number }>`
    ${PLAN_EACH_TIME}
    select f.created_by, sum(f.touches)::int as activities
    from analytics_activity_days f
    where ${activityDayConditions(scope)} and f.created_by is not null
    group by f.created_by having sum(f.touches) > 0`.execute(db);
  return rows;
}

export async function lostReasonCounts(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ lost_reason_id: string | null; leads: number; value: number }>`
    ${PLAN_EACH_TIME}
    select f.lost_reason_id, count(*)::int as leads,
      coalesce(sum(f.value) filter (where f.currency = ${scope.currency}), 0)::bigint as value
    from analytics_lead_facts f
    where ${leadConditions(scope, { inPeriod: true })} and f.status = 'lost'
    group by f.lost_reason_id`.execute(db);
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
    select f.stage_id, count(*)::int as stays,
      percentile_cont(0.5) within group (order by f.days) as median_days,
      percentile_cont(0.9) within group (order by f.days) as p90_days
    from analytics_stage_stays f where ${leadConditions(scope, { inPeriod: true })}
    group by f.stage_id`.execute(db);
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
    select f.stage_id, count(*)::int as open_now,
      (count(*) filter (where s.max_days_in_stage is not null
        and f.stage_entered_at < ${now}::timestamptz - make_interval(days => s.max_days_in_stage)))::int
        as past_limit
    from analytics_lead_facts f
    join stages s on s.workspace_id = f.workspace_id and s.id = f.stage_id
    where ${leadConditions(scope, { inPeriod: true })} and f.status = 'open'
    group by f.stage_id`.execute(db);
  return rows;
}

export async function timeToConvert(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ won: number; median_days: number | null; p90_days: number | null }>`
    ${PLAN_EACH_TIME}
    select count(*)::int as won,
      percentile_cont(0.5) within group (order by ${daysBetween(sql`f.created_at`, sql`f.stage_entered_at`)})
        as median_days,
      percentile_cont(0.9) within group (order by ${daysBetween(sql`f.created_at`, sql`f.stage_entered_at`)})
        as p90_days
    from analytics_lead_facts f
    where ${leadConditions(scope, { inPeriod: true })} and f.status = 'won'`.execute(db);
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
      select date_trunc('week', f.created_at at time zone ${scope.timeZone})::date as week_start,
        count(*)::int as leads
      from analytics_lead_facts f where ${leadConditions(scope, { inPeriod: true })}
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
    select to_char(f.expected_close_date, 'YYYY-MM') as month, count(*)::int as open_leads,
      coalesce(sum(f.value) filter (where f.currency = ${scope.currency}), 0)::bigint as value,
      coalesce(round(sum(f.value * f.probability / 100.0)
        filter (where f.currency = ${scope.currency})), 0)::bigint as weighted_value
    from analytics_lead_facts f
    where ${leadConditions(scope, { inPeriod: false })} and f.status = 'open'
      and f.expected_close_date is not null
    group by 1 order by 1`.execute(db);
  return rows;
}

/**
 * For each month of the period: the weighted forecast as it stood on the month's first day
 * (leads then open, in the stage they were then in, at that stage's probability, with their
 * expected close date in the month; kept per lead in the facts) and the value actually won in
 * the month.
 */
export async function forecastBacktest(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ month: string; forecast: number; won_value: number }>`
    ${PLAN_EACH_TIME}
    with months as (
      select m::date as month_start, (m + interval '1 month')::date as month_end
      from generate_series(date_trunc('month', ${scope.from}::date::timestamp),
        date_trunc('month', ${scope.to}::date::timestamp), interval '1 month') m
    ), forecast as (
      select f.forecast_month as month_start,
        coalesce(round(sum(f.value * f.forecast_probability / 100.0)), 0)::bigint as forecast
      from analytics_lead_facts f
      where ${leadConditions(scope, { inPeriod: false })} and f.currency = ${scope.currency}
        and f.forecast_probability is not null
        and f.forecast_month >= (select min(month_start) from months)
        and f.forecast_month <= (select max(month_start) from months)
      group by f.forecast_month
    ), won as (
      select m.month_start, coalesce(sum(f.value), 0)::bigint as won_value
      from months m
      join analytics_lead_facts f on ${leadConditions(scope, { inPeriod: false })}
        and f.currency = ${scope.currency} and f.status = 'won'
        and f.stage_entered_at >= (m.month_start::timestamp at time zone ${scope.timeZone})
        and f.stage_entered_at < (m.month_end::timestamp at time zone ${scope.timeZone})
      group by m.month_start
    )
    select to_char(m.month_start, 'YYYY-MM') as month, coalesce(fc.forecast, 0) as forecast,
      coalesce(w.won_value, 0) as won_value
    from months m
    left join forecast fc on fc.month_start = m.month_start
    left join won w on w.month_start = m.month_start
    order by m.month_start`.execute(db);
  return rows;
}
