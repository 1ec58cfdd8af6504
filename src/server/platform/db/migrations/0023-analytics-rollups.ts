// Rollups of the analytics facts (decision 031): leads per local month and per local day, and
// the forecast backtest per month, each by the reports' filter columns. Kept by
// modules/analytics/analytics.facts.ts next to the facts they sum; the count-only reports read
// them instead of one facts row per lead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
-- Leads created per local month, by everything the count-only reports group or filter by.
create table analytics_lead_months (
  workspace_id uuid not null,
  month date not null,
  pipeline_id uuid not null,
  source_id uuid,
  assignee_id uuid,
  tags text[] not null,
  status text not null,
  currency char(3) not null,
  furthest_position integer,
  first_touch_source_id uuid,
  lost_reason_id uuid,
  leads integer not null,
  value bigint not null,
  unique nulls not distinct (workspace_id, month, pipeline_id, source_id, assignee_id, tags,
    status, currency, furthest_position, first_touch_source_id, lost_reason_id)
);

-- Leads created per local day (lead velocity by week).
create table analytics_lead_days (
  workspace_id uuid not null,
  day date not null,
  pipeline_id uuid not null,
  source_id uuid,
  assignee_id uuid,
  tags text[] not null,
  leads integer not null,
  unique nulls not distinct (workspace_id, day, pipeline_id, source_id, assignee_id, tags)
);

-- Per month: the weighted forecast as it stood on the month's first day (leads whose expected
-- close date falls in it) and the value won in it (local month of the win).
create table analytics_forecast_months (
  workspace_id uuid not null,
  month date not null,
  pipeline_id uuid not null,
  source_id uuid,
  assignee_id uuid,
  tags text[] not null,
  currency char(3) not null,
  forecast numeric not null,
  won_value bigint not null,
  unique nulls not distinct (workspace_id, month, pipeline_id, source_id, assignee_id, tags,
    currency)
);

-- Rows a refresh emptied (taken out again at once; found without scanning the workspace).
create index analytics_lead_months_empty_idx on analytics_lead_months (workspace_id)
  where leads = 0;
create index analytics_lead_days_empty_idx on analytics_lead_days (workspace_id) where leads = 0;
create index analytics_forecast_months_empty_idx on analytics_forecast_months (workspace_id)
  where forecast = 0 and won_value = 0;

-- The reports that still read one facts row per lead (the days around a period's whole months,
-- percentiles, open leads by stage) read these indexes alone (index-only scans); the backtest's
-- facts indexes are no longer read.
drop index analytics_lead_facts_created_idx;
drop index analytics_lead_facts_forecast_idx;
drop index analytics_lead_facts_won_idx;
-- Every column a report reads per lead: refreshed rows land anywhere in the table, and a
-- period's leads are then read in created_at order from the index alone.
create index analytics_lead_facts_created_idx on analytics_lead_facts (workspace_id, created_at)
  include (pipeline_id, source_id, assignee_id, tags, status, currency, value, furthest_position,
    first_touch_source_id, lost_reason_id, first_contact_at, stage_entered_at);
create index analytics_lead_facts_open_created_idx on analytics_lead_facts
  (workspace_id, created_at) include (pipeline_id, stage_id, stage_entered_at)
  where status = 'open';
drop index analytics_stage_stays_created_idx;
create index analytics_stage_stays_created_idx on analytics_stage_stays (workspace_id, created_at)
  include (pipeline_id, stage_id, days);

-- Facts built before this migration have no rollups: the next refresh rebuilds every workspace.
delete from analytics_state;
`,
    )
    .execute(db);
}
