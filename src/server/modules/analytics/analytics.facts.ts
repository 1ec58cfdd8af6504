// The analytics read model's upkeep (decisions 026, 031 and 033): triggers on leads, stage
// history, activities and stages list the leads whose facts are stale (analytics_stale_leads); a
// refresh recomputes those leads' facts, finished stays and activity counts from the records, and
// moves their counts in the rollups (activities per day; leads per month and day; open leads per
// month and stage; durations per month by bucket; the backtest per month): out with the old, in
// with the new. The reports (analytics.repository) read only these tables.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import { bucketOf } from './analytics.histogram.js';

type Executor = Kysely<DB>;

/** Activity types that count as a touch (as for a lead's last contact, activities.touch). */
export const TOUCH_TYPES = ['call', 'email', 'sms', 'meeting', 'document_sent'];

/** A lead's first contact came within 5 minutes of its arrival (facts row `f`). */
export const CONTACTED_FAST = sql<boolean>`f.first_contact_at <= f.created_at + interval '5 minutes'`;
/** The durations the histograms hold, in seconds (facts row `f`; a stage stay for STAY). */
// As float8 (date_part): extract gives numeric, which costs several times more per row.
export const FIRST_CONTACT_SECONDS = sql<number>`date_part('epoch', f.first_contact_at - f.created_at)`;
export const CONVERT_SECONDS = sql<number>`date_part('epoch', f.stage_entered_at - f.created_at)`;
export const STAY_SECONDS = sql<number>`(f.days * 86400)`;

/** Above this many stale leads a refresh rebuilds the workspace's facts in one pass. */
const REBUILD_ABOVE = 20_000;

export interface RefreshResult {
  /** Leads whose facts were recomputed (every live lead on a rebuild). */
  leads: number;
  rebuilt: boolean;
  /** Stale leads left for the next refresh. */
  remaining: number;
}

/** How many leads of the workspace wait for a refresh. */
export async function countStaleLeads(db: Executor, workspaceId: string): Promise<number> {
  const { rows } = await sql<{ stale: number }>`
    select count(*)::int as stale from analytics_stale_leads
    where workspace_id = ${workspaceId}`.execute(db);
  return rows[0]?.stale ?? 0;
}

/** The read model's tables, per lead and rolled up, that a rebuild starts afresh. */
const READ_MODEL_TABLES = [
  'analytics_lead_facts',
  'analytics_stage_stays',
  'analytics_lead_activity_days',
  'analytics_activity_days',
  'analytics_activity_months',
  'analytics_lead_months',
  'analytics_lead_days',
  'analytics_forecast_months',
  'analytics_duration_months',
  'analytics_open_months',
] as const;

/**
 * Brings the workspace's facts up to date: up to `batch` stale leads (and the other leads of
 * their contacts, whose first touch may have moved), or everything when the time zone changed,
 * nothing was built yet, or more than REBUILD_ABOVE leads are stale. Runs in the caller's
 * transaction, serialised per workspace by an advisory lock.
 */
