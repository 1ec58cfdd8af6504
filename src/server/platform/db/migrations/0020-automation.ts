// Automation rules (trigger → conditions → actions, configured in the UI), their run log (one
// run per rule and triggering event or condition episode: the unique trigger key is what keeps a
// scan or a retried event from firing twice) and the overdue tasks already announced as
// task.overdue (a task whose due time moves is announced again).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table automation_rules (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  description text not null default '',
  trigger_type text not null,
  "trigger" jsonb not null,
  conditions jsonb not null default '[]',
  actions jsonb not null,
  position integer not null,
  is_active boolean not null default true,
  -- The shipped default this rule came from (per preset), so applying a preset twice adds it once.
  default_key text,
  archived_at timestamptz,
  version integer not null default 1,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);
create index automation_rules_trigger_idx on automation_rules (workspace_id, trigger_type)
  where is_active and archived_at is null;
create unique index automation_rules_default_idx on automation_rules (workspace_id, default_key);

create table automation_runs (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  rule_id uuid not null,
  lead_id uuid,
  event_type text not null,
  event_id uuid,
  -- The event id, or the condition episode of a scan ("lead:stage entered at").
  trigger_key text not null,
  reason text not null,
  status text not null check (status in ('queued', 'succeeded', 'failed', 'skipped')),
  attempts integer not null default 0,
  caused_by_rules uuid[] not null default '{}',
  results jsonb not null default '[]',
  errors jsonb not null default '[]',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, rule_id) references automation_rules (workspace_id, id),
  foreign key (workspace_id, lead_id) references leads (workspace_id, id)
);
create unique index automation_runs_once_idx on automation_runs (workspace_id, rule_id, trigger_key);
create index automation_runs_recent_idx on automation_runs (workspace_id, created_at desc, id desc);
create index automation_runs_rule_idx on automation_runs (workspace_id, rule_id, created_at desc, id desc);

create table automation_overdue_tasks (
  workspace_id uuid not null references workspaces (id),
  task_id uuid not null,
  due_at timestamptz not null,
  published_at timestamptz not null,
  primary key (workspace_id, task_id, due_at),
  foreign key (workspace_id, task_id) references tasks (workspace_id, id) on delete cascade
);
`,
    )
    .execute(db);
}
