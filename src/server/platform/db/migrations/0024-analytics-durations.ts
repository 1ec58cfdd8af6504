// Durations of the analytics facts rolled up as histograms (decision 033): per local month of the
// leads' creation, how many first contacts, wins and finished stage stays took how long (bucket,
// see modules/analytics/analytics.histogram.ts). The leaderboard's medians and the time-in-stage
// percentiles read them for big cohorts; the monthly lead rollup also counts first contacts.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
-- measure: first_contact (by assignee), convert (creation to win, by assignee), stay (by stage).
create table analytics_duration_months (
  workspace_id uuid not null,
  month date not null,
  pipeline_id uuid not null,
  measure text not null,
  assignee_id uuid,
  stage_id uuid,
  bucket integer not null,
  n integer not null,
  unique nulls not distinct (workspace_id, month, pipeline_id, measure, assignee_id, stage_id,
    bucket) include (n)
);
-- Rows a refresh emptied (taken out again at once).
create index analytics_duration_months_empty_idx on analytics_duration_months (workspace_id)
  where n = 0;

-- Leads of the row that were contacted, and contacted within 5 minutes of arriving.
alter table analytics_lead_months add column contacted integer not null default 0,
  add column contacted_fast integer not null default 0;

-- Rollups built before this migration have neither: the next refresh rebuilds every workspace.
delete from analytics_state;
`,
    )
    .execute(db);
}