export async function refreshFacts(
  trx: Executor,
  workspaceId: string,
  timeZone: string,
  options: { batch: number; now: Date },
): Promise<RefreshResult> {
  await sql`select pg_advisory_xact_lock(hashtext(${`analytics:${workspaceId}`}))`.execute(trx);
  const state = await trx
    .selectFrom('analytics_state')
    .select('time_zone')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  const stale = await countStaleLeads(trx, workspaceId);
  const rebuild = !state || state.time_zone !== timeZone || stale > REBUILD_ABOVE;
  if (!rebuild && stale === 0) return { leads: 0, rebuilt: false, remaining: 0 };

  let leads: number;
  if (rebuild) {
    await sql`delete from analytics_stale_leads where workspace_id = ${workspaceId}`.execute(trx);
    for (const table of READ_MODEL_TABLES) {
      await trx.deleteFrom(table).where('workspace_id', '=', workspaceId).execute();
    }
    leads = await insertFacts(trx, workspaceId, timeZone, sql`true`);
  } else {
    const { rows: picked } = await sql<{ lead_id: string }>`
      delete from analytics_stale_leads s
      using (select lead_id from analytics_stale_leads where workspace_id = ${workspaceId}
        limit ${options.batch}) p
      where s.workspace_id = ${workspaceId} and s.lead_id = p.lead_id
      returning s.lead_id`.execute(trx);
    const ids = await withContactSiblings(
      trx,
      workspaceId,
      picked.map((row) => row.lead_id),
    );
    const filter = sql<boolean>`l.id = any(${ids}::uuid[])`;
    // Take the old counts out of the rollups, then drop the old rows.
    const old = sql<boolean>`f.lead_id = any(${ids}::uuid[])`;
    await addActivityCounts(trx, workspaceId, -1, old);
    await addLeadCounts(trx, workspaceId, timeZone, -1, old);
    for (const table of [
      'analytics_lead_facts',
      'analytics_stage_stays',
      'analytics_lead_activity_days',
    ] as const) {
      await trx
        .deleteFrom(table)
        .where('workspace_id', '=', workspaceId)
        .where('lead_id', 'in', ids)
        .execute();
    }
    leads = await insertFacts(trx, workspaceId, timeZone, filter);
  }
  await sql`
    insert into analytics_state (workspace_id, time_zone, refreshed_at)
    values (${workspaceId}, ${timeZone}, ${options.now})
    on conflict (workspace_id) do update
      set time_zone = excluded.time_zone, refreshed_at = excluded.refreshed_at`.execute(trx);
  return {
    leads,
    rebuilt: rebuild,
    remaining: rebuild ? 0 : await countStaleLeads(trx, workspaceId),
  };
}

