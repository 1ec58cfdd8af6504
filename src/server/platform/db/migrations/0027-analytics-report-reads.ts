// What lets the leaderboard and time in stage read only their rows (decision 033): the duration
// histograms by measure and month, whatever the pipeline; the open leads by stage and entry
// time, so "past the limit" reads per stage only the leads that entered it within its limit; and
// the activity counts per month, so a year of touches reads twelve months' rows, not 365 days'.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create index analytics_duration_months_measure_idx on analytics_duration_months
  (workspace_id, measure, month) include (pipeline_id, assignee_id, stage_id, bucket, n);

drop index analytics_lead_facts_open_entered_idx;
create index analytics_lead_facts_open_stage_entered_idx on analytics_lead_facts
  (workspace_id, stage_id, stage_entered_at)
  include (created_at, pipeline_id, source_id, assignee_id, tags)
  where status = 'open';

create table analytics_activity_months (
  workspace_id uuid not null,
  month date not null,
  created_by uuid,
  pipeline_id uuid not null,
  source_id uuid,
  assignee_id uuid,
  tags text[] not null,
  touches integer not null,
  spoke integer not null,
  no_show integer not null,
  accepted integer not null,
  rejected integer not null,
  unique nulls not distinct (workspace_id, month, created_by, pipeline_id, source_id, assignee_id,
    tags)
);
-- Built from the daily counts as they are: no workspace needs a rebuild.
insert into analytics_activity_months (workspace_id, month, created_by, pipeline_id, source_id,
  assignee_id, tags, touches, spoke, no_show, accepted, rejected)
select workspace_id, date_trunc('month', day)::date, created_by, pipeline_id, source_id,
  assignee_id, tags, sum(touches), sum(spoke), sum(no_show), sum(accepted), sum(rejected)
from analytics_activity_days
group by 1, 2, 3, 4, 5, 6, 7;
`,
    )
    .execute(db);
}
