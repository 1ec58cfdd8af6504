// The SQL of the analytics reports, over the read model of migrations 0018 and 0023–0027
// (decisions 026, 031, 033 and 034): one row of facts per live lead, finished stage stays,
// activity counts per day and month, and rollups of the facts per month and day, kept by
// analytics.facts. Every query is scoped by workspace and counts the cohort of leads created in
// the period (archived and merged-away leads have no facts). Counts read the rollups; medians and
// percentiles read the duration histograms for big cohorts and one row per lead or stay for
// small ones.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { PLAN_EACH_TIME as PLAN_EACH_TIME_COMMENT } from '../../platform/db/prepared-statements.js';
import type { DB } from '../../platform/db/schema.js';
import {
  CONTACTED_FAST,
  CONVERT_SECONDS,
  FIRST_CONTACT_SECONDS,
  STAY_SECONDS,
} from './analytics.facts.js';
import { bucketOf, percentileOf, type Bucket } from './analytics.histogram.js';

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
  /**
   * The months the rollups answer for (rollupMonths); the days between them and the period's
   * ends are read per lead, added or taken off.
   */
  months?: Months | undefined;
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
/** The first day of the month after the date's. */
const nextMonth = (date: string) => firstOfMonth(addDays(firstOfMonth(date), 32));
/** The first day of the first month that starts on or after the date. */
const firstMonthFrom = (date: string) => (date.endsWith('-01') ? date : nextMonth(date));

interface Months {
  /** First day of the first month and of the month after the last (YYYY-MM-DD). */
  start: string;
  end: string;
}

