// The analytics read model (decision 026): one row of facts per live lead, its finished stage
// stays, and activity counts per day and member rolled up by the lead's filter columns. Triggers
// on the records mark the leads whose facts are stale; analytics.repository refreshes them.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
-- Leads whose facts must be recomputed (written by the triggers below, emptied by a refresh).
create table analytics_stale_leads (
  workspace_id uuid not null,
  lead_id uuid not null,
  primary key (workspace_id, lead_id)
);

-- Per workspace: the time zone the day and month buckets were computed in.
create table analytics_state (
  workspace_id uuid primary key references workspaces (id),
  time_zone text not null,
  refreshed_at timestamptz not null
);

-- One row per lead that is neither archived nor merged away: what the reports group and filter by.
create table analytics_lead_facts (
  workspace_id uuid not null,
  lead_id uuid not null,
  created_at timestamptz not null,
  contact_id uuid,
  pipeline_id uuid not null,
  source_id uuid,
  assignee_id uuid,
  tags text[] not null,
  status text not null,
  currency char(3) not null,
  value bigint not null,
  lost_reason_id uuid,
  stage_id uuid not null,
  stage_entered_at timestamptz not null,
  probability integer not null,
  expected_close_date date,
  -- The position of the furthest open or won stage the lead ever entered (funnel).
  furthest_position integer,
  -- The source of the contact's earliest lead (first-touch attribution).
  first_touch_source_id uuid,
  -- The first outbound touch at or after creation.
  first_contact_at timestamptz,
  -- Backtest: the first day of the expected close month, and the probability of the stage the
  -- lead was in on that day (null when it was not open then or did not exist yet).
  forecast_month date,
  forecast_probability integer,
  primary key (workspace_id, lead_id)
);
create index analytics_lead_facts_created_idx on analytics_lead_facts (workspace_id, created_at);
create index analytics_lead_facts_open_idx on analytics_lead_facts (workspace_id, expected_close_date)
  where status = 'open';
create index analytics_lead_facts_forecast_idx on analytics_lead_facts (workspace_id, forecast_month)
  where forecast_probability is not null;
create index analytics_lead_facts_won_idx on analytics_lead_facts (workspace_id, stage_entered_at)
  where status = 'won';
create index analytics_lead_facts_contact_idx on analytics_lead_facts (workspace_id, contact_id);

-- Finished stays (a move into a stage and the lead's next move), with the lead's filter columns.
create table analytics_stage_stays (
  workspace_id uuid not null,
  lead_id uuid not null,
  stage_id uuid not null,
  created_at timestamptz not null,
  pipeline_id uuid not null,
  source_id uuid,
  assignee_id uuid,
  tags text[] not null,
  days double precision not null
);
create index analytics_stage_stays_created_idx on analytics_stage_stays (workspace_id, created_at);
create index analytics_stage_stays_lead_idx on analytics_stage_stays (workspace_id, lead_id);

-- Each live lead's activity counts per local day and member: what it adds to the rollup below,
-- kept so a refresh can take it out again.
create table analytics_lead_activity_days (
  workspace_id uuid not null,
  lead_id uuid not null,
  days jsonb not null,
  primary key (workspace_id, lead_id)
);

-- Activities per local day, member and the lead's filter columns (touches, meeting and proposal
-- outcomes), kept by adding and taking out each refreshed lead's counts.
create table analytics_activity_days (
  workspace_id uuid not null,
  day date not null,
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
  unique nulls not distinct (workspace_id, day, created_by, pipeline_id, source_id, assignee_id, tags)
);

create function analytics_mark_leads_stale() returns trigger language plpgsql as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into analytics_stale_leads (workspace_id, lead_id)
      select distinct workspace_id, id from new_rows on conflict do nothing;
  else
    insert into analytics_stale_leads (workspace_id, lead_id)
      select distinct workspace_id, id from old_rows on conflict do nothing;
  end if;
  return null;
end $$;

create function analytics_mark_lead_children_stale() returns trigger language plpgsql as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into analytics_stale_leads (workspace_id, lead_id)
      select distinct workspace_id, lead_id from new_rows where lead_id is not null
      on conflict do nothing;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    insert into analytics_stale_leads (workspace_id, lead_id)
      select distinct workspace_id, lead_id from old_rows where lead_id is not null
      on conflict do nothing;
  end if;
  return null;
end $$;

-- A stage's position, kind or probability feeds the facts of every lead of its pipeline.
create function analytics_mark_stage_leads_stale() returns trigger language plpgsql as $$
begin
  insert into analytics_stale_leads (workspace_id, lead_id)
    select l.workspace_id, l.id from leads l
    where (l.workspace_id, l.pipeline_id) in (
      select n.workspace_id, n.pipeline_id from new_rows n join old_rows o on o.id = n.id
      where (o.position, o.kind, o.probability) is distinct from (n.position, n.kind, n.probability))
      and l.archived_at is null and l.merged_into_id is null
    on conflict do nothing;
  return null;
end $$;

create trigger leads_analytics_insert after insert on leads
  referencing new table as new_rows for each statement execute function analytics_mark_leads_stale();
create trigger leads_analytics_update after update on leads
  referencing new table as new_rows for each statement execute function analytics_mark_leads_stale();
create trigger leads_analytics_delete after delete on leads
  referencing old table as old_rows for each statement execute function analytics_mark_leads_stale();

create trigger stage_history_analytics_insert after insert on stage_history
  referencing new table as new_rows for each statement
  execute function analytics_mark_lead_children_stale();
create trigger stage_history_analytics_update after update on stage_history
  referencing old table as old_rows new table as new_rows for each statement
  execute function analytics_mark_lead_children_stale();
create trigger stage_history_analytics_delete after delete on stage_history
  referencing old table as old_rows for each statement
  execute function analytics_mark_lead_children_stale();

create trigger activities_analytics_insert after insert on activities
  referencing new table as new_rows for each statement
  execute function analytics_mark_lead_children_stale();
create trigger activities_analytics_update after update on activities
  referencing old table as old_rows new table as new_rows for each statement
  execute function analytics_mark_lead_children_stale();
create trigger activities_analytics_delete after delete on activities
  referencing old table as old_rows for each statement
  execute function analytics_mark_lead_children_stale();

create trigger stages_analytics_update after update on stages
  referencing old table as old_rows new table as new_rows for each statement
  execute function analytics_mark_stage_leads_stale();

-- Leads that exist before this migration start stale.
insert into analytics_stale_leads (workspace_id, lead_id)
  select workspace_id, id from leads where archived_at is null and merged_into_id is null;
`,
    )
    .execute(db);
}
