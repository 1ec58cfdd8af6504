// Web-to-lead forms, their stored submissions, the public key lookup, and in-app notifications.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
create table notifications (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references users (id),
  kind text not null check (length(kind) between 1 and 60),
  title text not null check (length(title) between 1 and 300),
  body text not null default '',
  lead_id uuid,
  read_at timestamptz,
  created_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, lead_id) references leads (workspace_id, id)
);
create index notifications_user_idx on notifications (workspace_id, user_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (workspace_id, user_id) where read_at is null;

create table forms (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  key text not null,
  name text not null check (length(name) between 1 and 100),
  field_mapping jsonb not null default '{}',
  adapter_mapping jsonb not null default '{}',
  source_id uuid,
  pipeline_id uuid,
  stage_id uuid,
  assignee_id uuid references users (id),
  allowed_origins text[] not null default '{}',
  thank_you_message text not null default '',
  redirect_url text,
  honeypot_field text not null default 'website_url',
  signing_secret text,
  google_key text,
  is_active boolean not null default true,
  version integer not null default 1,
  created_by uuid references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, source_id) references lead_sources (workspace_id, id),
  foreign key (workspace_id, pipeline_id) references pipelines (workspace_id, id)
);
create unique index forms_key_idx on forms (workspace_id, key);
create index forms_name_idx on forms (workspace_id, lower(name), id);

-- A public form key is read before the workspace is known (like a session's token hash): this
-- small instance-wide table maps it to its workspace (a reference table on Citus).
create table form_keys (
  key text primary key,
  workspace_id uuid not null references workspaces (id),
  form_id uuid not null,
  foreign key (workspace_id, form_id) references forms (workspace_id, id)
);

create table form_submissions (
  workspace_id uuid not null references workspaces (id),
  id uuid not null default gen_random_uuid(),
  form_id uuid not null,
  submission_key text,
  adapter text not null check (adapter in ('form', 'meta', 'google-ads', 'typeform', 'generic')),
  content_type text not null default '',
  raw_body text not null default '',
  fields jsonb not null default '{}',
  status text not null check (status in ('accepted', 'rejected', 'spam')),
  errors jsonb not null default '[]',
  lead_id uuid,
  contact_id uuid,
  ip text,
  user_agent text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  accepted_by uuid references users (id),
  primary key (workspace_id, id),
  foreign key (workspace_id, form_id) references forms (workspace_id, id),
  foreign key (workspace_id, lead_id) references leads (workspace_id, id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id)
);
-- The same submission sent again (Idempotency-Key, Meta leadgen_id, Google lead_id, Typeform
-- token, submissionId) lands once.
create unique index form_submissions_key_idx
  on form_submissions (workspace_id, form_id, submission_key);
create index form_submissions_list_idx
  on form_submissions (workspace_id, form_id, status, created_at desc, id desc);
`,
    )
    .execute(db);
}