const daysBetween = (from: string, until: string) =>
  Math.abs(Date.parse(`${until}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS;

/**
 * The months a rollup answers for in a period (decision 034): each end of the period is rounded
 * to the nearer month boundary, in to its whole months or out to the month it falls in,
 * whichever leaves fewer days to read per lead or day; the days rounded in are added, those
 * rounded out taken off. Days after the period cost nothing when `freeAfter` (no record was
 * created after it). Undefined when reading the whole period per lead or day reads less.
 */
export function nearestMonths(
  from: string,
  to: string,
  options: { freeAfter: boolean },
): Months | undefined {
  const dayAfter = addDays(to, 1);
  const nearer = (inward: string, outward: string, edge: string, outwardDays: number) =>
    outwardDays < daysBetween(edge, inward) ? outward : inward;
  const start = nearer(
    firstMonthFrom(from),
    firstOfMonth(from),
    from,
    daysBetween(firstOfMonth(from), from),
  );
  const endOut = nextMonth(to);
  const endOutDays = options.freeAfter ? 0 : daysBetween(dayAfter, endOut);
  const endIn = dayAfter.endsWith('-01') ? dayAfter : firstOfMonth(to);
  const end = nearer(endIn, endOut, dayAfter, endOutDays);
  const perDay =
    daysBetween(start, from) + (end === endOut ? endOutDays : daysBetween(end, dayAfter));
  if (start >= end || perDay >= daysBetween(from, dayAfter)) return undefined;
  return { start, end };
}

/**
 * The months the lead rollups answer for in the period (nearestMonths); days after the period
 * are free when no lead was created after it (a period ending today), which one index probe
 * checks when it matters.
 */
export async function rollupMonths(db: Executor, scope: ReportScope): Promise<Months | undefined> {
  const months = nearestMonths(scope.from, scope.to, { freeAfter: false });
  if (months?.end === nextMonth(scope.to) || !(await noLeadAfter(db, scope))) return months;
  return nearestMonths(scope.from, scope.to, { freeAfter: true });
}

async function noLeadAfter(db: Executor, scope: ReportScope): Promise<boolean> {
  const { rows } = await sql<{ later: boolean }>`
    ${PLAN_EACH_TIME}
    select exists (select 1 from analytics_lead_facts f where f.workspace_id = ${scope.workspaceId}
      and f.created_at >= ${periodEnd(scope)}) as later`.execute(db);
  return !rows[0]?.later;
}

/** A per-lead query on facts-like rows `f`, ending in its where clause; each row counts `sign`. */
type PerLead = (sign: 1 | -1) => RawBuilder<unknown>;

/**
 * The cohort of the count-only reports (leads created in the period, matching the filters) as
 * rows of the monthly rollup's columns with a number of `leads` and their summed `value`: the
 * rollup's rows for the months, and one row per lead from the facts for the days around them
 * (decision 031), counting -1 for the days rounded out (decision 034): only sums of them mean
 * anything, and a group can sum to nothing.
 */
function cohortRows(scope: ReportScope): RawBuilder<unknown> {
  const columns = sql`f.pipeline_id, f.source_id, f.assignee_id, f.tags, f.status, f.currency,
    f.furthest_position, f.first_touch_source_id, f.lost_reason_id`;
  const perLead: PerLead = (sign) => {
    const one = sql.lit(sign);
    return sql`select ${columns}, ${one} as leads, ${one} * f.value as value,
      ${one} * (f.first_contact_at is not null)::int as contacted,
      ${one} * coalesce((${CONTACTED_FAST})::int, 0) as contacted_fast
    from analytics_lead_facts f where ${leadConditions(scope, { inPeriod: false })}`;
  };
  const months = scope.months;
  if (!months) return sql`${perLead(1)} and ${inPeriod(scope)}`;
  return sql`
    select ${columns}, f.leads, f.value, f.contacted, f.contacted_fast
    from analytics_lead_months f
    where ${leadConditions(scope, { inPeriod: false })} and ${inMonths(months)}
    union all
    ${aroundMonths(scope, months, perLead)}`;
}

/** A rollup row `f` of one of the months. */
const inMonths = (months: Months) =>
  sql<boolean>`(f.month >= ${months.start}::date and f.month < ${months.end}::date)`;

/** A facts-like row `f` created in the period. */
const inPeriod = (scope: ReportScope) =>
  sql<boolean>`(f.created_at >= ${periodStart(scope)} and f.created_at < ${periodEnd(scope)})`;

/**
 * The days between the period's ends and its months (local dates, `until` excluded): those
 * rounded in count 1, those rounded out -1.
 */
function roundedDays(scope: ReportScope, months: Months) {
  const dayAfter = addDays(scope.to, 1);
  const ranges: { from: string; until: string; sign: 1 | -1 }[] = [];
  if (scope.from < months.start) ranges.push({ from: scope.from, until: months.start, sign: 1 });
  if (months.start < scope.from) ranges.push({ from: months.start, until: scope.from, sign: -1 });
  if (months.end < dayAfter) ranges.push({ from: months.end, until: dayAfter, sign: 1 });
  if (dayAfter < months.end) ranges.push({ from: dayAfter, until: months.end, sign: -1 });
  return ranges;
}

/**
 * The rows of a per-lead query for the days between the period's ends and the months
 * (roundedDays): at most two range scans of a created_at index.
 */
function aroundMonths(scope: ReportScope, months: Months, perLead: PerLead) {
  const at = (date: string) => sql`(${date}::date::timestamp at time zone ${scope.timeZone})`;
  const ranges = roundedDays(scope, months).map(
    ({ from, until, sign }) =>
      sql`${perLead(sign)} and f.created_at >= ${at(from)} and f.created_at < ${at(until)}`,
  );
  // A period of whole months reads no lead; the query still needs rows of the right shape.
  if (ranges.length === 0) ranges.push(sql`${perLead(1)} and false`);
  return sql.join(ranges, sql` union all `);
}

export type DurationMeasure = 'first_contact' | 'convert' | 'stay';

/**
 * Whether the duration histograms can answer for the cohort: they are kept by pipeline and
 * assignee (first contact, convert) or stage (stay) only, so not when filtered by source or tag,
 * nor stays when filtered by assignee.
 */
function histogramsAnswer(scope: ReportScope, measure: DurationMeasure): boolean {
  if (scope.sourceId || scope.tag) return false;
  return measure !== 'stay' || !scope.assigneeId;
}

/** Where each measure's durations are, one row per lead or stay `f`, and how long they took. */
const DURATIONS = {
  first_contact: {
    table: sql`analytics_lead_facts`,
    only: sql`f.first_contact_at is not null`,
    seconds: FIRST_CONTACT_SECONDS,
  },
  convert: {
    table: sql`analytics_lead_facts`,
    only: sql`f.status = 'won'`,
    seconds: CONVERT_SECONDS,
  },
  stay: { table: sql`analytics_stage_stays`, only: sql`true`, seconds: STAY_SECONDS },
} satisfies Record<
  DurationMeasure,
  { table: RawBuilder<unknown>; only: RawBuilder<unknown>; seconds: RawBuilder<number> }
>;

/**
 * The per-lead (or per-stay) rows of a measure matching the filters, in the cohort when
 * `inPeriod`: `from … where …`.
 */
function durationRows(
  scope: ReportScope,
  measure: DurationMeasure,
  options: { inPeriod: boolean },
) {
  const { table, only } = DURATIONS[measure];
  return sql`from ${table} f where ${leadConditions(scope, options)} and ${only}`;
}

/** What a measure's durations are grouped by: the assignee, the stage, or nothing. */
function groupOf(measure: DurationMeasure, options: { grouped: boolean }) {
  if (!options.grouped) return sql`null::uuid`;
  return measure === 'stay' ? sql`f.stage_id` : sql`f.assignee_id`;
}

/**
 * The exact count, median and 90th percentile (seconds) of a measure's durations in the cohort,
 * per group, from one row per lead or stay (for small cohorts, decision 033).
 */
async function exactPercentiles(
  db: Executor,
  scope: ReportScope,
  measure: DurationMeasure,
  options: { grouped: boolean },
) {
  const seconds = DURATIONS[measure].seconds;
  const { rows } = await sql<{
    group_id: string | null;
    n: number;
    median: number | null;
    p90: number | null;
  }>`
    ${PLAN_EACH_TIME}
    select ${groupOf(measure, options)} as group_id, count(*)::int as n,
      percentile_cont(0.5) within group (order by ${seconds}) as median,
      percentile_cont(0.9) within group (order by ${seconds}) as p90
    ${durationRows(scope, measure, { inPeriod: true })}
    group by 1`.execute(db);
  return rows;
}

/**
 * The cohort's durations of a measure as a histogram per assignee (first contact, convert) or
 * per stage (stay): the rollup's buckets for the months (rollupMonths), and one bucketed row per
 * lead (or stay) for the days around them, added or taken off (decisions 033, 034). Only where histogramsAnswer. One row
 * per group, its buckets and counts as two JSON arrays: thousands of rows, or PostgreSQL arrays
 * (parsed a character at a time), cost the server more to read.
 */
async function durationHistogram(
  db: Executor,
  scope: ReportScope,
  measure: DurationMeasure,
  options: { grouped: boolean },
): Promise<Map<string | null, Bucket[]>> {
  const group = groupOf(measure, options);
  const perLead: PerLead = (sign) => sql`select ${group} as group_id,
      ${bucketOf(DURATIONS[measure].seconds)} as bucket, ${sql.lit(sign)} as n
    ${durationRows(scope, measure, { inPeriod: false })}`;
  const months = scope.months;
  const conditions: RawBuilder<unknown>[] = [
    sql`f.workspace_id = ${scope.workspaceId}`,
    sql`f.measure = ${measure}`,
  ];
  if (scope.pipelineId) conditions.push(sql`f.pipeline_id = ${scope.pipelineId}`);
  if (scope.assigneeId) conditions.push(sql`f.assignee_id = ${scope.assigneeId}`);
  const durations = months
    ? sql`select ${group} as group_id, f.bucket, f.n from analytics_duration_months f
        where ${sql.join(conditions, sql` and `)} and ${inMonths(months)}
        union all
        ${aroundMonths(scope, months, perLead)}`
    : sql`${perLead(1)} and ${inPeriod(scope)}`;
  const { rows } = await sql<{ group_id: string | null; buckets: number[]; counts: number[] }>`
    ${PLAN_EACH_TIME}
    select group_id, to_json(array_agg(bucket order by bucket)) as buckets,
      to_json(array_agg(n order by bucket)) as counts
    from (select group_id, bucket, sum(n)::int as n from (${durations}) d
      group by group_id, bucket) h
    group by group_id`.execute(db);
  return new Map(
    rows.map((row) => [
      row.group_id,
      row.buckets.map((bucket, i) => ({ bucket, n: row.counts[i] ?? 0 })),
    ]),
  );
}

/**
 * The activity rollups' rows of the period (the activities' local days) for leads matching the
 * filters, as the `group` columns and the `counts` columns: per month for the nearest months
 * (never rounded out for free after the period: an activity can come after it on any lead), per
 * day for the days around them, those rounded out counting negative.
 */
function activityRows(scope: ReportScope, group: string[], counts: string[]) {
  const filters = leadConditions(scope, { inPeriod: false });
  const columns = (sign: 1 | -1) =>
    sql.join([
      ...group.map((column) => sql.ref(`f.${column}`)),
      ...counts.map(
        (column) => sql`${sql.lit(sign)} * ${sql.ref(`f.${column}`)} as ${sql.ref(column)}`,
      ),
    ]);
  const days = (from: string, until: string, sign: 1 | -1) =>
    sql`select ${columns(sign)} from analytics_activity_days f
      where ${filters} and f.day >= ${from}::date and f.day < ${until}::date`;
  const months = nearestMonths(scope.from, scope.to, { freeAfter: false });
  if (!months) return days(scope.from, addDays(scope.to, 1), 1);
  const parts = [
    sql`select ${columns(1)} from analytics_activity_months f
      where ${filters} and ${inMonths(months)}`,
    ...roundedDays(scope, months).map(({ from, until, sign }) => days(from, until, sign)),
  ];
  return sql.join(parts, sql` union all `);
}

export async function funnelCounts(db: Executor, scope: ReportScope & { pipelineId: string }) {
  // The furthest open or won stage each lead entered (skipped stages count as reached).
  const { rows } = await sql<{ max_position: number | null; leads: number; lost: number }>`
    ${PLAN_EACH_TIME}
    with cohort as (${cohortRows(scope)})
    select furthest_position as max_position, sum(leads)::int as leads,
      coalesce(sum(leads) filter (where status = 'lost'), 0)::int as lost
    from cohort group by furthest_position having sum(leads) <> 0`.execute(db);
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
    select coalesce(sum(spoke), 0)::int as spoke, coalesce(sum(no_show), 0)::int as no_show,
      coalesce(sum(accepted), 0)::int as accepted, coalesce(sum(rejected), 0)::int as rejected
    from (${activityRows(scope, [], ['spoke', 'no_show', 'accepted', 'rejected'])}) a`.execute(db);
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
      from cohort group by source_id having sum(leads) <> 0
    ), first as (
      select first_touch_source_id as source_id, sum(leads)::int as won,
        coalesce(sum(value) filter (where currency = ${scope.currency}), 0)::bigint as won_value
      from cohort where status = 'won' group by first_touch_source_id having sum(leads) <> 0
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
    won: number;
  }>`
    ${PLAN_EACH_TIME}
    with cohort as (${cohortRows(scope)})
    select assignee_id, sum(leads)::int as leads, sum(contacted_fast)::int as within_5_minutes,
      sum(contacted)::int as contacted,
      coalesce(sum(leads) filter (where status = 'won'), 0)::int as won
    from cohort group by assignee_id having sum(leads) <> 0`.execute(db);
  return rows;
}

