// Leads and their stage history. A lead's status follows its stage's kind; stage_history gives
// time in stage. Keys and indexes lead with workspace_id.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table leads (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  title text not null check (length(title) between 1 and 300),
  description text not null default '',
  contact_id uuid,
  company_id uuid,
  company_name text not null default '',
  source_id uuid,
  source_campaign text not null default '',
  source_detail text not null default '',
  pipeline_id uuid not null,
  stage_id uuid not null,
  stage_entered_at timestamptz not null,
  status text not null check (status in ('open', 'won', 'lost')),
  lost_reason_id uuid,
  lost_notes text not null default '',
  is_converted boolean not null default false,
  value bigint not null default 0 check (value >= 0),
  currency char(3) not null,
  probability integer not null check (probability between 0 and 100),
  is_probability_overridden boolean not null default false,
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  expected_close_date date,
  assignee_id uuid references users (id),
  next_follow_up_at timestamptz,
  next_follow_up_type text,
  contact_status text not null default 'not_contacted' check (contact_status in
    ('not_contacted', 'contacted', 'in_discussion', 'proposal_sent', 'follow_up_needed', 'no_response')),
  last_contact_at timestamptz,
  last_contact_method text,
  last_contact_notes text not null default '',
  contact_attempts integer not null default 0,
  tags text[] not null default '{}',
  custom_fields jsonb not null default '{}',
  score integer not null default 0,
  version integer not null default 1,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id),
  foreign key (workspace_id, company_id) references companies (workspace_id, id),
  foreign key (workspace_id, source_id) references lead_sources (workspace_id, id),
  foreign key (workspace_id, pipeline_id) references pipelines (workspace_id, id),
  foreign key (workspace_id, stage_id) references stages (workspace_id, id),
  foreign key (workspace_id, lost_reason_id) references lost_reasons (workspace_id, id)
);
create index leads_created_idx on leads (workspace_id, created_at desc, id desc);
create index leads_stage_idx on leads (workspace_id, stage_id, assignee_id, created_at desc);
create index leads_assignee_idx on leads (workspace_id, assignee_id, next_follow_up_at);
create index leads_contact_idx on leads (workspace_id, contact_id);

create table stage_history (
  workspace_id uuid not null,
  id uuid not null default gen_random_uuid(),
  lead_id uuid not null,
  from_stage_id uuid,
  to_stage_id uuid not null,
  moved_at timestamptz not null,
  moved_by uuid references users (id),
  reason text not null default '',
  primary key (workspace_id, id),
  foreign key (workspace_id, lead_id) references leads (workspace_id, id),
  foreign key (workspace_id, from_stage_id) references stages (workspace_id, id),
  foreign key (workspace_id, to_stage_id) references stages (workspace_id, id)
);
create index stage_history_lead_idx on stage_history (workspace_id, lead_id, moved_at);
`,
    )
    .execute(db);
}
