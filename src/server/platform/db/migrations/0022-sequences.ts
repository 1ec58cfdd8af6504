// Sequences (drip / nurture): a sequence's ordered steps (JSON, edited with the sequence), the
// leads enrolled in it, and one row per step an enrolment has run (statistics and the guard
// that makes a retried run do nothing twice).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table sequences (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  description text not null default '',
  purpose text not null default 'marketing' check (purpose in ('marketing', 'transactional')),
  auto_send boolean not null default false,
  steps jsonb not null default '[]',
  archived_at timestamptz,
  version integer not null default 1,
  created_by uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id)
);

create table sequence_enrolments (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  sequence_id uuid not null,
  lead_id uuid not null,
  contact_id uuid,
  status text not null check (status in ('active', 'paused', 'completed', 'exited')),
  -- The position of the next step to run; next_run_at is when (null while paused or ended).
  next_step integer not null default 0,
  next_run_at timestamptz,
  last_step_id text,
  exit_reason text,
  enrolled_by uuid,
  enrolled_via text not null check (enrolled_via in ('manual', 'bulk', 'rule')),
  enrolled_at timestamptz not null,
  paused_at timestamptz,
  ended_at timestamptz,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, sequence_id) references sequences (workspace_id, id),
  foreign key (workspace_id, lead_id) references leads (workspace_id, id)
);
-- A lead is in a sequence at most once at a time.
create unique index sequence_enrolments_running_idx on sequence_enrolments
  (workspace_id, sequence_id, lead_id) where status in ('active', 'paused');
create index sequence_enrolments_due_idx on sequence_enrolments (next_run_at)
  where status = 'active';
create index sequence_enrolments_lead_idx on sequence_enrolments (workspace_id, lead_id);
create index sequence_enrolments_contact_idx on sequence_enrolments (workspace_id, contact_id)
  where status in ('active', 'paused');

create table sequence_step_runs (
  workspace_id uuid not null references workspaces (id),
  enrolment_id uuid not null,
  step_index integer not null,
  sequence_id uuid not null,
  step_id text not null,
  step_type text not null,
  outcome text not null,
  message_id uuid,
  task_id uuid,
  detail text not null default '',
  ran_at timestamptz not null,
  -- An enrolment runs each position once: a retried run finds its row and moves on.
  primary key (workspace_id, enrolment_id, step_index),
  foreign key (workspace_id, enrolment_id) references sequence_enrolments (workspace_id, id)
);
create index sequence_step_runs_sequence_idx on sequence_step_runs (workspace_id, sequence_id);
`,
    )
    .execute(db);
}