interface Percentiles {
  n: number;
  /** Seconds. */
  median: number | null;
  p90: number | null;
}

/**
 * Count, median and 90th percentile (seconds) of a measure's durations in the cohort, per
 * assignee or stage (under the key null when not grouped): exactly from one row per lead or stay
 * when asked (small cohorts) or when the histograms can't answer, from them otherwise (within
 * 1%, decision 033).
 */
export async function percentiles(
  db: Executor,
  scope: ReportScope,
  measure: DurationMeasure,
  options: { grouped: boolean; exact: boolean },
): Promise<Map<string | null, Percentiles>> {
  if (!options.exact && histogramsAnswer(scope, measure)) {
    const byGroup = await durationHistogram(db, scope, measure, options);
    return new Map(
      [...byGroup].map(([group, buckets]) => [
        group,
        {
          n: buckets.reduce((sum, bucket) => sum + bucket.n, 0),
          median: percentileOf(buckets, 0.5),
          p90: percentileOf(buckets, 0.9),
        },
      ]),
    );
  }
  const rows = await exactPercentiles(db, scope, measure, options);
  return new Map(rows.map((row) => [row.group_id, row]));
}

/** Touches each member logged in the period, on leads that match the filters. */
export async function touchesByMember(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ created_by: string; activities: number }>`
    ${PLAN_EACH_TIME}
    select created_by, sum(touches)::int as activities
    from (${activityRows(scope, ['created_by'], ['touches'])}) a
    where created_by is not null
    group by created_by having sum(touches) > 0`.execute(db);
  return rows;
}

