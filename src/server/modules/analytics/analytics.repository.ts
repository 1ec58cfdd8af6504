// The SQL of the analytics reports, over the read model of migrations 0018 and 0023 (decisions 026
// and 031): one row of facts per live lead, finished stage stays, activity counts per day, and
// rollups of the facts per month and day, kept by analytics.facts. Every query is scoped by
// workspace and counts the cohort of leads created in the period (archived and merged-away leads
// have no facts). Counts read the rollups; medians and percentiles read one row per lead.
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

const DAY_MS = 86_400_000;

/** A calendar date (YYYY-MM-DD) moved by a number of days. */
export const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const firstOfMonth = (date: string) => `${date.slice(0, 8)}01`;

/**
 * The period's whole months, as their first day and the first day after the last
 * (YYYY-MM-DD), or undefined when the period holds no whole month.
 */
export function wholeMonthsOf(
  from: string,
  to: string,
): { start: string; end: string } | undefined {
  const start = from.endsWith('-01') ? from : firstOfMonth(addDays(firstOfMonth(from), 32));
  const dayAfter = addDays(to, 1);
  const end = dayAfter.endsWith('-01') ? dayAfter : firstOfMonth(to);
  return start < end ? { start, end } : undefined;
}

/**
 * The cohort of the count-only reports (leads created in the period, matching the filters) as
 * rows of the monthly rollup's columns with a number of `leads` and their summed `value`: the
 * rollup's rows for the period's whole months, and one row per lead from the facts for the days
 * before and after them (decision 031).
 */
function cohortRows(scope: ReportScope): RawBuilder<unknown> {
  const columns = sql`f.pipeline_id, f.source_id, f.assignee_id, f.tags, f.status, f.currency,
    f.furthest_position, f.first_touch_source_id, f.lost_reason_id`;
  const months = wholeMonthsOf(scope.from, scope.to);
  const perLead = sql`select ${columns}, 1 as leads, f.value from analytics_lead_facts f
    where ${leadConditions(scope, { inPeriod: true })}`;
  if (!months) return perLead;
  const at = (date: string) => sql`(${date}::date::timestamp at time zone ${scope.timeZone})`;
  return sql`
    select ${columns}, f.leads, f.value from analytics_lead_months f
    where ${leadConditions(scope, { inPeriod: false })}
      and f.month >= ${months.start}::date and f.month < ${months.end}::date
    union all
    ${perLead} and (f.created_at < ${at(months.start)} or f.created_at >= ${at(months.end)})`;
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
    with cohort as (${cohortRows(scope)})
    select furthest_position as max_position, sum(leads)::int as leads,
      coalesce(sum(leads) filter (where status = 'lost'), 0)::int as lost
    from cohort group by furthest_position`.execute(db);
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
    with cohort as (${cohortRows(scope)}),
    own as (
      select source_id, sum(leads)::int as leads,
        coalesce(sum(leads) filter (where status = 'won'), 0)::int as won,
        coalesce(sum(leads) filter (where status = 'lost'), 0)::int as lost,
        coalesce(sum(value) filter (where status = 'won' and currency = ${scope.currency}), 0)::bigint
          as won_value
      from cohort group by source_id
    ), first as (
      select first_touch_source_id as source_id, sum(leads)::int as won,
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
      ) filter (where f.first_contact_at is not null) as median_minutes_to_first_contact,
      (count(*) filter (where f.status = 'won'))::int as won,
      -- Only the won leads go into the sort (the filter, not a null for every other lead).
      percentile_cont(0.5) within group (
        order by ${daysBetween(sql`f.created_at`, sql`f.stage_entered_at`)}
      ) filter (where f.status = 'won') as median_days_to_convert
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
    with cohort as (${cohortRows(scope)})
    select lost_reason_id, sum(leads)::int as leads,
      coalesce(sum(value) filter (where currency = ${scope.currency}), 0)::bigint as value
    from cohort where status = 'lost'
    group by lost_reason_id`.execute(db);
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
      select date_trunc('week', f.day)::date as week_start, sum(f.leads)::int as leads
      from analytics_lead_days f
      where ${leadConditions(scope, { inPeriod: false })}
        and f.day >= ${scope.from}::date and f.day <= ${scope.to}::date
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
 * expected close date in the month; rolled up per month from the facts) and the value won in
 * the month.
 */
export async function forecastBacktest(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ month: string; forecast: number; won_value: number }>`
    ${PLAN_EACH_TIME}
    with months as (
      select m::date as month_start
      from generate_series(date_trunc('month', ${scope.from}::date::timestamp),
        date_trunc('month', ${scope.to}::date::timestamp), interval '1 month') m
    ), rolled as (
      select f.month, round(sum(f.forecast))::bigint as forecast, sum(f.won_value)::bigint as won_value
      from analytics_forecast_months f
      where ${leadConditions(scope, { inPeriod: false })} and f.currency = ${scope.currency}
        and f.month >= date_trunc('month', ${scope.from}::date::timestamp)::date
        and f.month <= date_trunc('month', ${scope.to}::date::timestamp)::date
      group by f.month
    )
    select to_char(m.month_start, 'YYYY-MM') as month, coalesce(r.forecast, 0) as forecast,
      coalesce(r.won_value, 0) as won_value
    from months m left join rolled r on r.month = m.month_start
    order by m.month_start`.execute(db);
  return rows;
}
