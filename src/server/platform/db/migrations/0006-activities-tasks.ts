// The timeline (activities) and follow-up tasks of leads and contacts, and who converted a lead
// when. Open tasks are indexed by due time for "my work" and for a lead's next follow-up.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
alter table leads add column converted_at timestamptz;
alter table leads add column converted_by uuid references users (id);

create table activities (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  lead_id uuid,
  contact_id uuid,
  type text not null check (type in ('call', 'email', 'sms', 'meeting', 'note', 'document_sent',
    'stage_change', 'assignment_change', 'task_completed', 'system')),
  direction text check (direction in ('inbound', 'outbound')),
  outcome text not null default 'none' check (outcome in ('spoke', 'left_voicemail', 'no_answer',
    'wrong_number', 'no_show', 'rescheduled', 'sent_proposal', 'accepted_proposal',
    'rejected_proposal', 'none')),
  subject text not null default '',
  body text not null default '',
  occurred_at timestamptz not null,
  duration_minutes integer check (duration_minutes >= 0),
  next_step text not null default '',
  details jsonb not null default '{}',
  created_by uuid references users (id),
  created_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, lead_id) references leads (workspace_id, id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id),
  check (lead_id is not null or contact_id is not null)
);
create index activities_lead_idx on activities (workspace_id, lead_id, occurred_at desc, id desc);
create index activities_contact_idx on activities (workspace_id, contact_id, occurred_at desc, id desc);

create table tasks (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  lead_id uuid,
  contact_id uuid,
  title text not null check (length(title) between 1 and 300),
  description text not null default '',
  type text not null check (type in ('call', 'email', 'sms', 'follow_up', 'meeting', 'custom')),
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  assignee_id uuid references users (id),
  due_at timestamptz,
  reminder_at timestamptz,
  status text not null default 'pending'
    check (status in ('pending', 'in_progress', 'completed', 'cancelled')),
  completed_at timestamptz,
  completed_by uuid references users (id),
  version integer not null default 1,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, lead_id) references leads (workspace_id, id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id)
);
create index tasks_lead_idx on tasks (workspace_id, lead_id, due_at);
create index tasks_contact_idx on tasks (workspace_id, contact_id, due_at);
create index tasks_open_assignee_idx on tasks (workspace_id, assignee_id, due_at)
  where status in ('pending', 'in_progress');
`,
    )
    .execute(db);
}