export async function lostReasonCounts(db: Executor, scope: ReportScope) {
  const { rows } = await sql<{ lost_reason_id: string | null; leads: number; value: number }>`
    ${PLAN_EACH_TIME}
    with cohort as (${cohortRows(scope)})
    select lost_reason_id, sum(leads)::int as leads,
      coalesce(sum(value) filter (where currency = ${scope.currency}), 0)::bigint as value
    from cohort where status = 'lost'
    group by lost_reason_id having sum(leads) <> 0`.execute(db);
  return rows;
}

/**
 * Open leads of the cohort per stage now, and how many of them have been there longer than its
 * limit. The open count comes from the monthly rollup for the months (per lead around them);
 * past the limit is that count less the leads that entered the stage within its limit, read per
 * lead from the open leads by stage and entry time (a few weeks of entries, not the cohort).
 */
export async function openByStage(
  db: Executor,
  scope: ReportScope & { pipelineId: string },
  now: Date,
) {
  const months = scope.months;
  const perLead: PerLead = (sign) => sql`select f.stage_id, ${sql.lit(sign)} as leads
    from analytics_lead_facts f
    where ${leadConditions(scope, { inPeriod: false })} and f.status = 'open'`;
  const open = months
    ? sql`select f.stage_id, f.leads from analytics_open_months f
        where ${leadConditions(scope, { inPeriod: false })} and ${inMonths(months)}
        union all
        ${aroundMonths(scope, months, perLead)}`
    : sql`${perLead(1)} and ${inPeriod(scope)}`;
  const { rows } = await sql<{ stage_id: string; open_now: number; past_limit: number }>`
    ${PLAN_EACH_TIME}
    with open as (
      select stage_id, sum(leads)::int as open_now from (${open}) o group by stage_id
    ), within_limit as (
      -- Per stage with a limit, a range of the index on (stage, entry time): only the leads
      -- that entered it within its limit are read.
      select s.id as stage_id, (select count(*) from analytics_lead_facts f
          where ${leadConditions(scope, { inPeriod: true })} and f.status = 'open'
            and f.stage_id = s.id
            and f.stage_entered_at >= ${now}::timestamptz - make_interval(days => s.max_days_in_stage)
        )::int as leads
      from stages s
      where s.workspace_id = ${scope.workspaceId} and s.pipeline_id = ${scope.pipelineId}
        and s.max_days_in_stage is not null
    )
    select o.stage_id, o.open_now,
      (case when s.max_days_in_stage is null then 0
        else o.open_now - coalesce(w.leads, 0) end)::int as past_limit
    from open o
    join stages s on s.workspace_id = ${scope.workspaceId} and s.id = o.stage_id
    left join within_limit w on w.stage_id = o.stage_id`.execute(db);
  return rows;
}

/** How many leads the cohort holds (the daily rollup, by the filters). */
export async function cohortSize(db: Executor, scope: ReportScope): Promise<number> {
  const { rows } = await sql<{ leads: number }>`
    ${PLAN_EACH_TIME}
    select coalesce(sum(f.leads), 0)::int as leads from analytics_lead_days f
    where ${leadConditions(scope, { inPeriod: false })}
      and f.day >= ${scope.from}::date and f.day <= ${scope.to}::date`.execute(db);
  return rows[0]?.leads ?? 0;
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
