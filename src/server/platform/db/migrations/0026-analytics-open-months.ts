// Open leads per local month of creation and stage, by the report filters (decision 033): time
// in stage counts the cohort's open leads per stage from it instead of one facts row per lead,
// and reads per lead only those that entered their stage within its limit (the index below).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table analytics_open_months (
  workspace_id uuid not null,
  month date not null,
  pipeline_id uuid not null,
  stage_id uuid not null,
  source_id uuid,
  assignee_id uuid,
  tags text[] not null,
  leads integer not null,
  unique nulls not distinct (workspace_id, month, pipeline_id, stage_id, source_id, assignee_id,
    tags)
);
create index analytics_open_months_empty_idx on analytics_open_months (workspace_id)
  where leads = 0;

-- Open leads by the time they entered their stage, with what the filters read.
create index analytics_lead_facts_open_entered_idx on analytics_lead_facts
  (workspace_id, stage_entered_at)
  include (created_at, pipeline_id, stage_id, source_id, assignee_id, tags)
  where status = 'open';

-- Rollups built before this migration have no open months: rebuild every workspace.
delete from analytics_state;
`,
    )
    .execute(db);
}