/** The leads, plus the other leads of their contacts (now and as the facts last saw them). */
async function withContactSiblings(
  trx: Executor,
  workspaceId: string,
  ids: string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    with picked as (select unnest(${ids}::uuid[]) as id),
    contacts as (
      select l.contact_id from leads l join picked p on p.id = l.id
      where l.workspace_id = ${workspaceId} and l.contact_id is not null
      union
      select f.contact_id from analytics_lead_facts f join picked p on p.id = f.lead_id
      where f.workspace_id = ${workspaceId} and f.contact_id is not null
    )
    select id from picked
    union
    select l.id from leads l
    where l.workspace_id = ${workspaceId} and l.contact_id in (select contact_id from contacts)
    union
    select f.lead_id from analytics_lead_facts f
    where f.workspace_id = ${workspaceId} and f.contact_id in (select contact_id from contacts)`.execute(
    trx,
  );
  return rows.map((row) => row.id);
}

/** Writes the facts, stays and activity counts of the live leads `l` matching the filter. */
async function insertFacts(
  trx: Executor,
  workspaceId: string,
  timeZone: string,
  filter: RawBuilder<boolean>,
): Promise<number> {
  const inserted = await sql`
    insert into analytics_lead_facts (workspace_id, lead_id, created_at, contact_id, pipeline_id,
      source_id, assignee_id, tags, status, currency, value, lost_reason_id, stage_id,
      stage_entered_at, probability, expected_close_date, furthest_position,
      first_touch_source_id, first_contact_at, forecast_month, forecast_probability)
    select l.workspace_id, l.id, l.created_at, l.contact_id, l.pipeline_id, l.source_id,
      l.assignee_id, l.tags, l.status, l.currency, l.value, l.lost_reason_id, l.stage_id,
      l.stage_entered_at, l.probability, l.expected_close_date,
      (select max(s.position) from stage_history h
        join stages s on s.workspace_id = h.workspace_id and s.id = h.to_stage_id
          and s.kind <> 'lost'
        where h.workspace_id = l.workspace_id and h.lead_id = l.id),
      coalesce((select f.source_id from leads f
        where f.workspace_id = l.workspace_id and f.contact_id = l.contact_id
          and f.merged_into_id is null
        order by f.created_at, f.id limit 1), l.source_id),
      (select min(a.occurred_at) from activities a
        where a.workspace_id = l.workspace_id and a.lead_id = l.id
          and a.type::text = any(${TOUCH_TYPES}::text[])
          and a.direction is distinct from 'inbound'
          -- A touch logged with a date before the lead existed is not its first contact.
          and a.occurred_at >= l.created_at),
      m.month_start,
      case when l.created_at < m.starts_at then (
        -- Counted only when that stage was open (not won or lost).
        select case when st.kind = 'open' then st.probability end from stage_history h
        join stages st on st.workspace_id = h.workspace_id and st.id = h.to_stage_id
        where h.workspace_id = l.workspace_id and h.lead_id = l.id and h.moved_at < m.starts_at
        order by h.moved_at desc, h.id desc limit 1
      ) end
    from leads l
    left join lateral (
      select date_trunc('month', l.expected_close_date)::date as month_start,
        (date_trunc('month', l.expected_close_date)::timestamp at time zone ${timeZone})
          as starts_at
    ) m on true
    where l.workspace_id = ${workspaceId} and l.archived_at is null and l.merged_into_id is null
      and ${filter}`.execute(trx);
  const factFilter = sql<boolean>`exists (select 1 from leads l
    where l.workspace_id = f.workspace_id and l.id = f.lead_id and ${filter})`;
  await sql`
    insert into analytics_stage_stays (workspace_id, lead_id, stage_id, created_at, pipeline_id,
      source_id, assignee_id, tags, days)
    select f.workspace_id, f.lead_id, m.stage_id, f.created_at, f.pipeline_id, f.source_id,
      f.assignee_id, f.tags, extract(epoch from (m.left_at - m.moved_at)) / 86400.0
    from analytics_lead_facts f
    join lateral (
      select h.to_stage_id as stage_id, h.moved_at,
        lead(h.moved_at) over (order by h.moved_at, h.id) as left_at
      from stage_history h where h.workspace_id = f.workspace_id and h.lead_id = f.lead_id
    ) m on m.left_at is not null
    where f.workspace_id = ${workspaceId} and ${factFilter}`.execute(trx);
  await sql`
    insert into analytics_lead_activity_days (workspace_id, lead_id, days)
    select workspace_id, lead_id,
      jsonb_agg(jsonb_build_array(day, created_by, touches, spoke, no_show, accepted, rejected))
    from (
      select f.workspace_id, f.lead_id, (a.occurred_at at time zone ${timeZone})::date as day,
        a.created_by,
        count(*) filter (where a.type::text = any(${TOUCH_TYPES}::text[])) as touches,
        count(*) filter (where a.type = 'meeting' and a.outcome = 'spoke') as spoke,
        count(*) filter (where a.type = 'meeting' and a.outcome = 'no_show') as no_show,
        count(*) filter (where a.outcome = 'accepted_proposal') as accepted,
        count(*) filter (where a.outcome = 'rejected_proposal') as rejected
      from analytics_lead_facts f
      join activities a on a.workspace_id = f.workspace_id and a.lead_id = f.lead_id
      where f.workspace_id = ${workspaceId} and ${factFilter}
        and (a.type::text = any(${TOUCH_TYPES}::text[])
          or a.outcome in ('accepted_proposal', 'rejected_proposal'))
      group by 1, 2, 3, 4
    ) per_day
    group by workspace_id, lead_id`.execute(trx);
  await addActivityCounts(trx, workspaceId, 1, factFilter);
  await addLeadCounts(trx, workspaceId, timeZone, 1, factFilter);
  return Number(inserted.numAffectedRows ?? 0);
}

/**
 * Adds (sign 1) or takes out (sign -1) the activity counts of the leads `f` in the rollups, per
 * local day of the activity and per month.
 */
async function addActivityCounts(
  trx: Executor,
  workspaceId: string,
  sign: 1 | -1,
  filter: RawBuilder<boolean>,
) {
  for (const rollup of ACTIVITY_ROLLUPS) {
    await sql`
      insert into ${sql.table(rollup.table)} as r (workspace_id, ${sql.ref(rollup.period)},
        created_by, pipeline_id, source_id, assignee_id, tags, touches, spoke, no_show, accepted,
        rejected)
      select f.workspace_id, ${rollup.of(sql`(d->>0)::date`)}, (d->>1)::uuid, f.pipeline_id,
        f.source_id, f.assignee_id, f.tags,
        ${sign} * sum((d->>2)::int), ${sign} * sum((d->>3)::int), ${sign} * sum((d->>4)::int),
        ${sign} * sum((d->>5)::int), ${sign} * sum((d->>6)::int)
      from analytics_lead_facts f
      join analytics_lead_activity_days ad on ad.workspace_id = f.workspace_id
        and ad.lead_id = f.lead_id
      cross join jsonb_array_elements(ad.days) d
      where f.workspace_id = ${workspaceId} and ${filter}
      group by 1, 2, 3, 4, 5, 6, 7
      on conflict (workspace_id, ${sql.ref(rollup.period)}, created_by, pipeline_id, source_id,
        assignee_id, tags)
      do update set touches = r.touches + excluded.touches, spoke = r.spoke + excluded.spoke,
        no_show = r.no_show + excluded.no_show, accepted = r.accepted + excluded.accepted,
        rejected = r.rejected + excluded.rejected`.execute(trx);
    if (sign === -1) {
      await sql`
        delete from ${sql.table(rollup.table)} where workspace_id = ${workspaceId}
          and touches = 0 and spoke = 0 and no_show = 0 and accepted = 0
          and rejected = 0`.execute(trx);
    }
  }
}

const ACTIVITY_ROLLUPS = [
  { table: 'analytics_activity_days', period: 'day', of: (day: RawBuilder<unknown>) => day },
  {
    table: 'analytics_activity_months',
    period: 'month',
    of: (day: RawBuilder<unknown>) => sql`date_trunc('month', ${day})::date`,
  },
] as const;

/**
 * Adds (sign 1) or takes out (sign -1) the leads `f` in the lead rollups: per local month of
 * creation (the open ones also by stage, and their durations by bucket), per local day of
 * creation, and the backtest's forecast and won value per month.
 */
async function addLeadCounts(
  trx: Executor,
  workspaceId: string,
  timeZone: string,
  sign: 1 | -1,
  filter: RawBuilder<boolean>,
) {
  const leads = sql`from analytics_lead_facts f where f.workspace_id = ${workspaceId} and ${filter}`;
  const month = sql`date_trunc('month', f.created_at at time zone ${timeZone})::date`;
  await sql`
    insert into analytics_lead_months as r (workspace_id, month, pipeline_id, source_id,
      assignee_id, tags, status, currency, furthest_position, first_touch_source_id,
      lost_reason_id, leads, value, contacted, contacted_fast)
    select f.workspace_id, ${month}, f.pipeline_id, f.source_id, f.assignee_id, f.tags, f.status,
      f.currency, f.furthest_position, f.first_touch_source_id, f.lost_reason_id,
      ${sign} * count(*), ${sign} * sum(f.value), ${sign} * count(f.first_contact_at),
      ${sign} * count(*) filter (where ${CONTACTED_FAST})
    ${leads}
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    on conflict (workspace_id, month, pipeline_id, source_id, assignee_id, tags, status, currency,
      furthest_position, first_touch_source_id, lost_reason_id)
    do update set leads = r.leads + excluded.leads, value = r.value + excluded.value,
      contacted = r.contacted + excluded.contacted,
      contacted_fast = r.contacted_fast + excluded.contacted_fast`.execute(trx);
  await sql`
    insert into analytics_open_months as r (workspace_id, month, pipeline_id, stage_id, source_id,
      assignee_id, tags, leads)
    select f.workspace_id, ${month}, f.pipeline_id, f.stage_id, f.source_id, f.assignee_id, f.tags,
      ${sign} * count(*)
    ${leads} and f.status = 'open'
    group by 1, 2, 3, 4, 5, 6, 7
    on conflict (workspace_id, month, pipeline_id, stage_id, source_id, assignee_id, tags)
    do update set leads = r.leads + excluded.leads`.execute(trx);
  // Durations by bucket: first contacts and wins of the leads, finished stays in their stages.
  await sql`
    insert into analytics_duration_months as r (workspace_id, month, pipeline_id, measure,
      assignee_id, stage_id, bucket, n)
    select workspace_id, month, pipeline_id, measure, assignee_id, stage_id, bucket,
      ${sign} * count(*)
    from (
      select f.workspace_id, ${month} as month, f.pipeline_id, 'first_contact' as measure,
        f.assignee_id, null::uuid as stage_id, ${bucketOf(FIRST_CONTACT_SECONDS)} as bucket
      ${leads} and f.first_contact_at is not null
      union all
      select f.workspace_id, ${month}, f.pipeline_id, 'convert', f.assignee_id, null,
        ${bucketOf(CONVERT_SECONDS)}
      ${leads} and f.status = 'won'
      union all
      select f.workspace_id, ${month}, f.pipeline_id, 'stay', null, f.stage_id,
        ${bucketOf(STAY_SECONDS)}
      from analytics_stage_stays f where f.workspace_id = ${workspaceId} and ${filter}
    ) durations
    group by 1, 2, 3, 4, 5, 6, 7
    on conflict (workspace_id, month, pipeline_id, measure, assignee_id, stage_id, bucket)
    do update set n = r.n + excluded.n`.execute(trx);
  await sql`
    insert into analytics_lead_days as r (workspace_id, day, pipeline_id, source_id, assignee_id,
      tags, leads)
    select f.workspace_id, (f.created_at at time zone ${timeZone})::date, f.pipeline_id,
      f.source_id, f.assignee_id, f.tags, ${sign} * count(*)
    ${leads}
    group by 1, 2, 3, 4, 5, 6
    on conflict (workspace_id, day, pipeline_id, source_id, assignee_id, tags)
    do update set leads = r.leads + excluded.leads`.execute(trx);
  await sql`
    insert into analytics_forecast_months as r (workspace_id, month, pipeline_id, source_id,
      assignee_id, tags, currency, forecast, won_value)
    select workspace_id, month, pipeline_id, source_id, assignee_id, tags, currency,
      ${sign} * sum(forecast), ${sign} * sum(won_value)
    from (
      select f.workspace_id, f.forecast_month as month, f.pipeline_id, f.source_id,
        f.assignee_id, f.tags, f.currency, f.value * f.forecast_probability / 100.0 as forecast,
        0::bigint as won_value
      ${leads} and f.forecast_probability is not null
      union all
      select f.workspace_id, date_trunc('month', f.stage_entered_at at time zone ${timeZone})::date,
        f.pipeline_id, f.source_id, f.assignee_id, f.tags, f.currency, 0, f.value
      ${leads} and f.status = 'won'
    ) parts
    group by 1, 2, 3, 4, 5, 6, 7
    on conflict (workspace_id, month, pipeline_id, source_id, assignee_id, tags, currency)
    do update set forecast = r.forecast + excluded.forecast,
      won_value = r.won_value + excluded.won_value`.execute(trx);
  if (sign === -1) {
    await sql`delete from analytics_lead_months where workspace_id = ${workspaceId} and leads = 0`.execute(
      trx,
    );
    await sql`delete from analytics_lead_days where workspace_id = ${workspaceId} and leads = 0`.execute(
      trx,
    );
    await sql`delete from analytics_forecast_months where workspace_id = ${workspaceId}
      and forecast = 0 and won_value = 0`.execute(trx);
    await sql`delete from analytics_duration_months where workspace_id = ${workspaceId}
      and n = 0`.execute(trx);
    await sql`delete from analytics_open_months where workspace_id = ${workspaceId}
      and leads = 0`.execute(trx);
  }
}

/** The time zone the facts were built in (null: never built) and how many leads are stale. */
export async function freshness(
  db: Executor,
  workspaceId: string,
): Promise<{ builtIn: string | null; stale: number }> {
  const { rows } = await sql<{ built_in: string | null; stale: number }>`
    select (select time_zone from analytics_state where workspace_id = ${workspaceId}) as built_in,
      (select count(*)::int from (select 1 from analytics_stale_leads
        where workspace_id = ${workspaceId} limit 100000) s) as stale`.execute(db);
  return { builtIn: rows[0]?.built_in ?? null, stale: rows[0]?.stale ?? 0 };
}

/**
 * Vacuums the stale list and the read model's tables (outside any transaction) and refreshes
 * their statistics, after a big refresh: every report asks the stale list whether it is empty,
 * which would scan the dead rows the refresh left; and the reports read the rollups by
 * index-only scans, which stay slow (a heap visit per row) until a vacuum marks the rewritten
 * pages all-visible.
 */
export async function vacuumReadModel(db: Executor): Promise<void> {
  const tables = ['analytics_stale_leads', ...READ_MODEL_TABLES].map((table) => sql.table(table));
  await sql`vacuum (analyze) ${sql.join(tables)}`.execute(db);
}

/** Workspaces with leads waiting for a refresh (the periodic refresh's list). */
export async function workspacesWithStaleLeads(db: Executor): Promise<string[]> {
  const { rows } = await sql<{ workspace_id: string }>`
    select distinct workspace_id from analytics_stale_leads`.execute(db);
  return rows.map((row) => row.workspace_id);
}
